"""The same build and catalogue on every backend, and the remote backend under real failure."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from jiukg import catalogue, pipeline
from jiukg.paths import CORPUS_DIR
from servers import BACKENDS, OxigraphServer, free_port, make_store_factory

JIUKG = str(Path(sys.executable).with_name("jiukg"))


def answers(store) -> dict[str, list[tuple]]:
    """Every catalogue query, with its example parameters, as sorted rows of N3 terms."""
    out = {}
    for q in catalogue.load_catalogue():
        r = catalogue.run(store, q, q.example)
        out[q.name] = sorted(tuple(row[v].n3() if v in row else "" for v in r.variables) for row in r.rows)
    return out


def graphs(store) -> dict:
    """Each named graph in canonical form, but the catalogue (it holds the time of the write)."""
    from rdflib.compare import to_isomorphic

    from jiukg.namespaces import CATALOGUE_GRAPH

    return {g: to_isomorphic(store.graph(g)) for g in store.graphs() if g != CATALOGUE_GRAPH}


@pytest.fixture(scope="module")
def embedded_answers(tmp_path_factory, request):
    make, opened = make_store_factory("embedded-disk", request, tmp_path_factory)
    st = make()
    summary = pipeline.build(st, CORPUS_DIR)
    yield summary, answers(st), st.count(), graphs(st)
    for s in opened:
        s.close()


@pytest.mark.parametrize("backend", [b for b in BACKENDS if b not in ("embedded-disk",)])
def test_build_and_catalogue_give_identical_results(backend, embedded_answers, tmp_path_factory, request):
    summary0, expected, count0, graphs0 = embedded_answers
    make, opened = make_store_factory(backend, request, tmp_path_factory)
    try:
        st = make()
        summary = pipeline.build(st, CORPUS_DIR)
        assert summary.records == summary0.records
        assert st.count() == count0
        got_graphs = graphs(st)
        assert set(got_graphs) == set(graphs0)
        for g, canon in graphs0.items():  # the loaders' output reads back the same from every server
            assert got_graphs[g] == canon, g
        got = answers(st)
        assert set(got) == set(expected)
        for name in expected:
            assert got[name] == expected[name], name
        assert any(expected.values())  # the comparison is not of empty results
        assert len(expected["ceb-deferrals"]) > 5
    finally:
        for s in opened:
            s.close()


def _wait(url: str, proc: subprocess.Popen, seconds: float = 60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"jiukg serve exited: {proc.stderr.read()}")
        try:
            if httpx.get(url, timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError("jiukg serve did not come up")


@pytest.fixture
def own_oxigraph(tmp_path):
    """A server of this test's own, which it may stop and start."""
    with OxigraphServer(tmp_path / "oxi") as srv:
        yield srv


@pytest.fixture
def served_remote(own_oxigraph, tmp_path):
    port = free_port()
    proc = subprocess.Popen([JIUKG, "serve", "--store", own_oxigraph.query_url, "--update-url",
                             own_oxigraph.update_url, "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait(url + "/sparql?query=ASK%7B%7D", proc)  # first run builds the corpus into the server
        yield url, own_oxigraph
    finally:
        proc.terminate()
        proc.wait(10)


def test_serve_on_an_oxigraph_server_answers_the_flagship_like_the_embedded_store(served_remote, embedded_answers):
    url, _ = served_remote
    r = httpx.get(f"{url}/queries/ceb-deferrals", params={"org": "WIPO"},
                  headers={"Accept": "application/sparql-results+json"}, timeout=30)
    assert r.status_code == 200
    rows = r.json()["results"]["bindings"]
    expected = embedded_answers[1]["ceb-deferrals"]
    assert len(rows) == len(expected) > 5
    got = sorted((b["report"]["value"], b["rec"]["value"], b["mechanism"]["value"]) for b in rows)
    from rdflib.util import from_n3

    assert got == sorted((str(from_n3(e[0])), str(from_n3(e[1])), str(from_n3(e[2]))) for e in expected)


COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
# Every kind of route: a user query, the service description, a catalogue query, a linked-data page,
# the dataset description, the dump, the home page
OUTAGE_ROUTES = [("/sparql", {"query": COUNT}), ("/sparql", {}), ("/queries/ceb-deferrals", {"org": "WIPO"}),
                 ("/id/org/WIPO", {}), ("/dataset", {}), ("/dump", {}), ("/", {})]


def _get(url: str, path: str, params: dict) -> httpx.Response:
    return httpx.get(url + path, params=params, timeout=120, follow_redirects=True)


def _one_clear_line(out: subprocess.CompletedProcess, server_url: str) -> str:
    lines = [line for line in out.stderr.splitlines() if line.strip()]
    assert out.returncode != 0, out.stdout[-500:]
    assert "Traceback" not in out.stderr, out.stderr[-2000:]
    assert len(lines) == 1, out.stderr[-2000:]
    assert server_url in lines[0], lines[0]
    return lines[0]


def test_remote_server_down_gives_503_then_recovers(served_remote):
    """Stop the Oxigraph server under a running service: every route answers 503 naming the server,
    the CLI says so in one line; start it again (same port, same data): the same service answers."""
    url, server = served_remote
    for path, params in OUTAGE_ROUTES:
        assert _get(url, path, params).status_code == 200, path
    server.stop()
    where = f"127.0.0.1:{server.port}"
    for path, params in OUTAGE_ROUTES:
        down = _get(url, path, params)
        assert down.status_code == 503, (path, down.status_code, down.text[:500])
        assert where in down.text and "Traceback" not in down.text, (path, down.text[:500])
    for args in (["query", "ceb-deferrals", "--param", "org=WIPO"], ["export"], ["validate"]):
        out = subprocess.run([JIUKG, *args, "--store", server.query_url], capture_output=True, text=True,
                             timeout=300)
        _one_clear_line(out, where)
    server.start()
    back = httpx.get(f"{url}/sparql", params={"query": COUNT}, headers={"Accept": "application/sparql-results+json"},
                     timeout=60)
    assert back.status_code == 200  # the service recovered without a restart
    assert int(back.json()["results"]["bindings"][0]["n"]["value"]) > 1000
    for path, params in OUTAGE_ROUTES:
        assert _get(url, path, params).status_code == 200, path


def test_cli_against_a_stopped_server_says_which_and_exits_non_zero(tmp_path):
    with socket.socket() as s:  # a port where nothing listens
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    out = subprocess.run([JIUKG, "query", "ceb-deferrals", "--param", "org=WIPO", "--store",
                          f"http://127.0.0.1:{port}/query"], capture_output=True, text=True, timeout=120)
    assert out.returncode != 0
    assert f"127.0.0.1:{port}" in out.stderr
    assert "Traceback" not in out.stderr
