"""The SPARQL 1.1 Protocol endpoint, driven by real clients against the real server."""

from __future__ import annotations

import csv
import io
import socket
import threading
import time
import xml.etree.ElementTree as ET

import httpx
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic

from _service_server import serve, static_store
from jiukg.namespaces import ONTOLOGY_GRAPH, REFERENCE_GRAPH

SELECT_ORGS = """PREFIX jiu: <https://w3id.org/jiukg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?org ?label WHERE { ?org a jiu:ParticipatingOrganization ; skos:prefLabel ?label FILTER(LANG(?label) = "zh") }
ORDER BY ?org"""
CONSTRUCT_WIPO = """PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
CONSTRUCT { ?o skos:prefLabel ?l } WHERE { ?o skos:prefLabel ?l FILTER(?o = <https://w3id.org/jiukg/id/org/WIPO>) }"""
INJECTION = 'WIPO" } ; DROP ALL ; #'
SRJ = "application/sparql-results+json"


def triples_of(data: bytes, fmt: str) -> Graph:
    """The triples of an RDF answer; TriG and N-Quads merged into one graph."""
    if fmt not in ("trig", "nquads"):
        return Graph().parse(data=data, format=fmt)
    from rdflib import Dataset

    ds = Dataset()
    ds.parse(data=data, format=fmt)
    g = Graph()
    for s, p, o, _ in ds.quads((None, None, None, None)):
        g.add((s, p, o))
    return g


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    st = static_store(tmp_path_factory.mktemp("svc") / "store")
    yield st
    st.close()


@pytest.fixture(scope="module")
def url(store):
    with serve(store) as base:
        yield base


@pytest.fixture(scope="module")
def expected(store):
    """What the store itself answers, to compare every serialisation against."""
    r = store.query(SELECT_ORGS)
    return [(str(row["org"]), str(row["label"])) for row in r.rows]


def test_select_json_get_and_both_posts(url, expected):
    assert len(expected) > 10
    get = httpx.get(f"{url}/sparql", params={"query": SELECT_ORGS}, headers={"Accept": SRJ})
    form = httpx.post(f"{url}/sparql", data={"query": SELECT_ORGS}, headers={"Accept": SRJ})
    direct = httpx.post(f"{url}/sparql", content=SELECT_ORGS.encode(),
                        headers={"Content-Type": "application/sparql-query", "Accept": SRJ})
    for r in (get, form, direct):
        assert r.status_code == 200, r.text
        assert r.headers["content-type"].startswith(SRJ)
        doc = r.json()
        assert doc["head"]["vars"] == ["org", "label"]
        got = [(b["org"]["value"], b["label"]["value"]) for b in doc["results"]["bindings"]]
        assert got == expected
        assert all(b["label"]["xml:lang"] == "zh" and b["org"]["type"] == "uri" for b in doc["results"]["bindings"])
    assert get.content == form.content == direct.content


def test_select_xml_csv_tsv(url, expected):
    xml = httpx.get(f"{url}/sparql", params={"query": SELECT_ORGS}, headers={"Accept": "application/sparql-results+xml"})
    assert xml.status_code == 200 and "sparql-results+xml" in xml.headers["content-type"]
    ns = {"r": "http://www.w3.org/2005/sparql-results#"}
    root = ET.fromstring(xml.content)
    got = [(res.find("r:binding[@name='org']/r:uri", ns).text, res.find("r:binding[@name='label']/r:literal", ns).text)
           for res in root.iterfind("r:results/r:result", ns)]
    assert got == expected

    c = httpx.get(f"{url}/sparql", params={"query": SELECT_ORGS}, headers={"Accept": "text/csv"})
    assert c.status_code == 200 and c.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(c.text)))
    assert rows[0] == ["org", "label"] and [tuple(r) for r in rows[1:]] == expected

    t = httpx.get(f"{url}/sparql", params={"query": SELECT_ORGS}, headers={"Accept": "text/tab-separated-values"})
    assert t.status_code == 200
    lines = t.text.rstrip("\n").split("\n")
    assert lines[0] == "?org\t?label"
    assert [tuple(x.split("\t")) for x in lines[1:]] == [(f"<{o}>", f'"{l}"@zh') for o, l in expected]


def test_ask(url):
    r = httpx.get(f"{url}/sparql", params={"query": "ASK { <https://w3id.org/jiukg/id/org/WIPO> ?p ?o }"},
                  headers={"Accept": SRJ})
    assert r.json() == {"head": {}, "boolean": True}
    r = httpx.get(f"{url}/sparql", params={"query": "ASK { <https://w3id.org/jiukg/id/org/NOPE> ?p ?o }"},
                  headers={"Accept": "application/sparql-results+xml"})
    assert b"<boolean>false</boolean>" in r.content


@pytest.mark.parametrize("media,fmt", [("text/turtle", "turtle"), ("application/n-triples", "nt"),
                                       ("application/ld+json", "json-ld"), ("application/rdf+xml", "xml"),
                                       ("application/trig", "trig"), ("application/n-quads", "nquads")])
def test_construct_formats(url, store, media, fmt):
    expected = store.query(CONSTRUCT_WIPO).graph()
    assert len(expected) >= 3  # en, zh, fr labels
    r = httpx.get(f"{url}/sparql", params={"query": CONSTRUCT_WIPO}, headers={"Accept": media})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith(media)
    assert isomorphic(triples_of(r.content, fmt), expected)


def test_406_for_what_cannot_be_served(url):
    r = httpx.get(f"{url}/sparql", params={"query": SELECT_ORGS}, headers={"Accept": "text/turtle"})
    assert r.status_code == 406 and "application/sparql-results+json" in r.text
    r = httpx.get(f"{url}/sparql", params={"query": CONSTRUCT_WIPO}, headers={"Accept": "text/csv"})
    assert r.status_code == 406
    r = httpx.get(f"{url}/sparql", params={"query": SELECT_ORGS}, headers={"Accept": "image/png"})
    assert r.status_code == 406
    r = httpx.get(f"{url}/sparql", headers={"Accept": "image/png"})
    assert r.status_code == 406


def test_malformed_query_gives_line_and_column(url):
    q = "SELECT ?s\nWHERE { ?s ?p }"
    r = httpx.get(f"{url}/sparql", params={"query": q})
    assert r.status_code == 400
    assert "line 2" in r.text and "column" in r.text, r.text


def test_updates_are_refused_and_change_nothing(url, store):
    before = store.count()
    r = httpx.post(f"{url}/sparql", data={"update": "DROP ALL"})
    assert r.status_code == 403 and "read-only" in r.text
    r = httpx.post(f"{url}/sparql", content=b"DROP ALL", headers={"Content-Type": "application/sparql-update"})
    assert r.status_code == 403
    for text in ("DROP ALL", "PREFIX x: <http://x/> INSERT DATA { x:a x:b x:c }", "CLEAR DEFAULT"):
        r = httpx.post(f"{url}/sparql", data={"query": text})
        assert r.status_code == 400 and "read-only" in r.text, text
    r = httpx.post(f"{url}/sparql", content=b"query=x", headers={"Content-Type": "text/plain"})
    assert r.status_code == 415
    assert store.count() == before


@pytest.mark.parametrize("text", [INJECTION, f'SELECT * WHERE {{ ?s ?p "{INJECTION}" }}',
                                  "SELECT * WHERE { ?s ?p ?o } ; DROP ALL ; #"])
def test_injection_text_is_data(url, store, text):
    before = store.count()
    for r in (httpx.get(f"{url}/sparql", params={"query": text}),
              httpx.post(f"{url}/sparql", data={"query": text, "default-graph-uri": INJECTION}),
              httpx.get(f"{url}/search", params={"q": text}),
              httpx.get(f"{url}/browse", params={"class": text}),
              httpx.get(f"{url}/dump", params={"format": text})):
        assert r.status_code < 500, (r.request.url, r.text)
    assert store.count() == before


def test_search_parameter_is_a_literal(url):
    r = httpx.get(f"{url}/search", params={"q": INJECTION}, headers={"Accept": "application/json"})
    assert r.status_code == 200 and r.json()["results"] == []
    r = httpx.get(f"{url}/search", params={"q": "产权组织"}, headers={"Accept": "application/json"})
    assert "https://w3id.org/jiukg/id/org/WIPO" in [h["iri"] for h in r.json()["results"]]
    r = httpx.get(f"{url}/search", params={"q": "intellectual property"}, headers={"Accept": "application/json"})
    assert "https://w3id.org/jiukg/id/org/WIPO" in [h["iri"] for h in r.json()["results"]]


def test_default_and_named_graph_uri(url, store):
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    r = httpx.get(f"{url}/sparql", params={"query": count, "default-graph-uri": str(REFERENCE_GRAPH)},
                  headers={"Accept": SRJ})
    assert int(r.json()["results"]["bindings"][0]["n"]["value"]) == store.count(REFERENCE_GRAPH)
    r = httpx.get(f"{url}/sparql", params={"query": count}, headers={"Accept": SRJ})
    assert int(r.json()["results"]["bindings"][0]["n"]["value"]) == store.count()
    graphs = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    r = httpx.post(f"{url}/sparql", data={"query": graphs, "named-graph-uri": str(ONTOLOGY_GRAPH)},
                   headers={"Accept": SRJ})
    assert [b["g"]["value"] for b in r.json()["results"]["bindings"]] == [str(ONTOLOGY_GRAPH)]


def test_service_description(url, store):
    r = httpx.get(f"{url}/sparql", headers={"Accept": "text/turtle"})
    assert r.status_code == 200
    g = Graph().parse(data=r.content, format="turtle")
    sd = "http://www.w3.org/ns/sparql-service-description#"
    ep = URIRef(f"{url}/sparql")
    assert (ep, URIRef(sd + "endpoint"), ep) in g
    assert (ep, URIRef(sd + "resultFormat"), URIRef("http://www.w3.org/ns/formats/SPARQL_Results_CSV")) in g
    assert {o for o in g.objects(None, URIRef(sd + "name"))} == set(store.graphs())
    r = httpx.get(f"{url}/sparql", headers={"Accept": "application/ld+json"})
    assert isomorphic(Graph().parse(data=r.content, format="json-ld"), g)


def test_sparqlwrapper(url, expected):
    from SPARQLWrapper import CSV, JSON, POST, XML, SPARQLWrapper

    w = SPARQLWrapper(f"{url}/sparql")
    w.setQuery(SELECT_ORGS)
    w.setReturnFormat(JSON)
    got = [(b["org"]["value"], b["label"]["value"]) for b in w.query().convert()["results"]["bindings"]]
    assert got == expected
    w.setReturnFormat(XML)
    doc = w.query().convert()  # a minidom document
    assert len(doc.getElementsByTagName("result")) == len(expected)
    w.setReturnFormat(CSV)
    rows = list(csv.reader(io.StringIO(w.query().convert().decode("utf-8"))))
    assert [tuple(r) for r in rows[1:]] == expected
    w.setMethod(POST)
    w.setReturnFormat(JSON)
    got = [(b["org"]["value"], b["label"]["value"]) for b in w.query().convert()["results"]["bindings"]]
    assert got == expected


def test_rdflib_sparqlstore(url, expected):
    from rdflib.plugins.stores.sparqlstore import SPARQLStore

    st = SPARQLStore(f"{url}/sparql", returnFormat="xml")
    g = Graph(store=st)
    rows = [(str(r.org), str(r.label)) for r in g.query(SELECT_ORGS)]
    assert rows == expected
    assert g.query("ASK { ?s ?p ?o }").askAnswer is True
    wipo = URIRef("https://w3id.org/jiukg/id/org/WIPO")
    labels = set(g.objects(wipo, URIRef("http://www.w3.org/2004/02/skos/core#prefLabel")))
    assert Literal("世界知识产权组织", lang="zh") in labels
    post = SPARQLStore(f"{url}/sparql", method="POST", returnFormat="json")
    assert len(list(Graph(store=post).query(SELECT_ORGS))) == len(expected)


EXPENSIVE = """SELECT (COUNT(*) AS ?n) WHERE {
  { SELECT ?a WHERE { ?a ?p ?b } LIMIT 450 }
  { SELECT ?c WHERE { ?c ?q ?d } LIMIT 450 }
  { SELECT ?e WHERE { ?e ?r ?f } LIMIT 450 } }"""


def test_timeout_while_others_are_served(store):
    timeout = 2.0
    with serve(store, query_timeout=timeout) as base:
        slow: dict = {}

        def run_slow():
            r = httpx.get(f"{base}/sparql", params={"query": EXPENSIVE}, headers={"Accept": SRJ}, timeout=60)
            slow.update(status=r.status_code, text=r.text)

        th = threading.Thread(target=run_slow)
        th.start()
        time.sleep(0.5)
        quick = httpx.get(f"{base}/sparql", params={"query": "SELECT ?s WHERE { ?s ?p ?o } LIMIT 1"},
                          headers={"Accept": SRJ}, timeout=30)
        slow_still_running = th.is_alive()  # the simple query was answered while the slow one ran
        th.join(60)
    assert quick.status_code == 200 and len(quick.json()["results"]["bindings"]) == 1
    assert slow_still_running
    assert slow["status"] in (503, 504), slow
    assert "limit" in slow["text"]  # stopped at its limit: unstopped, it would answer 200 (or hang: 60 s guard)


def test_service_is_refused_without_any_connection(url):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(5)
    listener.settimeout(1.5)
    port = listener.getsockname()[1]
    try:
        for q in (f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/> {{ ?s ?p ?o }} }}",
                  f"select * where {{ ?x ?y ?z . service silent <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}"):
            r = httpx.get(f"{url}/sparql", params={"query": q})
            assert r.status_code in (400, 403) and "SERVICE" in r.text, r.text
        with pytest.raises(socket.timeout):
            conn, _ = listener.accept()
            conn.close()
    finally:
        listener.close()


def test_keywords_inside_strings_are_not_refused(url):
    q = 'SELECT ?x WHERE { BIND("SERVICE and DROP ALL" AS ?x) } # LOAD <x>'
    r = httpx.get(f"{url}/sparql", params={"query": q}, headers={"Accept": SRJ})
    assert r.status_code == 200
    assert r.json()["results"]["bindings"][0]["x"]["value"] == "SERVICE and DROP ALL"


# --- SPARQL 1.1 Protocol: the RDF dataset of a request (section 2.1.4) ----------------------------------

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
GRAPHS = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"


@pytest.fixture(scope="module")
def dataset_url(store_backend):
    """The service over each store backend (embedded, Oxigraph server) holding the ontology and reference graphs."""
    from jiukg.ontology import ontology_graph, reference_graph

    st = store_backend()
    st.replace_graphs({ONTOLOGY_GRAPH: ontology_graph(), REFERENCE_GRAPH: reference_graph()})
    with serve(st) as base:
        yield base, {str(ONTOLOGY_GRAPH): st.count(ONTOLOGY_GRAPH), str(REFERENCE_GRAPH): st.count(REFERENCE_GRAPH)}


def _select(url, query, **params) -> list[dict]:
    r = httpx.post(f"{url}/sparql", data={"query": query, **params}, headers={"Accept": SRJ}, timeout=30)
    assert r.status_code == 200, r.text
    return [{k: v["value"] for k, v in b.items()} for b in r.json()["results"]["bindings"]]


def _count(url, query=COUNT, **params) -> int:
    return int(_select(url, query, **params)[0]["n"])


def _graphs(url, **params) -> dict[str, int]:
    return {row["g"]: int(row["n"]) for row in _select(url, GRAPHS, **params)}


def test_dataset_default_graph_uri_alone_has_no_named_graphs(dataset_url):
    url, sizes = dataset_url
    assert _count(url, **{"default-graph-uri": str(REFERENCE_GRAPH)}) == sizes[str(REFERENCE_GRAPH)]
    # with default-graph-uri alone the dataset is that default graph and nothing else
    assert _graphs(url, **{"default-graph-uri": str(REFERENCE_GRAPH)}) == {}


def test_dataset_named_graph_uri_alone_leaves_the_default_graph_empty(dataset_url):
    url, sizes = dataset_url
    assert _count(url, **{"named-graph-uri": str(ONTOLOGY_GRAPH)}) == 0
    assert _graphs(url, **{"named-graph-uri": str(ONTOLOGY_GRAPH)}) == {str(ONTOLOGY_GRAPH): sizes[str(ONTOLOGY_GRAPH)]}


def test_dataset_both_parameters(dataset_url):
    url, sizes = dataset_url
    params = {"default-graph-uri": str(REFERENCE_GRAPH), "named-graph-uri": str(ONTOLOGY_GRAPH)}
    assert _count(url, **params) == sizes[str(REFERENCE_GRAPH)]
    assert _graphs(url, **params) == {str(ONTOLOGY_GRAPH): sizes[str(ONTOLOGY_GRAPH)]}
    # the same through GET and through POST application/sparql-query with the parameters in the URL
    get = httpx.get(f"{url}/sparql", params={"query": COUNT, **params}, headers={"Accept": SRJ})
    direct = httpx.post(f"{url}/sparql", params=params, content=COUNT.encode(),
                        headers={"Content-Type": "application/sparql-query", "Accept": SRJ})
    for r in (get, direct):
        assert int(r.json()["results"]["bindings"][0]["n"]["value"]) == sizes[str(REFERENCE_GRAPH)]


def test_dataset_without_parameters_is_the_service_default(dataset_url):
    url, sizes = dataset_url
    assert _count(url) == sum(sizes.values())  # the union of the graphs (sd:UnionDefaultGraph)
    assert _graphs(url) == sizes


def test_dataset_from_in_the_query_text(dataset_url):
    url, sizes = dataset_url
    q = f"SELECT (COUNT(*) AS ?n) FROM <{ONTOLOGY_GRAPH}> WHERE {{ ?s ?p ?o }}"
    assert _count(url, q) == sizes[str(ONTOLOGY_GRAPH)]
    q = (f"SELECT ?g (COUNT(*) AS ?n) FROM NAMED <{REFERENCE_GRAPH}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }} "
         "GROUP BY ?g")
    assert {r["g"]: int(r["n"]) for r in _select(url, q)} == {str(REFERENCE_GRAPH): sizes[str(REFERENCE_GRAPH)]}


def test_dataset_protocol_parameters_win_over_from(dataset_url):
    url, sizes = dataset_url
    q = f"SELECT (COUNT(*) AS ?n) FROM <{ONTOLOGY_GRAPH}> WHERE {{ ?s ?p ?o }}"
    assert _count(url, q, **{"default-graph-uri": str(REFERENCE_GRAPH)}) == sizes[str(REFERENCE_GRAPH)]
    q = (f"SELECT ?g (COUNT(*) AS ?n) FROM NAMED <{REFERENCE_GRAPH}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }} "
         "GROUP BY ?g")
    got = {r["g"]: int(r["n"]) for r in _select(url, q, **{"named-graph-uri": str(ONTOLOGY_GRAPH)})}
    assert got == {str(ONTOLOGY_GRAPH): sizes[str(ONTOLOGY_GRAPH)]}


# --- media types -------------------------------------------------------------------------------

@pytest.mark.parametrize("media", ["application/xml", "text/xml"])
def test_plain_xml_gets_sparql_xml_results_and_rdf_xml(url, store, expected, media):
    r = httpx.get(f"{url}/sparql", params={"query": SELECT_ORGS}, headers={"Accept": media})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith(media)
    ns = {"r": "http://www.w3.org/2005/sparql-results#"}
    root = ET.fromstring(r.content)
    assert root.tag == "{http://www.w3.org/2005/sparql-results#}sparql"
    assert len(root.findall("r:results/r:result", ns)) == len(expected)
    r = httpx.get(f"{url}/sparql", params={"query": "ASK { ?s ?p ?o }"}, headers={"Accept": media})
    assert r.status_code == 200 and b"<boolean>true</boolean>" in r.content
    r = httpx.get(f"{url}/sparql", params={"query": CONSTRUCT_WIPO}, headers={"Accept": media})
    assert r.status_code == 200
    assert isomorphic(Graph().parse(data=r.content, format="xml"), store.query(CONSTRUCT_WIPO).graph())


def test_format_parameter_follows_the_query_form(url, store):
    expected = store.query(CONSTRUCT_WIPO).graph()
    r = httpx.get(f"{url}/sparql", params={"query": CONSTRUCT_WIPO, "format": "xml"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/rdf+xml")
    assert isomorphic(Graph().parse(data=r.content, format="xml"), expected)
    r = httpx.get(f"{url}/sparql", params={"query": CONSTRUCT_WIPO, "format": "json"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/ld+json")
    assert isomorphic(Graph().parse(data=r.content, format="json-ld"), expected)
    r = httpx.get(f"{url}/sparql", params={"query": SELECT_ORGS, "format": "xml"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/sparql-results+xml")
    r = httpx.get(f"{url}/sparql", params={"query": SELECT_ORGS, "format": "ttl"})
    assert r.status_code == 406


DESCRIBE_WIPO = "DESCRIBE <https://w3id.org/jiukg/id/org/WIPO>"


@pytest.mark.parametrize("media,fmt", [("text/turtle", "turtle"), ("application/n-triples", "nt"),
                                       ("application/ld+json", "json-ld"), ("application/rdf+xml", "xml"),
                                       ("application/trig", "trig"), ("application/n-quads", "nquads")])
def test_describe_formats(url, store, media, fmt):
    expected = store.query(DESCRIBE_WIPO).graph()
    assert (URIRef("https://w3id.org/jiukg/id/org/WIPO"), None, None) in expected
    r = httpx.post(f"{url}/sparql", data={"query": DESCRIBE_WIPO}, headers={"Accept": media})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith(media)
    assert isomorphic(triples_of(r.content, fmt), expected)


@pytest.mark.parametrize("query,answer", [("ASK { <https://w3id.org/jiukg/id/org/WIPO> ?p ?o }", "true"),
                                          ("ASK { <https://w3id.org/jiukg/id/org/NOPE> ?p ?o }", "false")])
def test_ask_csv_and_tsv(url, query, answer):
    c = httpx.get(f"{url}/sparql", params={"query": query}, headers={"Accept": "text/csv"})
    assert c.status_code == 200 and c.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(c.text)))
    assert len(rows) == 2 and rows[1] == [answer]
    t = httpx.get(f"{url}/sparql", params={"query": query}, headers={"Accept": "text/tab-separated-values"})
    assert t.status_code == 200 and t.headers["content-type"].startswith("text/tab-separated-values")
    lines = t.text.rstrip("\n").split("\n")
    assert len(lines) == 2 and lines[1] == answer


def test_service_description_binds_sd(url):
    r = httpx.get(f"{url}/sparql", headers={"Accept": "text/turtle"})
    assert "@prefix sd: <http://www.w3.org/ns/sparql-service-description#>" in r.text
    assert "ns1:" not in r.text and "sd:Service" in r.text
    html = httpx.get(f"{url}/sparql", headers={"Accept": "text/html"}).text
    assert "sd:endpoint" in html and "ns1:" not in html


def test_head_on_sparql(url):
    for path, accept in (("/sparql", "text/turtle"), ("/sparql?query=ASK%7B%7D", SRJ)):
        get = httpx.get(url + path, headers={"Accept": accept})
        head = httpx.head(url + path, headers={"Accept": accept})
        assert head.status_code == get.status_code == 200
        assert head.content == b""
        assert head.headers["content-type"] == get.headers["content-type"]
        assert head.headers["content-length"] == get.headers["content-length"] != "0"


def test_pages_answer_while_every_user_worker_runs_a_slow_query(tmp_path):
    """Slow /sparql queries fill the user lane; linked-data pages and the catalogue go through the
    internal lane and answer while they run."""
    from jiukg.namespaces import ONTOLOGY_GRAPH, REFERENCE_GRAPH
    from jiukg.ontology import ontology_graph, reference_graph
    from jiukg.store import open_store

    st = open_store(str(tmp_path / "store"), query_workers=1, internal_workers=1)
    st.replace_graphs({ONTOLOGY_GRAPH: ontology_graph(), REFERENCE_GRAPH: reference_graph()})
    try:
        with serve(st, query_timeout=4.0) as base:
            slow: list = []
            threads = [threading.Thread(target=lambda: slow.append(httpx.get(
                f"{base}/sparql", params={"query": EXPENSIVE}, headers={"Accept": SRJ}, timeout=60)))
                for _ in range(2)]  # one runs, one waits for the only user worker
            for th in threads:
                th.start()
            time.sleep(0.5)
            page = httpx.get(f"{base}/id/org/WIPO", headers={"Accept": "text/turtle"}, timeout=30)
            listing = httpx.get(f"{base}/queries/mechanisms", params={"format": "csv"}, timeout=30)
            still_running = any(th.is_alive() for th in threads)
            for th in threads:
                th.join(60)
    finally:
        st.close()
    assert page.status_code == 200 and "世界知识产权组织" in page.text
    assert listing.status_code == 200 and listing.text.startswith("mechanism")
    assert still_running
    assert sorted(r.status_code for r in slow) == [503, 503]
