"""A store that cannot be reached, or that fails, gives a clear answer on every route, never a 500 traceback.

The service runs for real (uvicorn on a loopback port) over a RemoteStore whose SPARQL server is down: a
port that is bound but not listening refuses every connection, as a stopped Oxigraph server's port does.
"""

from __future__ import annotations

import logging
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from _service_server import serve
from jiukg.config import Settings
from jiukg.store import open_store

ROUTES = [
    ("GET", "/"),
    ("GET", "/sparql"),  # the service description
    ("GET", "/sparql?query=ASK%20%7B%7D"),
    ("POST", "/sparql"),
    ("GET", "/queries/ceb-deferrals?org=WIPO"),
    ("GET", "/id/org/WIPO"),
    ("GET", "/vocab/acceptance/accepted"),
    ("GET", "/dataset"),
    ("GET", "/dump"),
    ("GET", "/dump?format=trig"),
    ("GET", "/graph/reference"),
    ("GET", "/search?q=x"),
    ("GET", "/browse"),
    ("GET", "/browse?class=https%3A%2F%2Fw3id.org%2Fjiukg%2Fontology%23Recommendation"),
    ("GET", "/validate"),
]
TEXT_ACCEPT = {"/sparql": "text/turtle", "/dump": "application/n-quads", "/graph/reference": "application/trig"}
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"  # what Chromium sends


class Tracebacks(logging.Handler):
    """Collects log records that carry a traceback (uvicorn logs one for every unhandled exception)."""

    def __init__(self):
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record):
        if record.exc_info:
            self.records.append(record)


@pytest.fixture
def tracebacks():
    handler = Tracebacks()
    loggers = [logging.getLogger(n) for n in ("uvicorn.error", "uvicorn", "jiukg.service", "")]
    for lg in loggers:
        lg.addHandler(handler)
    yield handler.records
    for lg in loggers:
        lg.removeHandler(handler)


@pytest.fixture(scope="module")
def down_url():
    """A SPARQL query URL where nothing answers: the port is held but never listens."""
    holder = socket.socket()
    holder.bind(("127.0.0.1", 0))
    yield f"http://127.0.0.1:{holder.getsockname()[1]}/query"
    holder.close()


@pytest.fixture(scope="module")
def down(down_url):
    st = open_store(down_url, retries=0, timeout=5, update_url=down_url.replace("/query", "/update"))
    with serve(st, settings=Settings(write_token="t")) as url:
        yield url
    st.close()


def _request(method: str, url: str, path: str, accept: str) -> httpx.Response:
    if method == "POST":
        return httpx.post(url + path, data={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 1"},
                          headers={"Accept": accept}, timeout=30)
    return httpx.get(url + path, headers={"Accept": accept}, timeout=30)


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_every_store_route_answers_503_naming_the_server(down, down_url, tracebacks, method, path):
    for accept in (BROWSER, TEXT_ACCEPT.get(path.split("?")[0], "*/*")):
        r = _request(method, down, path, accept)
        assert r.status_code == 503, (path, accept, r.status_code, r.text[:300])
        assert int(r.headers["retry-after"]) > 0
        assert down_url in r.text, r.text[:500]  # which server
        assert "cannot" in r.text or "unavailable" in r.text  # and what failed
        assert "Traceback" not in r.text
        if accept == BROWSER and not path.startswith("/sparql"):
            assert r.headers["content-type"].startswith("text/html")
        else:
            assert r.headers["content-type"].startswith("text/plain")
    assert tracebacks == [], [r.getMessage() for r in tracebacks]


def test_head_on_a_down_store_is_503_too(down):
    r = httpx.head(f"{down}/dataset")
    assert r.status_code == 503 and r.headers["retry-after"] and r.content == b""


def test_writes_to_a_down_store_answer_503(down, down_url, tracebacks):
    r = httpx.post(f"{down}/data", content=b"<http://x/a> <http://x/b> <http://x/c> .",
                   headers={"Content-Type": "application/n-triples", "Authorization": "Bearer t"}, timeout=30)
    assert r.status_code == 503 and down_url.replace("/query", "") in r.text and r.headers["retry-after"]
    assert tracebacks == []


def test_pages_that_need_no_store_still_work(down):
    assert httpx.get(f"{down}/ontology", headers={"Accept": "text/turtle"}).status_code == 200
    assert httpx.get(f"{down}/healthz").status_code == 200
    assert httpx.get(f"{down}/docs").status_code == 200


class _Failing(BaseHTTPRequestHandler):
    """A SPARQL server that is up but fails every request."""

    def _fail(self):
        body = b"internal failure in the triplestore"
        self.send_response(500)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _fail

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def failing():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Failing)
    th = threading.Thread(target=httpd.serve_forever, daemon=True)
    th.start()
    query_url = f"http://127.0.0.1:{httpd.server_address[1]}/query"
    st = open_store(query_url, retries=0, timeout=5)
    with serve(st) as url:
        yield url, query_url
    st.close()
    httpd.shutdown()


@pytest.mark.parametrize("path", ["/", "/sparql", "/dataset", "/dump", "/graph/reference", "/browse", "/validate",
                                  "/id/org/WIPO"])
def test_a_failing_store_gives_a_clear_error_not_a_traceback(failing, tracebacks, path):
    url, query_url = failing
    for accept in (BROWSER, "*/*"):
        r = httpx.get(url + path, headers={"Accept": accept}, timeout=30)
        assert 500 <= r.status_code < 600, (path, r.status_code)
        assert query_url in r.text, (path, r.text[:400])  # which store, and what it said
        assert r.text.strip() != "Internal Server Error" and "Traceback" not in r.text
        want = "text/html" if accept == BROWSER and path != "/sparql" else "text/plain"
        assert r.headers["content-type"].startswith(want), (path, accept, r.headers["content-type"])
    assert tracebacks == [], [r.getMessage() for r in tracebacks]


def test_a_stopped_oxigraph_server_gives_503_then_the_service_recovers(tmp_path, tracebacks):
    from jiukg.namespaces import REFERENCE_GRAPH
    from jiukg.ontology import reference_graph
    from servers import OxigraphServer

    if OxigraphServer.executable() is None:
        pytest.skip("the oxigraph CLI is not installed")
    srv = OxigraphServer(tmp_path / "oxigraph")
    srv.start()
    try:
        st = open_store(srv.query_url, retries=0, timeout=5, **srv.store_options())
        st.replace_graphs({REFERENCE_GRAPH: reference_graph()})
        with serve(st) as url:
            paths = ["/", "/dataset", "/id/org/WIPO", "/graph/reference", "/browse", "/sparql"]
            assert all(httpx.get(url + p, headers={"Accept": BROWSER}).status_code == 200 for p in paths)
            srv.stop()
            for p in paths:
                r = httpx.get(url + p, headers={"Accept": BROWSER}, timeout=30)
                assert r.status_code == 503 and srv.query_url in r.text, (p, r.status_code)
            srv.start()  # same port, same data
            assert all(httpx.get(url + p, headers={"Accept": BROWSER}).status_code == 200 for p in paths)
        st.close()
    finally:
        srv.stop()
    assert tracebacks == []
