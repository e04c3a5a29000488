"""Linked data, the ontology documentation, the dataset description, dumps and the home page."""

from __future__ import annotations

import re
from urllib.parse import quote

import httpx
import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF, RDFS, SKOS

from _service_server import serve, static_store
from jiukg.namespaces import JIU, VOID, org_iri, rec_iri
from jiukg.ontology import ontology_graph

WIPO = "https://w3id.org/jiukg/id/org/WIPO"
CC_BY = URIRef("https://creativecommons.org/licenses/by/4.0/")


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    st = static_store(tmp_path_factory.mktemp("ld") / "store")
    yield st
    st.close()


@pytest.fixture(scope="module")
def url(store):
    with serve(store) as base:
        yield base


def test_resource_html_in_both_languages(url):
    en = httpx.get(f"{url}/id/org/WIPO", headers={"Accept": "text/html", "Accept-Language": "en"})
    assert en.status_code == 200 and en.headers["content-type"].startswith("text/html")
    assert "<h1>World Intellectual Property Organization</h1>" in en.text
    zh = httpx.get(f"{url}/id/org/WIPO", headers={"Accept": "text/html", "Accept-Language": "zh-CN,zh;q=0.9"})
    assert "<h1>世界知识产权组织</h1>" in zh.text
    assert "<h1>世界知识产权组织</h1>" in httpx.get(f"{url}/id/org/WIPO?lang=zh", headers={"Accept": "text/html"}).text
    # the class is a link to the ontology documentation, on this service
    assert 'href="/ontology#ParticipatingOrganization"' in en.text


@pytest.mark.parametrize("media,fmt", [("text/turtle", "turtle"), ("application/ld+json", "json-ld"),
                                       ("application/n-triples", "nt"), ("application/rdf+xml", "xml")])
def test_resource_rdf(url, store, media, fmt):
    r = httpx.get(f"{url}/id/org/WIPO", headers={"Accept": media})
    assert r.status_code == 200 and r.headers["content-type"].startswith(media)
    g = Graph().parse(data=r.content, format=fmt)
    own = {(p, o) for p, o in ((row["p"], row["o"]) for row in store.query(f"SELECT ?p ?o WHERE {{ <{WIPO}> ?p ?o }}").rows)}
    assert {(p, o) for p, o in g.predicate_objects(URIRef(WIPO))} == own
    # labels of linked resources come along (the class it belongs to)
    assert (JIU.ParticipatingOrganization, RDFS.label, Literal("JIU participating organization", lang="en")) in g


def test_jsonld_uses_published_context(url):
    ctx = httpx.get(f"{url}/context.jsonld").json()["@context"]
    assert ctx["jiu"] == str(JIU)
    doc = httpx.get(f"{url}/id/org/WIPO", headers={"Accept": "application/ld+json"}).json()
    assert doc["@context"] == ctx


def test_unknown_and_unservable(url):
    assert httpx.get(f"{url}/id/org/NOPE", headers={"Accept": "text/html"}).status_code == 404
    r = httpx.get(f"{url}/id/org/NOPE", headers={"Accept": "text/turtle"})
    assert r.status_code == 404 and "NOPE" in r.text
    assert httpx.get(f"{url}/id/org/WIPO", headers={"Accept": "image/png"}).status_code == 406
    assert httpx.get(f"{url}/id/org/WIPO?format=docx").status_code == 406


def test_vocabulary_and_ontology_resolve(url):
    r = httpx.get(f"{url}/vocab/acceptance/accepted", headers={"Accept": "text/turtle"})
    g = Graph().parse(data=r.content, format="turtle")
    concept = URIRef("https://w3id.org/jiukg/vocab/acceptance/accepted")
    assert (concept, RDF.type, SKOS.Concept) in g
    assert httpx.get(f"{url}/vocab/acceptance", headers={"Accept": "text/html"}).status_code == 200
    r = httpx.get(f"{url}/ontology", headers={"Accept": "text/turtle"})
    assert isomorphic(Graph().parse(data=r.content, format="turtle"), ontology_graph())


def test_ontology_documentation(url):
    html = httpx.get(f"{url}/ontology", headers={"Accept": "text/html"}).text
    onto = ontology_graph()
    classes = [c for c in onto.subjects(RDF.type, URIRef("http://www.w3.org/2002/07/owl#Class"))
               if str(c).startswith(str(JIU))]
    assert len(classes) > 10
    for c in classes:
        name = str(c).split("#")[1]
        assert f'id="{name}"' in html, name
        for lab in onto.objects(c, RDFS.label):
            assert str(lab) in html
    # the shapes that target a class are shown with it, when there are shapes
    from jiukg.paths import SHAPES_DIR

    if any(SHAPES_DIR.glob("*.ttl")):
        assert "sh:" in html or "shape" in html.lower()


def test_dataset_description_and_dumps(url, store, tmp_path):
    r = httpx.get(f"{url}/dataset", headers={"Accept": "text/turtle"})
    g = Graph().parse(data=r.content, format="turtle")
    ds = URIRef("https://w3id.org/jiukg/dataset")
    assert int(g.value(ds, VOID.triples)) == store.count()
    assert (ds, URIRef("http://purl.org/dc/terms/license"), CC_BY) in g
    assert (ds, VOID.sparqlEndpoint, URIRef(f"{url}/sparql")) in g
    dumps = {str(u) for u in g.objects(ds, VOID.dataDump)}
    assert f"{url}/dump?format=nquads" in dumps and len(dumps) >= 3
    partitions = {g.value(p, VOID["class"]): int(g.value(p, VOID.entities)) for p in g.objects(ds, VOID.classPartition)}
    n_orgs = len(store.query("SELECT DISTINCT ?o WHERE { ?o a <https://w3id.org/jiukg/ontology#ParticipatingOrganization> }").rows)
    assert partitions[JIU.ParticipatingOrganization] == n_orgs
    html = httpx.get(f"{url}/dataset", headers={"Accept": "text/html"}).text
    assert "CC BY 4.0" in html and "/dump?format=nquads" in html

    nq = httpx.get(f"{url}/dump?format=nquads")
    assert nq.headers["content-type"].startswith("application/n-quads")
    fresh = ox.Store()
    fresh.load(nq.content, format=ox.RdfFormat.N_QUADS)
    assert len(fresh) == store.count()
    ttl = httpx.get(f"{url}/dump", headers={"Accept": "text/turtle"})
    distinct = len(store.query("SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o }").rows)
    assert len(Graph().parse(data=ttl.content, format="turtle")) == distinct
    jl = httpx.get(f"{url}/dump?format=jsonld")
    assert len(Graph().parse(data=jl.content, format="json-ld")) == distinct


def test_home_page_works_offline(url, store):
    r = httpx.get(f"{url}/", headers={"Accept": "text/html"})
    assert r.status_code == 200
    html = r.text
    # nothing is fetched from another host: every script and stylesheet is ours
    refs = [r for r in re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', html) if not r.startswith("data:")]
    assert len(refs) >= 4  # our stylesheet and script, YASGUI's
    for ref in refs:
        assert ref.startswith("/") or ref.startswith(url), ref
        assert httpx.get(ref if ref.startswith("http") else url + ref).status_code == 200, ref
    assert 'href="/validate?lang=en"' in html and 'href="/queries?lang=en"' in html  # lang kept on links
    assert str(store.count()) in html
    assert "ParticipatingOrganization" in html
    lic = httpx.get(f"{url}/static/vendor/yasgui/LICENSE")
    assert lic.status_code == 200 and "MIT" in lic.text
    assert httpx.get(f"{url}/docs").status_code == 200
    assert httpx.get(f"{url}/openapi.json").json()["paths"]["/sparql"]


def test_browse_by_class(url):
    r = httpx.get(f"{url}/browse", params={"class": str(JIU.ParticipatingOrganization)}, headers={"Accept": "text/html"})
    assert r.status_code == 200 and 'href="/id/org/WIPO"' in r.text
    assert httpx.get(f"{url}/browse", params={"class": "not an iri>"}).status_code == 400


# --- against the built corpus (the loaders' output) -------------------------------------

REC = "https://w3id.org/jiukg/id/doc/JIU/REP/2024/4/rec/2"


@pytest.fixture(scope="module")
def built_url(built_store):
    with serve(built_store) as base:
        yield base


def test_recommendation_page(built_url, built_store):
    assert str(rec_iri("JIU/REP/2024/4", 2)) == REC
    texts = [str(r["t"]) for r in built_store.query(
        f"SELECT ?t WHERE {{ <{REC}> <{JIU.recommendationText}> ?t }}").rows]
    comments = [str(r["t"]) for r in built_store.query(
        f"SELECT ?t WHERE {{ ?c <{JIU.commentOn}> <{REC}> ; <{JIU.commentText}> ?t }}").rows]
    wipo_status = built_store.query(f"""SELECT ?st ?acc WHERE {{ ?st <{JIU.aboutRecommendation}> <{REC}> ;
        <{JIU.reportingOrganization}> <{org_iri('WIPO')}> . OPTIONAL {{ ?st <{JIU.acceptance}> ?acc }} }}""").rows
    assert texts and comments and wipo_status

    html = httpx.get(f"{built_url}/id/doc/JIU/REP/2024/4/rec/2", headers={"Accept": "text/html"}).text
    assert texts[0] in html
    assert all(c in html for c in comments)
    assert "World Intellectual Property Organization" in html or "WIPO" in html
    assert html.count('class="passage"') >= 1

    r = httpx.get(f"{built_url}/id/doc/JIU/REP/2024/4/rec/2", headers={"Accept": "text/turtle"})
    g = Graph().parse(data=r.content, format="turtle")
    rec = URIRef(REC)
    assert {str(t) for t in g.objects(rec, JIU.recommendationText)} == set(texts)
    statuses = set(g.subjects(JIU.aboutRecommendation, rec))
    assert any((s, JIU.reportingOrganization, org_iri("WIPO")) in g for s in statuses)
    assert any(g.value(s, JIU.acceptance) is not None for s in statuses)
    assert {str(t) for c in g.subjects(JIU.commentOn, rec) for t in g.objects(c, JIU.commentText)} == set(comments)


def test_first_run_builds_an_empty_store(tmp_path):
    from jiukg.store import open_store
    from service.app import ensure_built

    with open_store(str(tmp_path / "fresh")) as st:
        assert st.count() == 0
        ensure_built(st)
        assert st.count() > 1000
        n = st.count()
        ensure_built(st)  # a second start does not rebuild
        assert st.count() == n


# --- HEAD, CORS, the API docs, the class index ------------------------------------------------------

#: an example request for every GET route the app has (the test fails when a route is added without one)
GET_EXAMPLES = {
    "/": "/", "/examples.json": "/examples.json", "/search": "/search?q=WIPO", "/browse": "/browse",
    "/id/{path}": "/id/org/WIPO", "/vocab/{path}": "/vocab/acceptance/accepted", "/graph/{path}": "/graph/reference",
    "/context.jsonld": "/context.jsonld", "/ontology": "/ontology", "/ontology/{version}": "/ontology/0.1.0",
    "/shapes": "/shapes", "/dataset": "/dataset", "/dump": "/dump", "/queries": "/queries",
    "/queries/{name}": "/queries/ceb-deferrals?org=WIPO", "/validate": "/validate", "/sparql": "/sparql",
    "/store": "/store?graph=https%3A%2F%2Fw3id.org%2Fjiukg%2Fgraph%2Freference", "/store/{path}": "/store/reference",
    "/releases/": "/releases/", "/releases/{version}/": "/releases/2026-01-01/",
    "/releases/{version}/{name}": "/releases/2026-01-01/dcat.ttl", "/sitemap.xml": "/sitemap.xml",
    "/robots.txt": "/robots.txt", "/.well-known/void": "/.well-known/void",
    "/template": "/template?org=WIPO&report=JIU/REP/2024/4",
}
NOT_IN_SCHEMA = ["/docs", "/openapi.json", "/healthz", "/static/app.css", "/static/vendor/swagger-ui/swagger-ui.css",
                 "/id/org/NOPE", "/sparql?query=ASK%7B%7D"]
VARYING = {"/validate"}  # the report says how long validation took


def test_head_answers_like_get_on_every_get_route(url, store):
    from service.app import create_app

    paths = create_app(store).openapi()["paths"]
    gets = {p for p, ops in paths.items() if "get" in ops}
    assert gets == set(GET_EXAMPLES), gets ^ set(GET_EXAMPLES)
    for path in list(GET_EXAMPLES.values()) + NOT_IN_SCHEMA:
        for accept in ("text/html", "text/turtle", "*/*"):
            get = httpx.get(url + path, headers={"Accept": accept})
            head = httpx.head(url + path, headers={"Accept": accept})
            assert head.status_code == get.status_code != 405, (path, accept, head.status_code, get.status_code)
            assert head.content == b""
            # transfer-encoding is framing: the server chunks a compressed file for GET and sends no body for HEAD
            skip = {"date", "content-length", "transfer-encoding"} if path in VARYING else {"date", "transfer-encoding"}
            # the Content-Security-Policy's nonce is new on every answer
            same = lambda h: {k: re.sub(r"'nonce-[^']+'", "'nonce'", v) for k, v in h.items() if k not in skip}  # noqa: E731
            assert same(head.headers) == same(get.headers), (path, accept)
    plain = {"Accept-Encoding": "identity"}  # the length of the content itself, not of its gzip
    assert int(httpx.head(f"{url}/dump", headers=plain).headers["content-length"]) == \
        len(httpx.get(f"{url}/dump", headers=plain).content)


def test_head_is_not_get_for_post_only_routes(url):
    r = httpx.head(f"{url}/data")
    assert r.status_code == 405 and "POST" in r.headers["allow"]


def test_read_routes_are_open_to_other_origins_and_pages_and_writes_are_not(url):
    """Issue 13: CORS on the read routes (configurable, any origin by default); the web pages
    and the write routes stay closed (tests/test_webconv.py covers configured origins)."""
    origin = {"Origin": "https://example.org"}
    r = httpx.get(f"{url}/context.jsonld", headers=origin)
    assert r.status_code == 200 and r.headers["access-control-allow-origin"] == "*"
    pre = httpx.options(f"{url}/context.jsonld", headers={**origin, "Access-Control-Request-Method": "GET",
                                                          "Access-Control-Request-Headers": "accept"})
    assert pre.status_code in (200, 204) and pre.headers["access-control-allow-origin"] == "*"
    assert "GET" in pre.headers["access-control-allow-methods"]
    for path in ("/dump", "/sparql?query=ASK%7B%7D", "/id/org/WIPO", "/dataset", "/queries"):
        r = httpx.get(url + path, headers=origin)
        assert r.status_code == 200 and r.headers.get("access-control-allow-origin") == "*", path
    for path in ("/", "/validate", "/search?q=WIPO"):
        r = httpx.get(url + path, headers=origin)
        assert r.status_code == 200 and "access-control-allow-origin" not in r.headers, path
    pre = httpx.options(f"{url}/data", headers={**origin, "Access-Control-Request-Method": "POST"})
    assert "access-control-allow-origin" not in pre.headers


def test_api_docs_are_served_by_the_service(url):
    r = httpx.get(f"{url}/docs")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    refs = re.findall(r'(?:src|href)="([^"]+)"', r.text) + re.findall(r"url: '([^']+)'", r.text)
    assert len(refs) >= 4  # the bundle, its stylesheet, the favicon, the OpenAPI document
    for ref in refs:
        assert ref.startswith("/"), ref  # no other host
        assert httpx.get(url + ref).status_code == 200, ref
    assert re.search(r"https?://", r.text.replace(url, "")) is None, "the docs page names another host"
    assert '"validatorUrl": null' in r.text
    assert httpx.get(f"{url}/redoc").status_code == 404
    lic = httpx.get(f"{url}/static/vendor/swagger-ui/LICENSE")
    assert lic.status_code == 200 and "Apache License" in lic.text
    assert httpx.get(f"{url}/static/vendor/swagger-ui/package.json").json()["name"] == "swagger-ui-dist"


def test_browse_without_a_class_lists_the_classes(url, store):
    r = httpx.get(f"{url}/browse", headers={"Accept": "text/html"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    n_orgs = len(store.query(f"SELECT DISTINCT ?o WHERE {{ ?o a <{JIU.ParticipatingOrganization}> }}").rows)
    link = "/browse?class=" + quote(str(JIU.ParticipatingOrganization), safe="")
    m = re.search(re.escape(f'href="{link}&amp;lang=en"') + r".*?<td class=\"num\">(\d+)</td>", r.text, re.S)
    assert m and int(m.group(1)) == n_orgs
    page = httpx.get(url + link, headers={"Accept": "text/html"})
    assert page.status_code == 200 and 'href="/id/org/WIPO"' in page.text


def test_catalogue_format_html_wins_over_accept(url):
    for accept in ("text/plain", "*/*", "application/json"):
        r = httpx.get(f"{url}/queries/status-history", params={"format": "html"}, headers={"Accept": accept})
        assert r.status_code == 400 and r.headers["content-type"].startswith("text/html"), accept
    r = httpx.get(f"{url}/queries/status-history", params={"format": "csv"}, headers={"Accept": "text/plain"})
    assert r.status_code == 400 and r.headers["content-type"].startswith("text/plain")


NASTY = ['WIPO">\n<script>alert(1)</script>', "a > b\nc", 'x" } ; DROP ALL ; #\n>', "<https://w3id.org/x>\n"]


def test_catalogue_values_with_markup_and_newlines_are_data(url, store):
    from jiukg import catalogue

    before = sorted(httpx.get(f"{url}/dump").content.splitlines())
    for q in catalogue.load_catalogue():
        for p in q.params:
            for value in NASTY:
                params = {**{k: v for k, v in q.example.items() if k != p.name}, p.name: value}
                for fmt in ("json", "csv", "html"):
                    r = httpx.get(f"{url}/queries/{q.name}", params={**params, "format": fmt}, timeout=30)
                    assert r.status_code in (200, 400), (q.name, p.name, value, r.status_code, r.text[:300])
                    if r.headers["content-type"].startswith("text/html"):  # escaped, never markup
                        assert "<script>alert" not in r.text, (q.name, p.name)
                    else:
                        assert r.headers["content-type"].startswith(("text/plain", "text/csv", "application/"))
    assert sorted(httpx.get(f"{url}/dump").content.splitlines()) == before


def test_the_ontology_version_iri_resolves(url):
    onto = ontology_graph()
    version = onto.value(URIRef("https://w3id.org/jiukg/ontology"), URIRef("http://www.w3.org/2002/07/owl#versionIRI"))
    assert str(version).startswith("https://w3id.org/jiukg/ontology/")
    path = "/" + str(version)[len("https://w3id.org/jiukg/"):]
    r = httpx.get(url + path, headers={"Accept": "text/turtle"})
    assert r.status_code == 200 and isomorphic(Graph().parse(data=r.content, format="turtle"), onto)
    r = httpx.get(url + path, headers={"Accept": "text/html"})
    assert r.status_code == 200 and 'id="Recommendation"' in r.text
    r = httpx.get(f"{url}/ontology/0.0.1-old", headers={"Accept": "text/turtle"})
    assert r.status_code == 404 and str(version) in r.text


def test_named_graph_page_and_downloads(built_url, built_store):
    from jiukg.namespaces import CATALOGUE_GRAPH

    g = next(x for x in built_store.graphs() if "/graph/WO/PBC/38/2" in str(x))
    entry = {row["p"]: row["o"] for row in built_store.query(
        f"SELECT ?p ?o WHERE {{ GRAPH <{CATALOGUE_GRAPH}> {{ <{g}> ?p ?o }} }}").rows}
    path = "/" + str(g)[len("https://w3id.org/jiukg/"):]
    r = httpx.get(built_url + path, headers={"Accept": "text/html"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    html = r.text
    assert str(g) in html
    assert str(entry[URIRef("http://www.w3.org/ns/prov#generatedAtTime")]) in html  # when it was written
    source = entry[URIRef("http://purl.org/dc/terms/source")]
    assert f'href="/{str(source)[len("https://w3id.org/jiukg/"):]}"' in html  # its source document
    n = built_store.count(g)
    assert f'<td class="triples">{n}</td>' in html
    assert 'href="/id/doc/WO/PBC/38/2"' in html  # one of its resources
    links = dict(re.findall(r'<a class="download" href="([^"]+)">([^<]+)</a>', html))
    assert {"TriG", "N-Quads", "Turtle"} <= set(links.values())
    for href, name in links.items():
        d = httpx.get(built_url + href)
        assert d.status_code == 200, href
        fmt = {"TriG": "trig", "N-Quads": "nquads", "Turtle": "turtle", "N-Triples": "nt", "JSON-LD": "json-ld"}[name]
        if fmt in ("trig", "nquads"):
            from rdflib import Dataset

            ds = Dataset()
            ds.parse(data=d.content, format=fmt)
            assert {str(c.identifier) for c in ds.graphs() if len(c)} == {str(g)}
            assert len(list(ds.quads((None, None, None, None)))) == n
        else:
            assert len(Graph().parse(data=d.content, format=fmt)) == n
    turtle = httpx.get(built_url + path, headers={"Accept": "text/turtle"})
    assert turtle.status_code == 200 and len(Graph().parse(data=turtle.content, format="turtle")) == n


def test_bad_parameters_get_a_page_for_people_and_json_for_programs(url):
    r = httpx.get(f"{url}/browse", params={"limit": "many"}, headers={"Accept": "text/html"})
    assert r.status_code == 422 and r.headers["content-type"].startswith("text/html")
    assert "limit" in r.text
    r = httpx.get(f"{url}/browse", params={"limit": "many"}, headers={"Accept": "application/json"})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["query", "limit"]
