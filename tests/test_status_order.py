"""The status order jiukg derives at write time (jiukg/status_order.py): each organisation's statements in
order, kept equal to a fresh derivation by every kind of write, and never written from outside.

Real stores (pyoxigraph in memory and on disk), the real pipeline and bulk paths, the bundled corpus.
"""

from __future__ import annotations

import shutil

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from jiukg import bulk, pipeline, status_order
from jiukg.namespaces import GRAPH, ID, JIU, STATUS_ORDER_GRAPHS, graph_iri
from jiukg.paths import CORPUS_DIR
from jiukg.store import open_store
from jiukg.store.embedded import EmbeddedStore

WIPO = ID["org/WIPO"]
EX = "https://example.org/"


def day(text: str) -> Literal:
    return Literal(text, datatype=XSD.date)


def held(store) -> dict[URIRef, set]:
    """The status-order graphs the store holds, as sets of triples."""
    return {g: set(store.graph(g)) for g in store.graphs() if str(g).startswith(STATUS_ORDER_GRAPHS)}


def assert_current(store) -> None:
    """What the store holds is what deriving it again from the documents gives."""
    fresh = {g: set(data) for g, data in status_order.derive(store).items() if len(data)}
    assert held(store) == fresh


def statement(g: list, name: str, org: URIRef, rec: URIRef, as_of: str | None) -> URIRef:
    s = URIRef(EX + name)
    g += [(s, JIU.reportingOrganization, org), (s, JIU.aboutRecommendation, rec)]
    if as_of:
        g.append((s, JIU.asOf, day(as_of)))
    return s


def test_succession_ties_later_reports_and_the_latest_date():
    """Two statements of one date both succeed the earlier one; a report of the organisation between two
    statements supersedes the earlier first; an undated statement is in no order; another organisation's
    statements stay out."""
    org, other = URIRef(EX + "org/A"), URIRef(EX + "org/B")
    r1, r2 = URIRef(EX + "rec/1"), URIRef(EX + "rec/2")
    data: list = []
    s1 = statement(data, "s1", org, r1, "2020-02-28")
    s2a = statement(data, "s2a", org, r1, "2022-02-28")
    s2b = statement(data, "s2b", org, r1, "2022-02-28")
    s3 = statement(data, "s3", org, r1, "2024-02-28")
    undated = statement(data, "undated", org, r1, None)
    t1 = statement(data, "t1", org, r2, "2020-02-28")
    statement(data, "b1", other, r1, "2019-01-01")
    report = URIRef(EX + "report")
    data += [(report, JIU.preparedBy, org), (report, JIU.statusesAsOf, day("2021-03-01"))]
    st = open_store(":memory:")
    st.replace_graphs({URIRef(EX + "g"): data})
    graphs = status_order.refresh(st)
    mine = set(graphs[status_order.graph_for(org)])
    assert {(s, o) for s, p, o in mine if p == JIU.succeededBy} == {(s1, s2a), (s1, s2b), (s2a, s3), (s2b, s3)}
    assert {(s, o) for s, p, o in mine if p == JIU.supersededOn} == {
        (s1, day("2021-03-01")),  # the report, before the next statement
        (s2a, day("2024-02-28")), (s2b, day("2024-02-28")),
        (t1, day("2021-03-01")),  # the report does not list rec 2: it closes it
    }
    assert (org, JIU.latestStatusAsOf, day("2024-02-28")) in mine
    assert not any(undated in (s, o) for s, _, o in mine)
    assert not any(s3 == s for s, p, _ in mine if p in (JIU.succeededBy, JIU.supersededOn))  # the latest
    assert set(graphs[status_order.graph_for(other)]) == {(other, JIU.latestStatusAsOf, day("2019-01-01"))}


def test_every_pipeline_write_keeps_the_order_current():
    st = open_store(":memory:")
    pipeline.build(st, CORPUS_DIR)
    assert_current(st)
    first = order = held(st)[status_order.graph_for(WIPO)]
    assert (WIPO, JIU.latestStatusAsOf, day("2025-02-28")) in order
    # WO/PBC/35/2 (as at 2023-02-28) is succeeded by WO/PBC/38/2 (as at 2025-02-28) on the recommendations both list
    pairs = [(s, o) for s, p, o in order if p == JIU.succeededBy]
    assert pairs and all("WO-PBC-35-2" in s and "WO-PBC-38-2" in o for s, o in pairs)
    pipeline.delete(st, ["WO/PBC/38/2"])
    assert_current(st)
    order = held(st)[status_order.graph_for(WIPO)]
    assert (WIPO, JIU.latestStatusAsOf, day("2023-02-28")) in order
    assert not any(p == JIU.succeededBy for _, p, _ in order)
    pipeline.load(st, [f for f in CORPUS_DIR.iterdir() if "WO/PBC/38/2" in f.read_text("utf-8")[:300]])
    assert_current(st)
    assert held(st)[status_order.graph_for(WIPO)] == first
    pipeline.delete(st, ["WO/PBC/38/2", "WO/PBC/35/2"])
    assert held(st) == {}  # an organisation with nothing left has no graph


def test_a_sparql_update_keeps_the_order_current():
    """The service's SPARQL Update: evaluated on a copy, committed through the pipeline."""
    from jiukg import updates

    st = open_store(":memory:")
    pipeline.build(st, CORPUS_DIR)
    changed = updates.evaluate(st, f"""PREFIX jiu: <{JIU}>
        DELETE {{ GRAPH ?g {{ ?s jiu:asOf ?d }} }} INSERT {{ GRAPH ?g {{ ?s jiu:asOf "2026-01-31"^^<{XSD.date}> }} }}
        WHERE {{ GRAPH ?g {{ ?s jiu:asOf ?d FILTER(?d = "2023-02-28"^^<{XSD.date}>) }} }}""")
    assert changed and not any(status_order.is_order_graph(g) for g in changed)  # never handed to the update
    pipeline.commit(st, [pipeline.Prepared("update", changed)], replace=True)
    assert_current(st)
    assert (WIPO, JIU.latestStatusAsOf, day("2026-01-31")) in held(st)[status_order.graph_for(WIPO)]


def test_the_order_cannot_be_written_from_outside(tmp_path):
    st = open_store(":memory:")
    pipeline.build(st, CORPUS_DIR)
    before = st.export("nquads")
    forged = tmp_path / "forged.trig"
    forged.write_text(f"<{status_order.graph_for(WIPO)}> {{ <{WIPO}> <{JIU.latestStatusAsOf}> "
                      f'"2099-01-01"^^<{XSD.date}> }}', encoding="utf-8")
    with pytest.raises(pipeline.WriteRefused, match="written by jiukg itself"):
        pipeline.load(st, [forged])
    assert st.export("nquads") == before
    with pytest.raises(pipeline.WriteRefused, match="written by jiukg itself"):
        pipeline.delete(st, [str(status_order.graph_for(WIPO))])
    # in a whole dump, the graphs are skipped and derived again
    dump = tmp_path / "dump.nq"
    dump.write_bytes(before.replace(b'"2025-02-28"^^<http://www.w3.org/2001/XMLSchema#date> <' +
                                    str(status_order.graph_for(WIPO)).encode(),
                                    b'"2099-01-01"^^<http://www.w3.org/2001/XMLSchema#date> <' +
                                    str(status_order.graph_for(WIPO)).encode()))
    assert dump.read_bytes() != before
    fresh = open_store(":memory:")
    pipeline.load(fresh, [dump])
    assert_current(fresh)
    assert (WIPO, JIU.latestStatusAsOf, day("2025-02-28")) in held(fresh)[status_order.graph_for(WIPO)]
    from jiukg.auth import Token

    admin = Token(name="admin", digest="0" * 64, admin=True)
    assert not admin.may_write(status_order.graph_for(WIPO)) and admin.may_write(graph_iri("WO/PBC/38/2"))


def test_bulk_load_and_a_restore_of_an_older_release_derive_the_order(tmp_path):
    built = open_store(":memory:")
    pipeline.build(built, CORPUS_DIR)
    dump = built.export("nquads")
    want = held(built)
    src = tmp_path / "corpus.nq"
    src.write_bytes(b"\n".join(line for line in dump.splitlines() if STATUS_ORDER_GRAPHS.encode() not in line))
    path = tmp_path / "store"
    bulk.load(EmbeddedStore(path), [src])
    with EmbeddedStore(path) as st:
        assert held(st) == want
        assert_current(st)
    # a release made before the status order existed: restored, then derived
    release = tmp_path / "release"
    release.mkdir()
    shutil.copy(src, release / "data.nq")
    shutil.rmtree(path)
    bulk.restore(EmbeddedStore(path), release, verify=False)
    with EmbeddedStore(path) as st:
        assert held(st) == want
    assert GRAPH["status-order/WIPO"] in want


def test_a_bulk_load_into_a_store_that_holds_the_order_derives_it_again(tmp_path):
    """The loaded graphs replace some of the store's; the order is derived whole in the staging store (not
    copied from the store), written by the bulk loader into its graphs and the union graph, and the catalogue
    records each order graph the store holds, and no other."""
    from jiukg.namespaces import CATALOGUE_GRAPH

    built = open_store(":memory:")
    pipeline.build(built, CORPUS_DIR)
    want = held(built)
    dump = [line for line in built.export("nquads").splitlines() if STATUS_ORDER_GRAPHS.encode() not in line]
    everything, one = tmp_path / "corpus.nq", tmp_path / "one.nq"
    everything.write_bytes(b"\n".join(dump))
    doc = graph_iri("WO/PBC/38/2").encode()
    one.write_bytes(b"\n".join(line for line in dump if line.rstrip().endswith(b"<" + doc + b"> .")))
    assert len(one.read_bytes().splitlines()) > 100
    path = tmp_path / "store"
    bulk.load(EmbeddedStore(path), [everything])
    bulk.load(EmbeddedStore(path), [one])
    with EmbeddedStore(path) as st:
        assert held(st) == want
        assert_current(st)
        recorded = {g for g in st.graph(CATALOGUE_GRAPH).subjects() if status_order.is_order_graph(g)}
        assert recorded == set(want)
        # in the union graph too, as every query reads it
        assert st.query(f"ASK {{ ?s {JIU.succeededBy.n3()} ?t }}").boolean


def test_a_store_written_before_the_status_order_gets_it_when_served(tmp_path):
    from service.app import ensure_built

    st = open_store(":memory:")
    pipeline.build(st, CORPUS_DIR)
    want = held(st)
    for g in want:
        st.drop_graph(g)  # as jiukg wrote stores before it kept the order
    assert held(st) == {}
    ensure_built(st)
    assert held(st) == want
    assert not status_order.ensure(st)  # once


def test_an_organisation_iri_never_makes_a_path_of_its_graph_name():
    """Any organisation IRI a steward writes gets one graph of its own: the reference data's by acronym,
    every other by a digest, never a name with `..`, a slash or a query part."""
    assert status_order.graph_for(WIPO) == GRAPH["status-order/WIPO"]
    odd = [URIRef(str(ID["org/.."])), URIRef(str(ID["org/a/../catalogue"])), URIRef(str(ID["org/X?y=1"])),
           URIRef("http://example.org/org/WIPO"), URIRef(str(ID["org/"]))]
    names = [status_order.graph_for(o) for o in odd]
    assert len(set(names)) == len(odd)
    for n in names:
        local = str(n)[len(STATUS_ORDER_GRAPHS):]
        assert local.startswith("iri-") and local[4:].isalnum(), n
    st = open_store(":memory:")
    data: list = []
    statement(data, "s", odd[0], URIRef(EX + "rec/1"), "2020-01-01")
    pipeline.commit(st, [pipeline.Prepared("steward", {URIRef(EX + "g"): _graph(data)})], validate=False)
    assert set(held(st)) == {names[0]}
    assert_current(st)


def _graph(triples):
    from rdflib import Graph

    g = Graph()
    for t in triples:
        g.add(t)
    return g
