"""The W3C SPARQL 1.1 Protocol (34 tests) and Graph Store Protocol (13 tests) suites against a real `jiukg serve`.

The manifests (tests/data/w3c-protocol/, see its README) are read as data: every request is sent as written,
`/sparql/` going to /sparql for queries and /update for updates, `/gsp` to /store. Updates and Graph Store
writes carry an admin token; each update request is first sent without it and must be refused (401) with
the store unchanged. The service runs on the embedded store and on an Oxigraph server."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from contextlib import ExitStack
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from rdflib import Graph, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.compare import isomorphic
from rdflib.namespace import RDF, RDFS

sys.path.insert(0, str(Path(__file__).parent))
from _service_server import free_port, static_store

HERE = Path(__file__).parent / "data" / "w3c-protocol"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
HTS = "http://www.w3.org/2011/http-statusCodes#"
CODES = {"OK": 200, "Created": 201, "NoContent": 204, "NotFound": 404}
JIUKG = str(Path(sys.executable).with_name("jiukg"))
ADMIN = "w3c-suite-admin-token"


def _manifest(path: Path) -> tuple[Graph, list[URIRef]]:
    g = Graph().parse(path, format="turtle")
    entries: list[URIRef] = []
    for m in g.subjects(RDF.type, MF.Manifest):
        for lst in g.objects(m, MF.entries):
            entries += list(Collection(g, lst))
        for lst in g.objects(m, MF.include):
            for inc in Collection(g, lst):
                sub, more = _manifest(path.parent / Path(urlsplit(str(inc)).path).name)
                g += sub
                entries += more
    return g, entries


PROTOCOL, PROTOCOL_TESTS = _manifest(HERE / "sparql11-protocol" / "manifest.ttl")
GSP, GSP_TESTS = _manifest(HERE / "graph-store-protocol" / "manifest.ttl")


def _name(t: URIRef) -> str:
    return str(t).rsplit("#", 1)[1]


def _backend(kind: str, tmp: Path, stack: ExitStack) -> dict:
    """The store `jiukg serve` runs on, holding the ontology and reference data (so serve builds no corpus):
    the embedded store on disk, or an Oxigraph server of this module's own."""
    if kind == "embedded":
        static_store(tmp / "store").close()
        return {"JIUKG_STORE": str(tmp / "store")}
    from servers import OxigraphServer

    from jiukg.namespaces import ONTOLOGY_GRAPH, REFERENCE_GRAPH
    from jiukg.ontology import ontology_graph, reference_graph
    from jiukg.store import open_store

    if OxigraphServer.executable() is None:
        pytest.skip("the oxigraph CLI is not installed")
    srv = stack.enter_context(OxigraphServer(tmp / "oxigraph"))
    with open_store(srv.query_url, **srv.store_options()) as st:
        st.replace_graphs({ONTOLOGY_GRAPH: ontology_graph(), REFERENCE_GRAPH: reference_graph()})
    return {"JIUKG_STORE": srv.query_url, "JIUKG_UPDATE_URL": srv.update_url, "JIUKG_GSP_URL": srv.gsp_url}


@pytest.fixture(scope="module", params=["embedded", "oxigraph-server"])
def service(request, tmp_path_factory):
    """`jiukg serve` with an admin token configured, on each backend in turn."""
    tmp = tmp_path_factory.mktemp("w3c")
    stack = ExitStack()
    from jiukg.auth import digest

    (tmp / "tokens.json").write_text(json.dumps({"tokens": [
        {"name": "w3c-suite", "admin": True, "hash": f"sha256:{digest(ADMIN)}"}]}))
    port = free_port()
    env = {**os.environ, **_backend(request.param, tmp, stack), "JIUKG_PORT": str(port), "JIUKG_HOST": "127.0.0.1",
           "JIUKG_WRITE_TOKENS_FILE": str(tmp / "tokens.json")}
    log = open(tmp / "serve.log", "wb")  # noqa: SIM115
    proc = subprocess.Popen([JIUKG, "serve"], cwd=tmp, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        import time

        deadline = time.monotonic() + 90
        while True:
            assert proc.poll() is None, (tmp / "serve.log").read_text()
            try:
                if httpx.get(url + "/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "jiukg serve did not start"
            time.sleep(0.2)
        with httpx.Client(base_url=url, timeout=60) as client:
            yield client
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
        stack.close()


ADMIN_AUTH = {"Authorization": f"Bearer {ADMIN}"}


def _dump(client: httpx.Client) -> list[bytes]:
    return sorted(client.get("/dump", params={"format": "nquads"}).content.splitlines())


def _reset(client: httpx.Client) -> None:
    r = client.post("/update", content="DROP ALL", headers={"Content-Type": "application/sparql-update", **ADMIN_AUTH})
    assert r.status_code == 200, r.text


def _requests(g: Graph, test: URIRef) -> list:
    action = g.value(test, MF.action)
    return list(Collection(g, g.value(action, HT.requests)))


def _headers(g: Graph, node) -> dict[str, str]:
    lst = g.value(node, HT.headers)
    return {str(g.value(h, HT.fieldName)): str(g.value(h, HT.fieldValue)) for h in Collection(g, lst)} if lst else {}


def _body(g: Graph, req) -> bytes | None:
    body = g.value(req, HT.body)
    if body is None:
        return None
    enc = str(g.value(body, CNT.characterEncoding) or "UTF-8")
    return str(g.value(body, CNT.chars)).encode("utf-16" if enc.upper() == "UTF-16" else "utf-8")


def _expected_statuses(g: Graph, resp) -> list:
    out = []
    for s in g.objects(resp, MF.expectedStatus):
        name = str(s)[len(HTS):]
        out.append(int(name[len("StatusCode")]) if name.startswith("StatusCode") else CODES[name])
    return out


def _status_ok(status: int, expected: list) -> bool:
    return any((e < 10 and status // 100 == e) or status == e for e in expected)


def _is_update(test_name: str, path: str, headers: dict, body: bytes | None) -> bool:
    ctype = headers.get("content-type", "").split(";")[0].strip()
    if ctype == "application/sparql-query" or "query=" in path or (body or b"").startswith(b"query="):
        return False
    return "update" in test_name


def _check_response(g: Graph, resp_node, r: httpx.Response, where: str) -> None:
    expected = _expected_statuses(g, resp_node)
    assert _status_ok(r.status_code, expected), f"{where}: status {r.status_code}, expected {expected}: {r.text[:300]}"
    fmt = g.value(resp_node, MF.expectedFormat)
    ctype = r.headers.get("content-type", "").split(";")[0].strip()
    if fmt is not None:
        kinds = {"boolean": ("application/sparql-results+json", "application/sparql-results+xml"),
                 "tabular": ("application/sparql-results+json", "application/sparql-results+xml", "text/csv",
                             "text/tab-separated-values"),
                 "RDF": ("text/turtle", "application/n-triples", "application/rdf+xml", "application/ld+json")}
        assert ctype in kinds[str(fmt)], f"{where}: {ctype} is not a {fmt} format"
    boolean = g.value(resp_node, MF.expectedBoolean)
    if boolean is not None:
        got = r.json()["boolean"] if ctype.endswith("json") else "<boolean>true</boolean>" in r.text
        assert got is boolean.toPython(), f"{where}: boolean {got}, expected {boolean}"
    for name, value in _headers(g, resp_node).items():
        have = [p.strip().lower() for p in r.headers.get(name, "").split(";")]
        want = [p.strip().lower() for p in value.split(";")]
        assert have == want, f"{where}: {name}: {r.headers.get(name)!r}, expected {value!r}"
    body = g.value(resp_node, HT.body)
    if body is not None:
        want = Graph().parse(data=str(g.value(body, CNT.chars)), format="turtle")
        have = Graph().parse(data=r.text, format="turtle")
        assert isomorphic(want, have), f"{where}: the graph differs:\n{r.text}"


@pytest.mark.parametrize("test", PROTOCOL_TESTS, ids=_name)
def test_sparql11_protocol(service, test):
    g, name = PROTOCOL, _name(test)
    for data in g.objects(test, UT.graphData):
        nt = (HERE / "sparql11-protocol" / Path(urlsplit(str(g.value(data, UT.graph))).path).name).read_bytes()
        r = service.put("/store", params={"graph": str(g.value(data, RDFS.label))}, content=nt,
                        headers={"Content-Type": "application/n-triples", **ADMIN_AUTH})
        assert r.status_code in (201, 204), r.text
    for i, req in enumerate(_requests(g, test), 1):
        path, headers, body = str(g.value(req, HT.absolutePath)), _headers(g, req), _body(g, req)
        method = str(g.value(req, HT.methodName))
        update = _is_update(name, path, headers, body)
        path = path.replace("/sparql/", "/update" if update else "/sparql", 1)
        if update:  # first without a token: refused, nothing changed
            before = _dump(service)
            r = service.request(method, path, content=body, headers=headers)
            assert r.status_code in (401, 405), f"{name} #{i} without a token: {r.status_code} {r.text[:200]}"
            assert r.status_code == 401 or method == "GET"  # GET /update is no update at all (405)
            assert _dump(service) == before
            headers = {**headers, **ADMIN_AUTH}
        r = service.request(method, path, content=body, headers=headers)
        _check_response(g, g.value(req, HT.resp), r, f"{name} #{i} {method} {path}")


@pytest.mark.parametrize("test", GSP_TESTS, ids=_name)
def test_graph_store_protocol(service, test):
    g, name = GSP, _name(test)
    _reset(service)
    vars_: dict[str, str] = {}
    for i, req in enumerate(_requests(g, test), 1):
        path = str(g.value(req, HT.absolutePath)).replace("/gsp", "/store", 1)
        body = _body(g, req)
        for k, v in vars_.items():
            path = path.replace(k, v)
            body = body.replace(k.encode(), v.encode()) if body else body
        method = str(g.value(req, HT.methodName))
        headers = _headers(g, req)
        if method in ("PUT", "POST", "DELETE"):
            headers = {**headers, **ADMIN_AUTH}
        r = service.request(method, path, content=body, headers=headers)
        resp = g.value(req, HT.resp)
        _check_response(g, resp, r, f"{name} #{i} {method} {path}")
        loc = g.value(resp, MF.expectedLocation)
        if loc is not None:
            assert "location" in r.headers, f"{name} #{i}: no Location header"
            vars_[str(loc)] = r.headers["location"]


def test_the_suites_are_complete():
    """The counts the must-show names: all 34 protocol tests and all 13 Graph Store tests are run above."""
    assert len(PROTOCOL_TESTS) == 34
    assert len(GSP_TESTS) == 13
