"""The response cache the HTTP parser answers from (service/fastpath.py), on a real uvicorn server with
the configuration `jiukg serve` uses (service.app.uvicorn_config) and real HTTP clients: a hit is the
full path's response byte for byte (apart from Date), a write shows at once, requests with
credentials and HTML pages never come from it, If-None-Match gets its 304, and a stuck query is
still stopped at its limit while other clients' lookups are answered from it."""

from __future__ import annotations

import re
import socket
import threading
import time
from contextlib import contextmanager
from urllib.parse import quote

import httpx
import pytest
import uvicorn
from rdflib import Literal, URIRef

from jiukg import pipeline
from jiukg.paths import CORPUS_DIR
from service.app import create_app, uvicorn_config
from service.fastpath import FastHttpProtocol, ResponseCache, request_key
from tests._service_server import free_port, static_store, stuck_beside_lookups

LIMIT = 3.0
HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"  # a cartesian product
JSON = b"application/sparql-results+json"


@contextmanager
def running(store, **options):
    """(base URL, port, the app's response cache) of a real uvicorn server configured as `jiukg serve`."""
    app = create_app(store, **options)
    port = free_port()
    config = uvicorn_config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "the server did not start"
        time.sleep(0.05)
    assert issubclass(config.http_protocol_class, FastHttpProtocol)
    try:
        yield f"http://127.0.0.1:{port}", port, app.state.response_cache
    finally:
        server.should_exit = True
        thread.join(10)


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    st = static_store(tmp_path_factory.mktemp("fast") / "store")
    pipeline.load(st, [CORPUS_DIR / "sg-note-ceb-comments-jiu-rep-2024-4.zh.txt"])
    yield st
    st.close()


def lookup(iri: str) -> str:
    return "/sparql?query=" + quote(f"SELECT ?p ?o WHERE {{ <{iri}> ?p ?o }}", safe="")


def some_subjects(store, n: int) -> list[str]:
    return [str(r["s"]) for r in store.query(
        "SELECT DISTINCT ?s WHERE { GRAPH ?g { ?s ?p ?o } FILTER(STRSTARTS(STR(?s), 'https://w3id.org/jiukg/id/')) } "
        f"ORDER BY ?s LIMIT {n}").rows]


def raw_get(port: int, target: str, headers: dict[str, str] | None = None) -> bytes:
    """One GET on its own keep-alive connection, the response's bytes exactly as sent."""
    head = f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n" + "".join(
        f"{k}: {v}\r\n" for k, v in (headers or {}).items()) + "\r\n"
    with socket.create_connection(("127.0.0.1", port), timeout=30) as c:
        c.sendall(head.encode("latin-1"))
        data = b""
        while b"\r\n\r\n" not in data:
            data += c.recv(65536)
        top, body = data.split(b"\r\n\r\n", 1)
        if top.startswith(b"HTTP/1.1 304 "):
            return data  # no body
        m = re.search(rb"\r\ncontent-length: (\d+)", top, re.I)
        assert m, top  # every kept response has a Content-Length
        while len(body) < int(m.group(1)):
            body += c.recv(65536)
        return top + b"\r\n\r\n" + body


def without_date(response: bytes) -> bytes:
    return re.sub(rb"\r\ndate: [^\r]*", b"", response, count=1)


def test_a_hit_is_the_full_paths_response_byte_for_byte(store):
    iri = some_subjects(store, 1)[0]
    page = iri.removeprefix("https://w3id.org/jiukg")
    requests = [(lookup(iri), {"Accept": JSON.decode()}),
                (lookup(iri), {"Accept": "text/csv", "Accept-Encoding": "gzip", "Origin": "https://example.org"}),
                (page, {"Accept": "text/turtle"}),
                (page, {"Accept": "application/ld+json", "Accept-Encoding": "gzip"})]
    with running(store) as (url, port, cache):
        for target, headers in requests:
            hits = cache.stats()["hits"]
            first = raw_get(port, target, headers)  # the full path, which fills the cache
            assert first.startswith(b"HTTP/1.1 200 "), first[:300]
            assert cache.stats()["hits"] == hits
            second = raw_get(port, target, headers)
            assert cache.stats()["hits"] == hits + 1, (target, headers)  # sent by the parser
            assert without_date(second) == without_date(first)
            assert b"\r\ndate: " in second.lower()
        # Accept (and the other headers that shape an answer) is part of the key
        csv = raw_get(port, lookup(iri), {"Accept": "text/csv"})
        assert b"content-type: text/csv" in csv and b"sparql-results+json" not in csv


def test_a_write_shows_at_once(tmp_path):
    st = static_store(tmp_path / "store")
    subject, graph = URIRef("https://example.org/thing"), URIRef("https://example.org/graph")
    p = URIRef("https://example.org/p")
    st.replace_graphs({graph: [(subject, p, Literal("first"))]})
    try:
        with running(st) as (url, port, cache), httpx.Client(timeout=30) as c:
            def values():
                r = c.get(url + lookup(str(subject)), headers={"Accept": JSON.decode()})
                assert r.status_code == 200, r.text
                return sorted(b["o"]["value"] for b in r.json()["results"]["bindings"])

            assert values() == ["first"]
            hits = cache.stats()["hits"]
            assert values() == ["first"] and cache.stats()["hits"] == hits + 1
            st.replace_graphs({graph: [(subject, p, Literal("second"))]})
            assert values() == ["second"]  # the write moved the generation: no stale hit
            assert cache.stats()["hits"] == hits + 1
            st.add([(subject, URIRef("https://example.org/q"), Literal("third"), graph)])
            assert values() == ["second", "third"]
            assert values() == ["second", "third"] and cache.stats()["hits"] == hits + 2
    finally:
        st.close()


def test_credentials_html_pages_and_volatile_queries_never_come_from_it(store):
    iri = some_subjects(store, 1)[0]
    with running(store) as (url, port, cache), httpx.Client(timeout=30) as c:
        for _ in range(3):
            r = c.get(url + lookup(iri), headers={"Accept": JSON.decode(), "Authorization": "Bearer nothing"})
            assert r.status_code == 200
        nonces = set()
        for _ in range(3):
            r = c.get(url + iri.removeprefix("https://w3id.org/jiukg"), headers={"Accept": "text/html"})
            assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
            nonces.add(re.search(r"'nonce-([^']+)'", r.headers["content-security-policy"]).group(1))
        assert len(nonces) == 3  # each page its own nonce
        rand = "/sparql?query=" + quote("SELECT (RAND() AS ?r) WHERE {}", safe="")
        answers = {c.get(url + rand, headers={"Accept": JSON.decode()}).text for _ in range(3)}
        assert len(answers) == 3
        assert cache.stats()["hits"] == 0 and cache.stats()["entries"] == 0


def test_if_none_match_gets_its_304(store):
    iri = some_subjects(store, 1)[0]
    with running(store) as (url, port, cache):
        full = raw_get(port, lookup(iri), {"Accept": JSON.decode()})
        etag = re.search(rb"\r\netag: ([^\r]+)", full).group(1).decode()
        conditional = {"Accept": JSON.decode(), "If-None-Match": etag}
        first = raw_get(port, lookup(iri), conditional)  # the full path's 304, which is kept
        assert first.startswith(b"HTTP/1.1 304 "), first
        hits = cache.stats()["hits"]
        second = raw_get(port, lookup(iri), conditional)
        assert cache.stats()["hits"] == hits + 1
        assert without_date(second) == without_date(first) and second.endswith(b"\r\n\r\n")
        # a stale tag gets the whole answer
        other = raw_get(port, lookup(iri), {"Accept": JSON.decode(), "If-None-Match": 'W/"stale"'})
        assert other.startswith(b"HTTP/1.1 200 ")


def test_a_stuck_query_is_stopped_at_its_limit_while_lookups_are_answered_from_the_cache(store):
    subjects = some_subjects(store, 20)
    with running(store, query_timeout=LIMIT) as (url, port, cache):
        with httpx.Client(timeout=30) as c:  # asked once: the answers are kept
            expected = {i: c.get(url + lookup(i), headers={"Accept": JSON.decode()}).json() for i in subjects}
        hits_before = cache.stats()["hits"]

        def ask(c, k):
            iri = subjects[k % len(subjects)]
            r = c.get(url + lookup(iri), headers={"Accept": JSON.decode()})
            if r.status_code != 200 or r.json() != expected[iri]:
                return f"{r.status_code} {r.text[:200]}"

        stuck, during, wrong = stuck_beside_lookups(url, HEAVY, LIMIT, ask)
        lookups = cache.stats()["hits"] - hits_before

    assert [s for s, _ in stuck] == [503, 503], stuck
    assert all(took >= LIMIT * 0.9 for _, took in stuck), stuck  # stopped at the limit, not before
    assert not wrong, wrong[:3]
    assert during >= 20, during  # lookups kept answering while the stuck queries ran
    assert lookups >= during  # every lookup was a hit


def test_the_key_and_the_bounds():
    # headers that shape nothing are left out; their order does not count; credentials refuse
    a = request_key(b"/sparql?query=x", [(b"accept", b"a"), (b"user-agent", b"u1"), (b"origin", b"o")])
    b = request_key(b"/sparql?query=x", [(b"origin", b"o"), (b"accept", b"a"), (b"user-agent", b"u2")])
    assert a == b and a is not None
    assert request_key(b"/sparql?query=x", [(b"accept", b"b")]) != a
    assert request_key(b"/sparql?query=x", [(b"authorization", b"Bearer t")]) is None
    assert request_key(b"/sparql?query=x", [(b"cookie", b"c=1")]) is None
    assert request_key(b"/upload", []) is None  # only the read routes
    # the address the request came in on counts (absolute URLs are built from it)
    assert request_key(b"/dataset", [], (("10.0.0.1", 80), "http")) != request_key(b"/dataset", [], (("127.0.0.1", 80), "http"))

    class Store:
        tag = "g1"

        def generation(self):
            return type("G", (), {"tag": self.tag})()

    st = Store()
    c = ResponseCache(st, max_entries=2, max_bytes=10_000, max_entry_bytes=5_000)
    gen, hit = c.lookup(("a",))
    assert hit is None
    for k in "abc":
        c.put(gen, (k,), 200, b"h", b"x" * 10, b"e")
    assert c.stats()["entries"] == 2 and c.lookup(("a",))[1] is None  # the oldest went first
    c.put(gen, ("big",), 200, b"h", b"x" * 6_000, b"e")
    assert c.lookup(("big",))[1] is None
    st.tag = "g2"
    c.put(gen, ("late",), 200, b"h", b"x", b"e")  # filled at a generation already gone: not kept
    assert c.lookup(("late",))[1] is None and c.lookup(("c",))[1] is None
    assert c.stats()["entries"] == 0


def test_large_request_headers_count_against_the_byte_bound():
    """The key holds every header that may shape the answer, so a client sending large, varied headers
    must not make the cache hold more than its bound: keys are counted with the responses."""
    class Store:
        def generation(self):
            return type("G", (), {"tag": "g"})()

    c = ResponseCache(Store(), max_entries=1000, max_bytes=100_000, max_entry_bytes=50_000)
    gen, _ = c.lookup(("warm",))
    for i in range(50):
        key = request_key(b"/sparql?query=x", [(b"x-pad", str(i).encode() + b"p" * 20_000)])
        c.put(gen, key, 200, b"h", b"tiny", b"e")
    assert c.stats()["bytes"] <= 100_000 and c.stats()["entries"] <= 5, c.stats()
    huge = request_key(b"/sparql?query=x", [(b"x-pad", b"p" * 60_000)])
    c.put(gen, huge, 200, b"h", b"tiny", b"e")  # one key over the entry bound: not kept
    assert c.get(huge) is None


def test_pipelined_requests_are_answered_in_order(store):
    """A hit must not jump ahead of a request still on the full path on the same connection
    (HTTP/1.1 pipelining): the stored bytes are sent only when the connection is idle."""
    first, second = some_subjects(store, 2)
    with running(store) as (url, port, cache):
        raw_get(port, lookup(second), {"Accept": JSON.decode()})  # now kept
        head = "".join(f"GET {t} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept: {a}\r\n\r\n" for t, a in (
            (lookup(first) + "&n=1", "text/csv"), (lookup(second), JSON.decode())))
        with socket.create_connection(("127.0.0.1", port), timeout=30) as c:
            c.sendall(head.encode("latin-1"))
            data = b""
            while data.count(b"HTTP/1.1 200 ") < 2 or not data.rstrip().endswith((b"}", b"]")):
                chunk = c.recv(65536)
                if not chunk:
                    break
                data += chunk
    answers = data.split(b"HTTP/1.1 200 ")[1:]
    assert len(answers) == 2, data[:500]
    assert b"content-type: text/csv" in answers[0].lower() and b"application/sparql-results+json" in answers[1]
