"""RemoteStore against real servers: outages, time limits, result cuts, credentials."""

from __future__ import annotations


import pytest
from rdflib import Literal, URIRef
from servers import OxigraphServer, SlowProxy, empty_remote, free_port

from jiukg.config import Settings, store_options
from jiukg.store import QueryTimeout, StoreError, StoreUnavailable, open_store

G = URIRef("https://w3id.org/jiukg/graph/remote-test")
P = URIRef("http://example.org/p")
SLOW = ("SELECT (COUNT(*) AS ?n) WHERE { "
        + " ".join(f"VALUES ?x{i} {{ {' '.join(str(j) for j in range(100))} }}" for i in range(5)) + " }")


@pytest.fixture
def own_server(tmp_path):
    """A server this test may stop and start."""
    srv = OxigraphServer(tmp_path / "data")
    if srv.executable() is None:
        pytest.skip("the oxigraph CLI is not installed")
    srv.start()
    yield srv
    srv.stop()


def test_outage_gives_store_unavailable_and_recovery_needs_no_reopen(own_server):
    st = open_store(own_server.query_url, **own_server.store_options(), retries=1)
    st.replace_graphs({G: [(URIRef("http://example.org/s"), P, Literal("before"))]})
    assert st.count(G) == 1
    own_server.stop()
    for call in (lambda: st.query("SELECT * WHERE { ?s ?p ?o }", timeout=5), st.graphs,
                 lambda: st.replace_graphs({G: []})):
        with pytest.raises(StoreUnavailable) as e:
            call()
        msg = str(e.value)
        assert own_server.query_url.split("/query")[0] in msg and "cannot" in msg
    own_server.start()  # same port, same data
    res = st.query("SELECT ?o WHERE { ?s ?p ?o }", timeout=5)
    assert res.rows == [{"o": Literal("before")}]
    st.close()


def test_unreachable_server_says_which_and_what():
    url = f"http://127.0.0.1:{free_port()}/sparql"
    st = open_store(url, update_url=url, retries=0)
    with pytest.raises(StoreUnavailable, match=r"127\.0\.0\.1.*cannot (query|connect)"):
        st.query("ASK {}")
    with pytest.raises(StoreUnavailable, match="cannot connect"):
        st.drop_graph(G)


def test_remote_timeout_abandons_the_request(oxigraph_server):
    """The Oxigraph server here has no time limit of its own: a QueryTimeout can only be the client giving
    up at its timeout (no measured duration: that would depend on the machine's speed). The store then
    answers the next query."""
    st = open_store(oxigraph_server.query_url, **oxigraph_server.store_options())
    with pytest.raises(QueryTimeout):
        st.query(SLOW, timeout=1.0)
    assert st.query("ASK { }").boolean is True
    st.close()


def test_settings_reach_the_remote_store(monkeypatch, oxigraph_server):
    monkeypatch.setenv("JIUKG_STORE", oxigraph_server.query_url)
    monkeypatch.setenv("JIUKG_UPDATE_URL", oxigraph_server.update_url)
    monkeypatch.setenv("JIUKG_DEFAULT_GRAPH_MODE", "explicit")
    monkeypatch.setenv("JIUKG_STORE_TIMEOUT", "7")
    s = Settings()
    opts = store_options(s)
    assert opts["update_url"] == oxigraph_server.update_url and opts["timeout"] == 7.0
    with open_store(s.store, **opts) as st:
        assert st.default_graph_mode == "explicit" and st.timeout == 7.0
        for g in st.graphs():  # the session server: other tests' graphs
            st.drop_graph(g)
        st.replace_graphs({G: [(URIRef("http://example.org/s"), P, Literal("x"))]})
        assert st.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").rows[0]["n"].toPython() == 1
        st.drop_graph(G)


def test_embedded_settings_give_the_worker_counts(tmp_path):
    from jiukg.store import INTERNAL_LANE

    opts = store_options(Settings(store=str(tmp_path / "s"), query_workers=3, internal_workers=1))
    with open_store(str(tmp_path / "s"), **opts) as st:
        st.query("ASK {}", timeout=5)
        st.query("ASK {}", timeout=5, lane=INTERNAL_LANE)
        assert st._pools["user"].size == 3 and st._pools[INTERNAL_LANE].size == 1


def test_writes_without_an_update_url_are_refused_clearly(oxigraph_server):
    st = open_store(oxigraph_server.query_url)
    with pytest.raises(StoreError, match="JIUKG_UPDATE_URL"):
        st.drop_graph(G)


# ---------------------------------------------------------------- listing graphs ('explicit' mode)

@pytest.fixture(params=["oxigraph-server", "virtuoso"])
def explicit_server(request):
    """A server where queries name the union's graphs one by one: Oxigraph told to, Virtuoso by default."""
    srv = request.getfixturevalue("oxigraph_server" if request.param == "oxigraph-server" else "virtuoso_server")
    empty_remote(srv).close()
    yield srv, ({"default_graph_mode": "explicit"} if request.param == "oxigraph-server" else {})
    empty_remote(srv).close()


def test_the_graph_listing_is_reused_until_this_client_writes(explicit_server):
    """A query costs one request: the graphs of the union come from a listing made after the last write
    through this client (or graph_cache_seconds ago), not from a scan of the store per query."""
    srv, opts = explicit_server
    px, url = SlowProxy.before(srv, 0)
    with px:
        st = open_store(url, update_url=srv.update_url, graph_cache_seconds=3600, **opts)
        other = open_store(srv.query_url, **srv.store_options())  # another replica, or another tool
        st.replace_graphs({G: [(URIRef("http://example.org/s"), P, Literal("mine"))]})
        q = f"SELECT ?o WHERE {{ ?s <{P}> ?o }} ORDER BY ?o"
        assert [r["o"] for r in st.query(q, timeout=30).rows] == [Literal("mine")]
        before = px.connections
        for _ in range(5):
            assert len(st.query(q, timeout=30).rows) == 1
        assert px.connections == before + 5  # no listing in between
        g2 = URIRef("https://w3id.org/jiukg/graph/remote-test-other")
        other.replace_graphs({g2: [(URIRef("http://example.org/s2"), P, Literal("theirs"))]})
        assert g2 in st.graphs()  # graphs() asks the server every time
        assert [r["o"] for r in st.query(q, timeout=30).rows] == [Literal("mine")]  # the listing is kept...
        st.drop_graph(URIRef("https://w3id.org/jiukg/graph/never-written"))  # ...until this client writes
        before = px.connections
        assert [r["o"] for r in st.query(q, timeout=30).rows] == [Literal("mine"), Literal("theirs")]
        assert px.connections == before + 2  # one listing, then the query
        st.close()
        other.close()


def test_a_query_gives_its_own_time_limit_to_the_graph_listing(explicit_server):
    """Each request takes 0.6 s (a loaded server); the store's own limit is 0.4 s. A query given 30 s
    must get them for the requests it needs (server check, graph listing, the query itself)."""
    srv, opts = explicit_server
    px, url = SlowProxy.before(srv, 0.6)
    with px:
        st = open_store(url, timeout=0.4, retries=0, **opts)
        assert st.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", timeout=30).rows[0]["n"].toPython() == 0
        assert list(st.iter_rows("SELECT ?s WHERE { ?s ?p ?o }", timeout=30)) == []
        with pytest.raises(StoreUnavailable, match="no answer within 0.4 s"):
            st.graphs()  # store operations without a caller's limit keep the store's
        st.close()


# ---------------------------------------------------------------- Virtuoso

def test_virtuoso_results_above_its_row_cut_are_paged(virtuoso_server):
    from servers import empty_remote

    st = empty_remote(virtuoso_server)
    n = 10_500
    st.replace_graphs({G: [(URIRef(f"http://example.org/s{i}"), P, Literal(i)) for i in range(n)]})
    res = st.query("SELECT ?s ?o WHERE { ?s <http://example.org/p> ?o } ORDER BY ?o", timeout=60)
    assert len(res.rows) == n and len({r["s"] for r in res.rows}) == n
    assert [r["o"].toPython() for r in res.rows[:3]] == [0, 1, 2]
    assert st.count(G) == n and sum(1 for _ in st.quads(G)) == n
    assert all(not str(g).startswith("http://www.openlinksw.com/") for g in st.graphs())
    st.drop_graph(G)
    st.close()


def test_virtuoso_digest_credentials(virtuoso_server):
    url = virtuoso_server.base + "/sparql-auth"
    with open_store(url, user="dba", password="dba", auth="digest") as st:
        assert st.query("ASK { }").boolean is True
    with open_store(url, user="dba", password="wrong", auth="digest", retries=0) as st:
        with pytest.raises(StoreError, match="not authorised"):
            st.query("ASK { }")


def test_virtuoso_graph_store_writes_restore_on_failure(virtuoso_server):
    """Virtuoso has no multi-graph transaction over GSP: a failed replacement puts back what it changed."""
    from servers import empty_remote

    st = empty_remote(virtuoso_server)
    g2 = URIRef("https://w3id.org/jiukg/graph/remote-test-2")
    st.replace_graphs({G: [(URIRef("http://example.org/s"), P, Literal("old"))]})
    before = set(st.quads())
    st.gsp_url, st.write_mode = virtuoso_server.gsp_url, "gsp"
    bad = [(URIRef("http://example.org/s"), P, Literal("x" * 20_000_000))]  # Virtuoso answers HTTP 500
    with pytest.raises(StoreError, match="restored"):
        st.replace_graphs({G: [(URIRef("http://example.org/s"), P, Literal("new"))], g2: bad})
    assert set(st.quads()) == before
    for g in st.graphs():
        st.drop_graph(g)
    st.close()
