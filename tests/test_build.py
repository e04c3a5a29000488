"""Building and loading the corpus through the one write pipeline."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.compare import to_isomorphic

from jiukg import pipeline
from jiukg.namespaces import CATALOGUE_GRAPH, graph_iri
from jiukg.store import open_store
from loaders import UnrecognisedDocument

JIUKG = str(Path(sys.executable).with_name("jiukg"))
SOURCES = ["wipo-pbc38-jiu-progress.zh.txt", "wipo-pbc35-jiu-progress.zh.md", "sg-note-ceb-comments-jiu-rep-2024-4.zh.txt",
           "sg-accountability-report-11.zh.txt", "ceb-annual-overview-2022.zh.txt"]


def canonical(store) -> dict[str, Graph]:
    """Each named graph in canonical form (blank nodes relabelled), for exact comparison;
    the catalogue of graphs is left out (it records when each was written)."""
    return {str(g): to_isomorphic(store.graph(g)) for g in store.graphs() if g != CATALOGUE_GRAPH}


def export(store) -> bytes:
    return b"\n".join(sorted(store.export("nquads").splitlines()))


def test_build_loads_all_five_documents(built_store, corpus_dir):
    st = open_store(":memory:")
    summary = pipeline.build(st, corpus_dir)
    assert summary.documents == 5
    # only the README is not a document
    assert len(summary.skipped) == 1 and "README.md" in summary.skipped[0]
    for kind in ("recommendation", "status", "ceb-comment", "resolution-follow-up", "observation", "mechanism"):
        assert summary.records[kind] > 0, kind
    assert summary.triples == st.count() > 1000


def test_same_graph_whatever_order_and_file_names(tmp_path, corpus_dir):
    # renamed files sort in the opposite order, so documents are read in reverse
    renamed = tmp_path / "renamed"
    renamed.mkdir()
    for i, name in enumerate(SOURCES):
        shutil.copy(corpus_dir / name, renamed / f"{9 - i}-{i}.dat")
    a, b = open_store(":memory:"), open_store(":memory:")
    pipeline.build(a, corpus_dir)
    pipeline.build(b, renamed)
    assert canonical(a) == canonical(b)


def test_documents_loaded_one_by_one_in_reverse_give_the_built_graph(corpus_dir):
    a, b = open_store(":memory:"), open_store(":memory:")
    pipeline.build(a, corpus_dir)
    b.replace_graphs(pipeline.static_graphs())
    for name in reversed(SOURCES):
        pipeline.load(b, [corpus_dir / name])
    assert canonical(a) == canonical(b)


def test_loading_a_document_twice_changes_nothing(corpus_dir):
    st = open_store(":memory:")
    pipeline.build(st, corpus_dir)
    before = canonical(st)
    pipeline.load(st, [corpus_dir / SOURCES[0]])
    pipeline.load(st, [corpus_dir / SOURCES[0]])
    assert canonical(st) == before


@pytest.fixture
def built_copy(tmp_path, corpus_dir):
    st = open_store(str(tmp_path / "store"))
    pipeline.build(st, corpus_dir)
    return st


def _bad_files(tmp_path, corpus_dir):
    garbage = tmp_path / "garbage.txt"
    garbage.write_bytes(bytes(range(256)) * 8)
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    words = tmp_path / "words.txt"
    words.write_text("Lorem ipsum dolor sit amet, nothing here is a UN document.\n" * 20)
    raw = (corpus_dir / SOURCES[0]).read_text(encoding="utf-8")
    truncated = tmp_path / "truncated.txt"
    truncated.write_text(raw[: len(raw) // 3], encoding="utf-8")
    return {"garbage": garbage, "empty": empty, "words": words, "truncated": truncated}


@pytest.mark.parametrize("kind", ["garbage", "empty", "words", "truncated"])
def test_bad_input_is_refused_and_store_unchanged(kind, tmp_path, corpus_dir, built_copy):
    path = _bad_files(tmp_path, corpus_dir)[kind]
    before = export(built_copy)
    with pytest.raises((UnrecognisedDocument, pipeline.WriteRefused)) as err:
        pipeline.load(built_copy, [path])
    assert path.name in str(err.value) or kind == "truncated"
    assert export(built_copy) == before


@pytest.mark.parametrize("kind", ["garbage", "empty", "truncated"])
def test_cli_load_of_bad_input_says_what_and_changes_nothing(kind, tmp_path, corpus_dir):
    store = tmp_path / "cli-store"
    assert subprocess.run([JIUKG, "build", "--store", str(store), "-q"], capture_output=True).returncode == 0
    before = subprocess.run([JIUKG, "export", "--store", str(store)], capture_output=True).stdout
    path = _bad_files(tmp_path, corpus_dir)[kind]
    out = subprocess.run([JIUKG, "load", "--store", str(store), str(path)], capture_output=True, text=True)
    assert out.returncode != 0
    assert "Traceback" not in out.stderr
    assert path.name in out.stderr
    after = subprocess.run([JIUKG, "export", "--store", str(store)], capture_output=True).stdout
    assert sorted(after.splitlines()) == sorted(before.splitlines())


def test_the_catalogue_records_when_and_from_what_each_graph_was_written(corpus_dir):
    from rdflib.namespace import DCTERMS, PROV

    st = open_store(":memory:")
    pipeline.build(st, corpus_dir)
    cat = st.graph(CATALOGUE_GRAPH)
    documents = [g for g in st.graphs() if g not in (CATALOGUE_GRAPH,) and "/graph/" in str(g)]
    assert len(documents) == 7  # five documents, the ontology, the reference data
    for g in documents:
        assert cat.value(g, PROV.generatedAtTime) is not None, g
    assert cat.value(graph_iri("WO/PBC/38/2"), DCTERMS.source) is not None
    first = cat.value(graph_iri("WO/PBC/38/2"), PROV.generatedAtTime)
    pipeline.load(st, [p for p in corpus_dir.iterdir() if "WO/PBC/38/2" in p.read_text("utf-8")[:300]])
    cat = st.graph(CATALOGUE_GRAPH)
    assert len(list(cat.objects(graph_iri("WO/PBC/38/2"), PROV.generatedAtTime))) == 1  # replaced, not added
    assert cat.value(graph_iri("A/76/644"), PROV.generatedAtTime) == first  # other entries kept


@pytest.mark.parametrize("fmt,suffix", [("turtle", ".ttl"), ("nt", ".nt"), ("json-ld", ".jsonld"),
                                        ("trig", ".trig"), ("nquads", ".nq")])
def test_a_steward_s_rdf_file_loads_into_its_document_graph(fmt, suffix, tmp_path, built_store):
    """RDF in any standard syntax goes through the same gate into the graph of the document it
    describes, so loading it replaces exactly that document's statements."""
    from rdflib import Dataset

    gid = graph_iri("A/80/263/Add.1")
    original = built_store.graph(gid)
    path = tmp_path / f"note{suffix}"
    if fmt in ("trig", "nquads"):
        ds = Dataset()
        for t in original:
            ds.graph(gid).add(t)
        ds.serialize(path, format=fmt)
    else:
        original.serialize(path, format=fmt)
    st = open_store(":memory:")
    st.replace_graphs(pipeline.static_graphs())
    summary = pipeline.load(st, [path])
    assert summary.documents == 1
    assert gid in st.graphs()
    assert to_isomorphic(st.graph(gid)) == to_isomorphic(original)
