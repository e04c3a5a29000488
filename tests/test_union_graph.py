"""The embedded store's union graph (jiukg/store/union.py): its default graph is the set union of its named
graphs after every kind of write, so a fact restated in many documents is read once.

Real pyoxigraph stores, in memory and on disk; the bulk paths through `bulk.load` and `bulk.restore`.
"""

from __future__ import annotations

import gzip
import io
import re
import shutil
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import BNode, Literal, URIRef

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.generate import write  # noqa: E402
from jiukg import bulk  # noqa: E402
from jiukg.namespaces import DEFAULT_GRAPH  # noqa: E402
from jiukg.store import StoreError, open_store, union  # noqa: E402
from jiukg.store.embedded import EmbeddedStore  # noqa: E402

EX = "https://example.org/"
A, B, C = (URIRef(EX + "g/" + n) for n in "abc")
S, P, Q = URIRef(EX + "s"), URIRef(EX + "p"), URIRef(EX + "q")
SHARED = (S, P, Literal("stated twice"))


def assert_union(st: EmbeddedStore) -> None:
    """The default graph holds exactly the distinct triples of the named graphs, blank nodes the same nodes."""
    raw = st._store
    named = {(q.subject, q.predicate, q.object) for q in union.named_quads(raw)}
    default = {(q.subject, q.predicate, q.object) for q in raw.quads_for_pattern(None, None, None, union.DEFAULT)}
    assert default == named, f"only in the union graph: {default - named}; missing from it: {named - default}"


def count(st, where: str = "?s ?p ?o") -> int:
    return int(st.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ {where} }}").rows[0]["n"])


@pytest.fixture(params=["memory", "disk"])
def store(request, tmp_path):
    st = open_store(":memory:" if request.param == "memory" else str(tmp_path / "store"))
    yield st
    st.close()


def test_a_restated_triple_is_one_triple_of_the_default_graph(store):
    store.replace_graphs({A: [SHARED, (S, Q, Literal("only a"))], B: [SHARED]})
    assert_union(store)
    assert count(store) == 2  # a set: the bag union gave 3
    assert count(store, "GRAPH ?g { ?s ?p ?o }") == 3  # the named graphs are as written
    assert store.count() == 3 and len(list(store.quads())) == 3  # the store's data: the named graphs


def test_a_dropped_or_replaced_graph_takes_out_only_what_no_other_graph_states(store):
    store.replace_graphs({A: [SHARED, (S, Q, Literal("only a"))], B: [SHARED], C: [(S, Q, Literal("only c"))]})
    store.drop_graph(A)
    assert_union(store)
    assert count(store, f"<{S}> <{P}> ?o") == 1  # B still states it
    store.replace_graphs({B: [(S, Q, Literal("b again"))], C: []})
    assert_union(store)
    assert count(store) == 1
    store.drop_graph(B)
    assert_union(store)
    assert count(store) == 0


def test_two_graphs_replaced_together_that_both_stated_a_triple(store):
    store.replace_graphs({A: [SHARED], B: [SHARED]})
    store.replace_graphs({A: [], B: [(S, Q, Literal("new"))]})
    assert_union(store)
    assert count(store, f"<{S}> <{P}> ?o") == 0


def test_blank_nodes_are_the_same_nodes_in_a_graph_and_in_the_union(store):
    b = BNode()
    store.replace_graphs({A: [(S, P, b), (b, Q, Literal("inside"))]})
    assert_union(store)
    rows = store.query(f"SELECT ?v WHERE {{ <{S}> <{P}> ?b . ?b <{Q}> ?v }}").rows
    assert [r["v"] for r in rows] == [Literal("inside")]


def test_added_quads_go_to_their_graph_and_the_union(store):
    store.add([(S, P, Literal("one"), A), (S, P, Literal("one"), B), (S, Q, Literal("none"), None)])
    assert_union(store)
    assert count(store) == 2
    assert DEFAULT_GRAPH in store.graphs()  # never the union graph itself


@pytest.mark.parametrize("bulk", [False, True], ids=["transaction", "bulk loader"])
def test_new_graphs_added_whole_go_to_their_graph_and_the_union(store, bulk):
    """add_new_graphs (the status order's writer): into the union graph too; a graph the store holds
    refuses the whole call, and nothing changes."""
    store.replace_graphs({A: [SHARED]})
    store.add_new_graphs({B: [SHARED, (S, Q, Literal("only b"))], C: [(S, Q, Literal("only c"))]}, bulk=bulk)
    assert_union(store)
    assert count(store) == 3 and store.count() == 4
    before = store.export("nquads")
    with pytest.raises(StoreError, match="already holds"):
        store.add_new_graphs({URIRef(EX + "g/d"): [(S, Q, Literal("d"))], A: [(S, Q, Literal("again"))]},
                             bulk=bulk)
    assert store.export("nquads") == before
    assert_union(store)


def test_the_export_holds_the_named_graphs_only(store):
    store.replace_graphs({A: [SHARED], B: [SHARED]})
    quads = list(ox.parse(store.export("nquads"), format=ox.RdfFormat.N_QUADS))
    assert len(quads) == 2 and all(q.graph_name != union.DEFAULT for q in quads)


def test_timed_queries_in_workers_read_the_union_graph(tmp_path):
    with open_store(str(tmp_path / "store")) as st:
        st.replace_graphs({A: [SHARED], B: [SHARED]})
        assert int(st.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", timeout=30).rows[0]["n"]) == 1


def test_a_store_written_before_the_union_graph_gets_it_when_opened_for_writing(tmp_path, capsys):
    path = tmp_path / "old"
    raw = ox.Store(str(path))  # the old layout: named graphs only, no marker
    for g in (A, B):
        raw.add(ox.Quad(ox.NamedNode(S), ox.NamedNode(P), ox.Literal("stated twice"), ox.NamedNode(g)))
    raw.flush()
    del raw
    with EmbeddedStore(path, read_only=True) as st:  # read-only: queried as the bag union, answers still right
        assert not st.union_graph
        assert count(st) == 2
        assert st.query(f"SELECT DISTINCT ?o WHERE {{ <{S}> <{P}> ?o }}").rows == [{"o": Literal("stated twice")}]
    with EmbeddedStore(path) as st:
        assert st.union_graph and union.marked(path)
        assert_union(st)
        assert count(st) == 1
    assert "building it once" in capsys.readouterr().err  # the one slow open says why it is slow


def test_a_rebuild_cut_short_is_done_again_at_the_next_open(tmp_path):
    path = tmp_path / "store"
    with EmbeddedStore(path) as st:
        st.replace_graphs({A: [SHARED], B: [(S, Q, Literal("b"))]})
        st._store.update("CLEAR DEFAULT")  # as a crash in rebuild_union leaves it: cleared, marker removed
        union.unmark(path)
    with EmbeddedStore(path) as st:
        assert_union(st)
        assert count(st) == 2


def nquads(n: int, seed: int = 1) -> str:
    buf = io.StringIO()
    write(n, buf, seed)
    return buf.getvalue()


def unlabelled(nq: bytes) -> list[bytes]:
    """The quads sorted, blank node labels blanked (the bulk loader chooses its own)."""
    return sorted(re.sub(rb"_:[A-Za-z0-9]+", b"_:b", line) for line in nq.splitlines())


@pytest.mark.parametrize("packed", ["nq", "nq.gz"])
def test_bulk_load_and_restore_leave_the_union_graph_complete(tmp_path, packed):
    src = tmp_path / "data.nq"
    src.write_text(nquads(3000, seed=5), encoding="utf-8")
    path = tmp_path / "store"
    bulk.load(EmbeddedStore(path), [src])
    with EmbeddedStore(path) as st:
        assert union.marked(path)
        assert_union(st)
        restated = count(st, "GRAPH ?g { ?s ?p ?o }") - count(st)
        assert restated > 0  # the generated progress reports restate their recommendations
        dump = st.export("nquads")
    release = tmp_path / "release"
    release.mkdir()
    (release / f"data.{packed}").write_bytes(gzip.compress(dump) if packed.endswith("gz") else dump)
    shutil.rmtree(path)
    n = bulk.restore(EmbeddedStore(path), release, verify=False)
    assert n == len(dump.splitlines())
    with EmbeddedStore(path) as st:
        assert union.marked(path)
        assert_union(st)
        assert unlabelled(st.export("nquads")) == unlabelled(dump)


def test_a_bulk_load_into_a_store_that_holds_data_rebuilds_the_union_graph(tmp_path):
    first, second = tmp_path / "first.nq", tmp_path / "second.nq"
    first.write_text(nquads(2000, seed=7), encoding="utf-8")
    second.write_text(nquads(2000, seed=8), encoding="utf-8")
    path = tmp_path / "store"
    bulk.load(EmbeddedStore(path), [first])
    bulk.load(EmbeddedStore(path), [second])  # the batched gate, which queries the staging store
    with EmbeddedStore(path) as st:
        assert union.marked(path)
        assert_union(st)


def test_a_graph_name_that_would_end_the_iri_in_the_update_is_refused_and_nothing_changes(store):
    store.replace_graphs({A: [SHARED]})
    before = store.export("nquads")
    # valid after `DROP SILENT GRAPH <`: ends the IRI, drops everything, comments out the rest of the line
    hostile = URIRef(EX + "g> ; DROP ALL ; #\n#")
    with pytest.raises(StoreError, match="nothing was written: Invalid IRI"):  # refused as a name, before any update
        store.replace_graphs({hostile: []})  # no triples: its name is still written into the update
    assert store.export("nquads") == before
    assert_union(store)


BLANK_LINES = {
    "named": f'_:n1 <{EX}p> "in a named graph" <{A}> .\n<{EX}s2> <{EX}q> _:n1 <{A}> .\n',
    "default": f'_:n2 <{EX}p> "in no named graph" .\n',
}


@pytest.mark.parametrize("where", ["named", "default"])
def test_the_union_copy_keeps_blank_nodes_and_leaves_nothing_in_the_store(tmp_path, where):
    """The bulk paths take the union graph's triples from a child process's read of their input
    (store/union_copy.py), which leaves out triples with blank nodes: those of a named graph are copied from
    the store, as the bulk loader labelled them; one outside any named graph makes the union graph be rebuilt.
    Either way the union graph is complete, and none of the child's files stay in the store's folder."""
    src = tmp_path / "data.nq"
    src.write_text(nquads(1500, seed=3) + BLANK_LINES[where], encoding="utf-8")
    path = tmp_path / "store"
    bulk.load(EmbeddedStore(path), [src])
    with EmbeddedStore(path) as st:
        assert union.marked(path)
        assert_union(st)
        assert count(st, "?x ?p ?o FILTER(isBlank(?x))") >= 1
        dump = st.export("nquads")
    assert not list(path.glob("jiukg-union-copy*"))
    release = tmp_path / "release"
    release.mkdir()
    (release / "data.nq.gz").write_bytes(gzip.compress(dump))
    shutil.rmtree(path)
    bulk.restore(EmbeddedStore(path), release, verify=False)
    with EmbeddedStore(path) as st:
        assert union.marked(path)
        assert_union(st)
    assert not list(path.glob("jiukg-union-copy*"))


def test_the_union_copy_says_what_it_could_not_read_and_hashes_what_it_read(tmp_path):
    from jiukg.store.union_copy import UnionCopy

    good = tmp_path / "good.nq.gz"
    good.write_bytes(gzip.compress(nquads(300, seed=4).encode()))
    bad = tmp_path / "bad.nq"
    bad.write_text(nquads(300, seed=4) + "<https://example.org/s> this is not N-Quads .\n", encoding="utf-8")
    copy = UnionCopy([(good, ox.RdfFormat.N_QUADS)], tmp_path)
    st = ox.Store()
    copy.load(st)
    assert copy.complete and copy.result()["sha256"] == [bulk.sha256(good)]
    assert len(st) == len({(q.subject, q.predicate, q.object) for q in ox.parse(
        gzip.decompress(good.read_bytes()), ox.RdfFormat.N_QUADS)})
    copy.close()
    copy = UnionCopy([(good, ox.RdfFormat.N_QUADS), (bad, ox.RdfFormat.N_QUADS)], tmp_path)
    with pytest.raises(ValueError, match=r"bad\.nq: not valid N-Quads \(Parser error at line \d+"):
        copy.load(ox.Store())
    assert not copy.complete
    copy.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.nq", "good.nq.gz"]
