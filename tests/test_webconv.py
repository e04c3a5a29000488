"""The web's conventions on a real server (uvicorn on a loopback port, real HTTP client): CORS,
validators and 304 keyed on the store's writes, compression, Allow, the query's base IRI, one
triple count; and sitemap.xml, robots.txt, /.well-known/void."""

from __future__ import annotations

import gzip
import xml.etree.ElementTree as ET
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

import httpx
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD

from jiukg.config import Settings
from jiukg.namespaces import BASE, VOID
from tests._service_server import serve, static_store

TOKEN = "test-write-token"
ORIGIN = "https://yasgui.example.org"
DOC = """@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<https://w3id.org/jiukg/id/test/thing> rdfs:label "a thing"@en .
"""


@pytest.fixture
def server(tmp_path):
    st = static_store(tmp_path / "store")
    with serve(st, settings=Settings(write_token=TOKEN)) as url:
        yield url
    st.close()


# --- CORS -----------------------------------------------------------------------------------

def test_cors_preflight_on_sparql_answers_for_any_origin(server):
    r = httpx.options(f"{server}/sparql", headers={
        "Origin": ORIGIN, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type, accept"})
    assert r.status_code in (200, 204)
    assert r.headers["access-control-allow-origin"] == "*"
    assert {"GET", "POST"} <= {m.strip() for m in r.headers["access-control-allow-methods"].split(",")}
    assert "content-type" in r.headers["access-control-allow-headers"].lower()
    # the query itself, as a browser on another site sends it
    q = httpx.post(f"{server}/sparql", content="ASK { ?s ?p ?o }", headers={
        "Origin": ORIGIN, "Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"})
    assert q.status_code == 200 and q.json()["boolean"] is True
    assert q.headers["access-control-allow-origin"] == "*"
    assert "etag" in q.headers["access-control-expose-headers"].lower()


@pytest.mark.parametrize("path", ["/id/org/WIPO", "/dataset", "/dump", "/queries", "/ontology"])
def test_read_routes_are_open_to_other_sites(server, path):
    r = httpx.get(server + path, headers={"Origin": ORIGIN, "Accept": "text/turtle"})
    assert r.headers.get("access-control-allow-origin") == "*", (path, r.status_code)


def test_write_routes_get_no_cors_unless_configured(server):
    pre = httpx.options(f"{server}/data", headers={"Origin": ORIGIN, "Access-Control-Request-Method": "POST",
                                                   "Access-Control-Request-Headers": "authorization"})
    assert "access-control-allow-origin" not in pre.headers
    r = httpx.post(f"{server}/data", content=DOC, headers={"Origin": ORIGIN, "Content-Type": "text/turtle"})
    assert r.status_code == 401 and "access-control-allow-origin" not in r.headers


def test_configured_origins_and_max_age(tmp_path):
    st = static_store(tmp_path / "store")
    settings = Settings(write_token=TOKEN, cors_origins="https://a.example", cors_write_origins="https://a.example",
                        cache_max_age=120)
    with serve(st, settings=settings) as url:
        ok = httpx.options(f"{url}/sparql", headers={"Origin": "https://a.example",
                                                     "Access-Control-Request-Method": "GET"})
        assert ok.headers["access-control-allow-origin"] == "https://a.example"
        other = httpx.options(f"{url}/sparql", headers={"Origin": "https://b.example",
                                                        "Access-Control-Request-Method": "GET"})
        assert other.status_code == 400 and "access-control-allow-origin" not in other.headers
        write = httpx.options(f"{url}/data", headers={"Origin": "https://a.example",
                                                      "Access-Control-Request-Method": "POST",
                                                      "Access-Control-Request-Headers": "authorization, content-type"})
        assert write.headers["access-control-allow-origin"] == "https://a.example"
        assert httpx.get(f"{url}/dataset").headers["cache-control"] == "public, max-age=120"
    st.close()


# --- validators and 304 -----------------------------------------------------------------------

def test_if_none_match_gets_304_until_a_write_changes_the_store(server):
    targets = [("/dataset", {"Accept": "text/turtle"}),
               ("/sparql?query=" + httpx.QueryParams({"q": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"})["q"],
                {"Accept": "application/sparql-results+json"}),
               ("/id/test/thing", {"Accept": "text/turtle"})]
    first = {}
    for path, headers in targets:
        r = httpx.get(server + path, headers=headers)
        first[path] = r
        if r.status_code != 200:
            continue
        assert r.headers["etag"] and r.headers["last-modified"] and "no-cache" in r.headers["cache-control"]
        for _ in range(3):
            again = httpx.get(server + path, headers={**headers, "If-None-Match": r.headers["etag"]})
            assert again.status_code == 304 and again.content == b""
            assert again.headers["etag"] == r.headers["etag"]
        ims = httpx.get(server + path, headers={**headers, "If-Modified-Since": r.headers["last-modified"]})
        assert ims.status_code == 304
    # another variant of the same path is another representation: another ETag
    other = httpx.get(f"{server}/dataset", headers={"Accept": "application/ld+json"})
    assert other.headers["etag"] != first["/dataset"].headers["etag"]

    w = httpx.post(f"{server}/data", params={"name": "thing.ttl"}, content=DOC,
                   headers={"Content-Type": "text/turtle", "Authorization": f"Bearer {TOKEN}"}, timeout=60)
    assert w.status_code == 200, w.text

    for path, headers in targets:
        before = first[path]
        etag = before.headers.get("etag", 'W/"none"')
        after = httpx.get(server + path, headers={**headers, "If-None-Match": etag})
        assert after.status_code == 200, path
        assert after.headers["etag"] != etag and after.content != before.content
        if "last-modified" in before.headers:
            ims = httpx.get(server + path, headers={**headers, "If-Modified-Since": before.headers["last-modified"]})
            assert ims.status_code == 200, path
        assert httpx.get(server + path, headers={**headers, "If-None-Match": after.headers["etag"]}).status_code == 304


def test_a_refused_write_leaves_validators_valid_or_changed_never_wrong(server):
    r = httpx.get(f"{server}/dataset", headers={"Accept": "text/turtle"})
    bad = httpx.post(f"{server}/data", content=b"not turtle {", timeout=60,
                     headers={"Content-Type": "text/turtle", "Authorization": f"Bearer {TOKEN}"})
    assert bad.status_code == 422
    again = httpx.get(f"{server}/dataset", headers={"Accept": "text/turtle", "If-None-Match": r.headers["etag"]})
    assert again.status_code == 304  # nothing was written, so the old answer still holds


# --- compression ----------------------------------------------------------------------------------

def _raw(url, headers) -> tuple[httpx.Response, bytes]:
    with httpx.Client(timeout=60) as c, c.stream("GET", url, headers=headers) as r:
        return r, b"".join(r.iter_raw())


def test_the_large_dump_is_compressed_when_asked(built_store):
    with serve(built_store) as url:
        plain, plain_bytes = _raw(f"{url}/dump", {"Accept-Encoding": "identity"})
        packed, packed_bytes = _raw(f"{url}/dump", {"Accept-Encoding": "gzip"})
    assert plain.status_code == packed.status_code == 200
    assert "content-encoding" not in plain.headers
    assert len(plain_bytes) > 1_000_000, "the corpus dump is the large answer this test is about"
    assert packed.headers["content-encoding"] == "gzip" and "accept-encoding" in packed.headers["vary"].lower()
    assert gzip.decompress(packed_bytes) == plain_bytes
    assert len(packed_bytes) < len(plain_bytes) / 4


def test_small_answers_are_not_compressed(server):
    r, raw = _raw(f"{server}/healthz", {"Accept-Encoding": "gzip"})
    assert "content-encoding" not in r.headers and raw == b"ok\n"


# --- Allow, OPTIONS, base IRI -----------------------------------------------------------------------

def test_405_lists_every_method_the_path_takes(server):
    r = httpx.put(f"{server}/sparql", content="x")
    assert r.status_code == 405
    assert [m.strip() for m in r.headers["allow"].split(",")] == ["GET", "HEAD", "POST", "OPTIONS"]
    r = httpx.get(f"{server}/data")
    assert r.status_code == 405 and [m.strip() for m in r.headers["allow"].split(",")] == ["POST", "DELETE", "OPTIONS"]
    o = httpx.options(f"{server}/sparql")
    assert o.status_code == 204 and "POST" in o.headers["allow"]


def test_relative_iris_in_a_query_resolve_against_the_endpoint(server):
    r = httpx.get(f"{server}/sparql", params={"query": "SELECT ?x ?y WHERE { BIND(<thing> AS ?x) BIND(<../y#z> AS ?y) }"},
                  headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 200, r.text
    row = r.json()["results"]["bindings"][0]
    assert row["x"]["value"] == f"{server}/thing"
    assert row["y"]["value"] == f"{server}/y#z"
    own = httpx.get(f"{server}/sparql", params={"query": "BASE <http://example.org/a/> SELECT ?x WHERE { BIND(<b> AS ?x) }"},
                    headers={"Accept": "application/sparql-results+json"})
    assert own.json()["results"]["bindings"][0]["x"]["value"] == "http://example.org/a/b"
    bad = httpx.get(f"{server}/sparql", params={"query": "SELECT ?x WHERE {\n  ?x ?y }"})
    assert bad.status_code == 400 and "line 2" in bad.text  # positions are in the text as sent


# --- one triple count ------------------------------------------------------------------------

def test_the_dataset_counts_a_triple_held_by_two_graphs_once(tmp_path):
    st = static_store(tmp_path / "store")
    t = (URIRef(BASE + "id/test/a"), URIRef("http://www.w3.org/2000/01/rdf-schema#label"), Literal("a"))
    st.replace_graphs({URIRef(BASE + "graph/test/one"): [t], URIRef(BASE + "graph/test/two"): [t]})
    quads = st.count()
    with serve(st) as url:
        union = httpx.get(f"{url}/sparql", params={"query": "SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o }"},
                          headers={"Accept": "application/sparql-results+json"}).json()
        distinct = len(union["results"]["bindings"])
        assert distinct == quads - 1
        g = Graph().parse(data=httpx.get(f"{url}/dataset", headers={"Accept": "text/turtle"}).text, format="turtle")
        ds = URIRef(BASE + "dataset")
        assert g.value(ds, VOID.triples) == Literal(distinct, datatype=XSD.integer)
        sd = Graph().parse(data=httpx.get(f"{url}/sparql", headers={"Accept": "text/turtle"}).text, format="turtle")
        assert set(sd.objects(None, VOID.triples)) == {Literal(distinct, datatype=XSD.integer)}
    st.close()


# --- sitemap, robots, well-known -------------------------------------------------------------------

def test_sitemap_robots_and_well_known_void(server):
    sm = httpx.get(f"{server}/sitemap.xml")
    assert sm.status_code == 200 and sm.headers["content-type"].startswith("application/xml")
    locs = [e.text for e in ET.fromstring(sm.content).iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert f"{server}/" in locs and f"{server}/id/org/WIPO" in locs and f"{server}/ontology" in locs
    assert len(locs) == len(set(locs))
    assert httpx.get(locs[-1], headers={"Accept": "text/html"}).status_code == 200

    robots = httpx.get(f"{server}/robots.txt").text
    assert "Disallow: /sparql" in robots and f"Sitemap: {server}/sitemap.xml" in robots

    void = httpx.get(f"{server}/.well-known/void")
    assert void.status_code == 200 and void.headers["content-type"].startswith("text/turtle")
    g = Graph().parse(data=void.text, format="turtle")
    assert (URIRef(BASE + "dataset"), RDF.type, VOID.Dataset) in g


def test_head_keeps_the_validators(server):
    g = httpx.get(f"{server}/dataset", headers={"Accept": "text/turtle"})
    h = httpx.head(f"{server}/dataset", headers={"Accept": "text/turtle"})
    assert h.status_code == 200 and h.content == b"" and h.headers["etag"] == g.headers["etag"]


# --- a remote store: base IRI, and writes by another replica ----------------------------------------

@pytest.mark.remote
def test_remote_store_base_iri_and_another_replicas_write(oxigraph_server, tmp_path):
    """Relative IRIs resolve against jiukg's URL, not the Oxigraph server's; a write made through
    another jiukg (another replica on the same server) changes this one's ETags too, through the
    graph catalogue both record their writes in."""
    from jiukg import pipeline
    from jiukg.namespaces import ONTOLOGY_GRAPH, REFERENCE_GRAPH
    from jiukg.ontology import ontology_graph, reference_graph
    from jiukg.store import open_store
    from servers import empty_remote

    empty_remote(oxigraph_server).close()
    options = {**oxigraph_server.store_options(), "graph_cache_seconds": 0}
    mine = open_store(oxigraph_server.query_url, **options)
    other = open_store(oxigraph_server.query_url, **options)
    try:
        pipeline.commit(mine, [], extra={ONTOLOGY_GRAPH: ontology_graph(), REFERENCE_GRAPH: reference_graph()},
                        validate=False)
        with serve(mine) as url:
            r = httpx.get(f"{url}/sparql", params={"query": "SELECT ?x WHERE { BIND(<rel> AS ?x) }"},
                          headers={"Accept": "application/sparql-results+json"})
            assert r.json()["results"]["bindings"][0]["x"]["value"] == f"{url}/rel"
            bad = httpx.get(f"{url}/sparql", params={"query": "SELECT ?x WHERE {\n ?x }"})
            assert bad.status_code == 400 and "line 2" in bad.text

            first = httpx.get(f"{url}/dataset", headers={"Accept": "text/turtle"})
            etag = first.headers["etag"]
            assert httpx.get(f"{url}/dataset", headers={"Accept": "text/turtle",
                                                        "If-None-Match": etag}).status_code == 304
            doc = tmp_path / "thing.ttl"
            doc.write_text(DOC, encoding="utf-8")
            pipeline.load(other, [doc])  # the other replica's write: this one's client never saw it
            after = httpx.get(f"{url}/dataset", headers={"Accept": "text/turtle", "If-None-Match": etag})
            assert after.status_code == 200 and after.headers["etag"] != etag
    finally:
        empty_remote(oxigraph_server).close()
        mine.close()
        other.close()


def test_streamed_answers_are_compressed_too(tmp_path):
    """No route streams today (the dump is built whole), so a streaming route is added to the real
    app here: its chunks, sent as they come, arrive compressed and decompress to the same bytes."""
    import threading

    import uvicorn
    from fastapi.responses import StreamingResponse

    from service.app import create_app
    from tests._service_server import free_port

    chunks = [(f"<https://w3id.org/jiukg/id/x{i}> <http://www.w3.org/2000/01/rdf-schema#label> \"{i}\" .\n" * 200)
              .encode() for i in range(20)]
    st = static_store(tmp_path / "store")
    app = create_app(st)
    app.add_api_route("/dump-stream-test", lambda: StreamingResponse(iter(chunks), media_type="application/n-triples"))
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        while not server.started:
            assert thread.is_alive()
            thread.join(0.05)
        r, raw = _raw(f"http://127.0.0.1:{port}/dump-stream-test", {"Accept-Encoding": "gzip"})
        assert r.headers["content-encoding"] == "gzip" and "content-length" not in r.headers
        assert gzip.decompress(raw) == b"".join(chunks) and len(raw) < len(b"".join(chunks)) / 4
    finally:
        server.should_exit = True
        thread.join(10)
        st.close()


def test_a_query_that_differs_on_every_run_gets_no_validator(server):
    r = httpx.get(f"{server}/sparql", params={"query": "SELECT (STRUUID() AS ?u) WHERE {}"},
                  headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 200 and "etag" not in r.headers and "last-modified" not in r.headers
    again = httpx.get(f"{server}/sparql", params={"query": "SELECT (STRUUID() AS ?u) WHERE {}"},
                      headers={"Accept": "application/sparql-results+json", "If-None-Match": "*"})
    assert again.status_code == 200 and again.json() != r.json()


def test_catalogue_answers_depend_on_the_day_too(server):
    r = httpx.get(f"{server}/queries/past-deadline", headers={"Accept": "text/csv"})
    assert r.status_code == 200, r.text
    midnight = datetime.now(timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0)
    assert parsedate_to_datetime(r.headers["last-modified"]) >= midnight
