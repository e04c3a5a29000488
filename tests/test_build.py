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
from jiukg.namespaces import CATALOGUE_GRAPH, STATUS_ORDER_GRAPHS, graph_iri, written_by_jiukg
from jiukg.store import open_store
from loaders import UnrecognisedDocument
from loaders.base import IncompleteDocument

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
    assert path.name in str(err.value)
    if kind == "truncated":  # recognised, and refused for what it lacks
        assert isinstance(err.value, IncompleteDocument) and "before “[附件四和文件完]”" in str(err.value)
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
    documents = [g for g in st.graphs() if not written_by_jiukg(g) and "/graph/" in str(g)]
    assert len(documents) == 7  # five documents, the ontology, the reference data
    order = [g for g in st.graphs() if str(g).startswith(STATUS_ORDER_GRAPHS)]
    assert [str(g).rsplit("/", 1)[1] for g in order] == ["WIPO"]  # the one organisation with statements
    for g in documents + order:
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


# --- a build refuses incomplete documents; other files are skipped, saying why ----------------------------

def _corpus_with(tmp_path, corpus_dir, name: str, text: str) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    for p in corpus_dir.iterdir():
        shutil.copy(p, folder / p.name)
    (folder / name).write_text(text, encoding="utf-8")
    return folder


def test_build_refuses_a_corpus_with_an_incomplete_document_and_writes_nothing(tmp_path, corpus_dir):
    raw = (corpus_dir / "wipo-pbc35-jiu-progress.zh.md").read_text(encoding="utf-8")
    folder = _corpus_with(tmp_path, corpus_dir, "wipo-pbc35-jiu-progress.zh.md", raw[: raw.index("[后接附件三]")])
    store = str(tmp_path / "store")
    assert subprocess.run([JIUKG, "build", "--store", store, "-q"], capture_output=True).returncode == 0
    before = subprocess.run([JIUKG, "export", "--store", store], capture_output=True).stdout
    out = subprocess.run([JIUKG, "build", "--store", store, "--corpus", str(folder)], capture_output=True, text=True)
    assert out.returncode == 1, out.stderr
    assert "Traceback" not in out.stderr
    error = [line for line in out.stderr.splitlines() if line.startswith("error:")]
    assert len(error) == 1 and "wipo-pbc35-jiu-progress.zh.md" in error[0] and "nothing was written" in error[0]
    assert "附件三 is announced but not in the text" in error[0] and "“[附件三和文件完]”" in error[0]
    assert subprocess.run([JIUKG, "export", "--store", store], capture_output=True).stdout == before
    # into an empty store: nothing at all
    empty = open_store(":memory:")
    with pytest.raises(pipeline.DocumentsRefused) as err:
        pipeline.build(empty, folder)
    assert err.value.refused[0].startswith("wipo-pbc35-jiu-progress.zh.md: the document is incomplete")
    assert empty.count() == 0


def test_build_skips_what_is_no_document_with_a_line_saying_so(tmp_path, corpus_dir):
    folder = _corpus_with(tmp_path, corpus_dir, "notes.txt", "Reading list for the next corpus update.\n")
    lines = []
    summary = pipeline.build(open_store(":memory:"), folder, progress=lines.append)
    assert summary.documents == 5
    skips = [line for line in lines if line.startswith("skip")]
    assert sorted(skips) == [f"skip  (not a document) {name}: not a document kind jiukg knows (a progress report on "
                             "JIU recommendations, a note transmitting CEB comments, an SG accountability report, a "
                             "CEB annual overview) nor an RDF file" for name in ("README.md", "notes.txt")]
    assert [line for line in summary.lines() if line.startswith("skipped")] == [
        f"skipped (not a document) {s}" for s in summary.skipped]


# --- load into an empty store brings the ontology and reference data ---------------------------------------

def test_load_into_an_empty_store_adds_the_ontology_and_reference_data(tmp_path, corpus_dir):
    from jiukg.namespaces import ONTOLOGY_GRAPH, REFERENCE_GRAPH

    store = str(tmp_path / "fresh")
    out = subprocess.run([JIUKG, "load", "--store", store, str(corpus_dir / "wipo-pbc38-jiu-progress.zh.txt")],
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert "added the ontology and reference data graphs the store did not hold" in out.stdout
    csv = subprocess.run([JIUKG, "query", "ceb-deferrals", "--store", store, "--param", "org=WIPO", "--format", "csv"],
                         capture_output=True, text=True).stdout.splitlines()
    assert len(csv) > 1 and ",CEB," in csv[1]  # the mechanism's label comes from the reference data
    status = subprocess.run([JIUKG, "query", "recommendation-status", "--store", store, "--format", "csv"],
                            capture_output=True, text=True).stdout.splitlines()
    column = status[0].split(",").index("organization")
    assert status[1:] and all(row.split(",")[column] == "WIPO" for row in status[1:])
    with open_store(store) as st:
        assert {ONTOLOGY_GRAPH, REFERENCE_GRAPH} <= set(st.graphs())
        assert st.count(REFERENCE_GRAPH) == len(pipeline.static_graphs()[REFERENCE_GRAPH])
        # a second load finds them there and adds nothing
        again = pipeline.load(st, [corpus_dir / "wipo-pbc38-jiu-progress.zh.txt"])
        assert again.static_added == [] and not any(line.startswith("added the") for line in again.lines())


# --- what the summary says ----------------------------------------------------------------------------------

def test_summary_tells_records_per_document_from_distinct_recommendations(corpus_dir):
    st = open_store(":memory:")
    lines = []
    summary = pipeline.build(st, corpus_dir, progress=lines.append)
    # WO/PBC/38/2 35, WO/PBC/35/2 24 and the note 5 records; several are the same recommendation
    assert summary.records["recommendation"] == 64
    distinct = st.query("SELECT (COUNT(DISTINCT ?r) AS ?n) WHERE { GRAPH ?g { ?r a "
                        "<https://w3id.org/jiukg/ontology#Recommendation> } }").rows[0]["n"].toPython()
    assert summary.distinct == {"recommendation": distinct} and distinct < 64
    text = summary.lines()
    assert text[0].startswith("5 documents read; records per document, summed: ") and "64 recommendation" in text[0]
    assert text[1] == f"the store holds {distinct} distinct recommendations, {st.count()} triples"
    assert text[2].startswith(f"{len(summary.warnings)} loader warnings (the loaders' own checks")
    assert text[3] == f"validation report: {summary.validation.summary()}"
    read = {line.split(":", 1)[0]: line for line in lines if line.startswith("read")}
    assert read["read  wipo-pbc35-jiu-progress.zh.md"].endswith(
        ": 24 earlier status, 5 listing, 24 recommendation, 8 review, 24 status; 1 loader warning")
    assert "5 recommendation" in read["read  sg-note-ceb-comments-jiu-rep-2024-4.zh.txt"]


def test_build_quiet_prints_only_the_summary(tmp_path):
    out = subprocess.run([JIUKG, "build", "--store", str(tmp_path / "q"), "-q"], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stderr == ""  # no progress, no loader warnings, no SHACL table
    lines = out.stdout.splitlines()
    assert lines[0].startswith("5 documents read") and lines[-1].endswith(" s")
    assert any(line.startswith("validation report: ") for line in lines)
    loud = subprocess.run([JIUKG, "build", "--store", str(tmp_path / "q")], capture_output=True, text=True)
    assert "warning: " in loud.stderr and loud.stdout.splitlines()[0] == lines[0]


def test_build_quiet_still_shows_the_violations_that_refuse_it(tmp_path, corpus_dir):
    bad = tmp_path / "corpus"
    bad.mkdir()
    shutil.copy(corpus_dir / "wipo-pbc38-jiu-progress.zh.txt", bad)
    # a status statement with two acceptance values breaks a shape (sh:maxCount 1)
    (bad / "extra.ttl").write_text(
        "@prefix jiu: <https://w3id.org/jiukg/ontology#> .\n"
        "<https://w3id.org/jiukg/id/doc/JIU/REP/2024/4/rec/1/status/WIPO/WO-PBC-38-2> jiu:acceptance "
        "<https://w3id.org/jiukg/vocab/acceptance/accepted> .\n", encoding="utf-8")
    out = subprocess.run([JIUKG, "build", "--store", str(tmp_path / "s"), "--corpus", str(bad), "-q"],
                         capture_output=True, text=True)
    assert out.returncode == 1, out.stdout + out.stderr
    assert "Violation" in out.stderr and "Warning " not in out.stderr
    assert out.stderr.strip().splitlines()[-1].startswith("error: the data breaks the shapes")
