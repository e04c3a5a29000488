"""No single user takes the endpoint from the others: with 8 heavy queries running (twice the user
workers; each runs until the time limit), a simple /sparql query and the pages still answer within a
second. The one timed assertion the issue asks for; the margin is generous (they take milliseconds)."""

from __future__ import annotations

import threading
import time

import httpx
import pytest

from jiukg import pipeline
from jiukg.paths import CORPUS_DIR
from tests._service_server import serve, static_store

HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"  # a cartesian product
SIMPLE = "SELECT ?s WHERE { ?s a <https://w3id.org/jiukg/ontology#CEBComment> } LIMIT 1"
TIMEOUT = 8.0


@pytest.fixture
def url(tmp_path):
    st = static_store(tmp_path / "store")
    pipeline.load(st, [CORPUS_DIR / "sg-note-ceb-comments-jiu-rep-2024-4.zh.txt"])
    with serve(st, query_timeout=TIMEOUT) as u:
        yield u
    st.close()


def test_a_simple_query_answers_within_a_second_while_8_heavy_ones_run(url):
    heavy: list[int] = []

    def run_heavy():
        r = httpx.post(url + "/sparql", data={"query": HEAVY}, timeout=TIMEOUT * 4)
        heavy.append(r.status_code)

    threads = [threading.Thread(target=run_heavy) for _ in range(8)]
    for t in threads:
        t.start()
    time.sleep(3)  # all 8 sent: 4 run on the user workers, 4 wait for one
    took = []
    for _ in range(3):
        t0 = time.monotonic()
        r = httpx.post(url + "/sparql", data={"query": SIMPLE}, headers={"Accept": "application/sparql-results+json"},
                       timeout=TIMEOUT * 2)
        took.append(time.monotonic() - t0)
        assert r.status_code == 200 and r.json()["results"]["bindings"], r.text
        for path in ("/healthz", "/id/org/WIPO"):
            t0 = time.monotonic()
            assert httpx.get(url + path, headers={"Accept": "text/html"}, timeout=TIMEOUT * 2).status_code == 200
            took.append(time.monotonic() - t0)
        time.sleep(0.3)
    still_running = sum(t.is_alive() for t in threads)
    for t in threads:
        t.join()
    assert still_running == 8, "the heavy queries were meant to be running during the checks"
    assert max(took) < 1.0, took
    assert heavy == [503] * 8  # each stopped at its time limit
