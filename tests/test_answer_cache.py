"""The answer cache (service/answer_cache.py): a repeated query is answered from memory until the next
write, and nothing else changes: a stuck query is still stopped at its limit while other clients'
lookups keep answering (a real `jiukg serve`, real HTTP clients), a write shows at once, the cache
stays within its bounds, and only stores whose generation is a local counter are cached."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from rdflib import Literal, URIRef

from jiukg import pipeline
from jiukg.config import Settings
from jiukg.paths import CORPUS_DIR
from jiukg.store import QueryResult, RawResult
from jiukg.store.base import Store
from service import answer_cache
from service.answer_cache import AnswerCache
from tests._service_server import free_port, serve, static_store, stuck_beside_lookups

ROOT = Path(__file__).resolve().parent.parent
HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"  # a cartesian product
LIMIT = 3.0
JSON = {"Accept": "application/sparql-results+json"}


@pytest.fixture
def jiukg_serve(tmp_path):
    """A real `jiukg serve` (its own process, default settings but a 3 s query limit) on a store
    holding the ontology, reference data and one CEB comments document."""
    path = tmp_path / "store"
    st = static_store(path)
    pipeline.load(st, [CORPUS_DIR / "sg-note-ceb-comments-jiu-rep-2024-4.zh.txt"])
    subjects = [str(r["s"]) for r in st.query(
        "SELECT DISTINCT ?s WHERE { GRAPH ?g { ?s ?p ?o } FILTER(isIRI(?s)) } ORDER BY ?s LIMIT 40").rows]
    st.close()
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = open(tmp_path / "serve.log", "w+b")
    proc = subprocess.Popen([sys.executable, "-m", "jiukg.cli", "serve", "--store", str(path), "--host", "127.0.0.1",
                             "--port", str(port)], stdout=log, stderr=subprocess.STDOUT, cwd=ROOT,
                            env={**os.environ, "JIUKG_QUERY_TIMEOUT": str(LIMIT)})
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(url + "/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                log.seek(0)
                pytest.fail("jiukg serve did not start: " + log.read().decode(errors="replace")[-2000:])
            time.sleep(0.2)
        yield url, subjects
    finally:
        proc.terminate()
        proc.wait(30)
        log.close()


def lookup(iri: str) -> str:
    return f"SELECT ?p ?o WHERE {{ <{iri}> ?p ?o }}"


def test_a_stuck_query_is_stopped_at_its_limit_while_lookups_from_other_clients_keep_answering(jiukg_serve):
    url, subjects = jiukg_serve
    with httpx.Client(timeout=30) as c:  # what each lookup should answer, asked once before
        expected = {i: len(c.get(url + "/sparql", params={"query": lookup(i)}, headers=JSON).json()["results"]
                           ["bindings"]) for i in subjects}
    assert all(expected.values())

    def ask(c, k):
        iri = subjects[k % len(subjects)] if k % 2 else subjects[0]  # a repeated lookup, and others
        r = c.get(url + "/sparql", params={"query": lookup(iri)}, headers=JSON)
        if r.status_code != 200 or len(r.json()["results"]["bindings"]) != expected[iri]:
            return f"{r.status_code} {r.text[:200]}"

    stuck, during, wrong = stuck_beside_lookups(url, HEAVY, LIMIT, ask)
    # each stuck query was stopped at its limit (503), not left to run and not answered from memory
    assert [s for s, _ in stuck] == [503, 503], stuck
    assert all(took >= LIMIT * 0.9 for _, took in stuck), stuck
    # meanwhile the other clients' lookups kept answering, right
    assert not wrong, wrong[:3]
    assert during >= 20, during

    # a timeout is not kept: the same stuck query asked again runs again and is stopped again
    t0 = time.monotonic()
    r = httpx.post(url + "/sparql", data={"query": HEAVY}, timeout=LIMIT * 5)
    assert r.status_code == 503 and time.monotonic() - t0 >= LIMIT * 0.9


def test_a_write_shows_at_once_and_repeated_answers_come_from_memory(tmp_path):
    st = static_store(tmp_path / "store")
    subject, graph = URIRef("https://example.org/thing"), URIRef("https://example.org/graph")
    st.replace_graphs({graph: [(subject, URIRef("https://example.org/p"), Literal("first"))]})
    query = {"query": lookup(str(subject))}
    try:
        # the response cache off: repeated requests reach the app, whose answer cache is tested here
        # (the response cache in front of it: tests/test_fastpath.py)
        with serve(st, settings=Settings(response_cache_bytes=0)) as url, httpx.Client(timeout=30) as c:
            cache = answer_cache.for_store(st)
            assert cache is not None

            def values():
                r = c.get(url + "/sparql", params=query, headers=JSON)
                assert r.status_code == 200, r.text
                return sorted(b["o"]["value"] for b in r.json()["results"]["bindings"])

            assert values() == ["first"]
            hits = cache.stats()["hits"]
            assert values() == ["first"]
            assert cache.stats()["hits"] == hits + 1  # the second answer came from memory

            st.replace_graphs({graph: [(subject, URIRef("https://example.org/p"), Literal("second"))]})
            assert values() == ["second"]  # the write bumped the generation: the old answer is gone
            st.add([(subject, URIRef("https://example.org/q"), Literal("third"), graph)])
            assert values() == ["second", "third"]
            # the format asked for is part of the key
            r = c.get(url + "/sparql", params=query, headers={"Accept": "text/csv"})
            assert r.headers["content-type"].startswith("text/csv") and b"third" in r.content
    finally:
        st.close()


def test_the_cache_keeps_within_its_bounds_and_its_generation():
    def raw(n: int) -> RawResult:
        return RawResult("select", "application/sparql-results+json", b"x" * n)

    c = AnswerCache(max_entries=3, max_bytes=10_000, max_entry_bytes=4_000)
    assert c.get("g1", ("a",)) is None
    for k in "abcd":
        c.put("g1", (k,), raw(10))
    assert c.stats()["entries"] == 3 and c.get("g1", ("a",)) is None  # the oldest went first
    c.put("g1", ("big",), raw(5_000))
    assert c.get("g1", ("big",)) is None  # larger than one entry may be: not kept
    for k in "efg":
        c.put("g1", (k,), raw(3_500))
    assert c.stats()["bytes"] <= 10_000 and c.stats()["entries"] == 2
    c.put("g0", ("old",), raw(10))  # computed before a write this cache has already seen
    assert c.get("g1", ("old",)) is None
    assert c.get("g2", ("g",)) is None and c.stats()["entries"] == 0  # a new generation drops the rest

    rows = QueryResult(kind="select", variables=["x"], rows=[{"x": Literal(1)}, {"x": Literal(2)}])
    c.put("g2", ("q",), rows)
    first = c.get("g2", ("q",))
    first.rows.reverse()
    first.rows.append({"x": Literal(3)})
    assert [r["x"] for r in c.get("g2", ("q",)).rows] == [Literal(1), Literal(2)]  # callers get their own lists


def test_only_stores_with_a_local_generation_are_cached(tmp_path):
    class Remote:  # stands for a remote store: its generation() may ask the server
        def generation(self):
            raise AssertionError("not to be called")

    assert answer_cache.for_store(Remote()) is None
    assert not answer_cache.generation_is_local(Remote())
    from jiukg.store.remote import RemoteStore

    assert RemoteStore.generation is not Store.generation  # the real remote store is not cached
    st = static_store(tmp_path / "store")
    try:
        assert answer_cache.for_store(st) is not None
        answer_cache.configure(st, 4096, 0)  # JIUKG_ANSWER_CACHE_BYTES=0 turns it off
        assert answer_cache.for_store(st) is None
        answer_cache.configure(st, 10, 1 << 20)
        assert answer_cache.for_store(st).max_entries == 10
    finally:
        st.close()
