"""The bulk path (`jiukg load --bulk`, `jiukg restore`): gated, and all or nothing even when killed.

Real on-disk stores, real subprocesses; the SIGKILL lands while pyoxigraph's bulk loader is
reading (the input is a FIFO the test has not finished writing), not after a guessed delay.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.generate import write  # noqa: E402
from jiukg import bulk, pipeline  # noqa: E402
from jiukg.namespaces import JIU  # noqa: E402
from jiukg.store import open_store  # noqa: E402

JIUKG = str(Path(sys.executable).with_name("jiukg"))


def nquads(n: int, seed: int = 1) -> str:
    buf = io.StringIO()
    write(n, buf, seed)
    return buf.getvalue()


def broken_halfway(text: str) -> str:
    """The same data with one status statement of its last progress report (after the JIU reports and
    CEB notes) missing its organisation."""
    lines = text.splitlines(keepends=True)
    victim = max(i for i, line in enumerate(lines) if f"<{JIU.reportingOrganization}>" in line)
    return "".join(lines[:victim] + lines[victim + 1:])


def export(path: Path) -> bytes:
    with open_store(str(path)) as st:
        return st.export("nquads")


def unlabelled(nq: bytes) -> list[bytes]:
    """The quads sorted, blank node labels blanked (a parser chooses its own)."""
    return sorted(re.sub(rb"_:[A-Za-z0-9]+", b"_:b", line) for line in nq.splitlines())


@pytest.fixture
def filled(tmp_path) -> Path:
    """An on-disk store holding a first year of data (loaded the ordinary way)."""
    src = tmp_path / "first.nq"
    src.write_text(nquads(2500, seed=3), encoding="utf-8")
    store = tmp_path / "store"
    with open_store(str(store)) as st:
        pipeline.load(st, [src])
    return store


def test_bulk_load_gives_the_graphs_the_ordinary_load_gives(tmp_path):
    src = tmp_path / "data.nq.gz"
    text = nquads(6000)
    src.write_bytes(gzip.compress(text.encode()))
    plain = tmp_path / "plain.nq"
    plain.write_text(text, encoding="utf-8")
    with open_store(str(tmp_path / "a")) as st:
        summary = bulk.load(st, [src], batch_triples=1000)
    with open_store(str(tmp_path / "b")) as st:
        ordinary = pipeline.load(st, [plain]).validation
    assert ordinary.conforms and ordinary.count("Warning") > 0
    assert sorted(r.key() for r in summary.validation.results) == sorted(r.key() for r in ordinary.results)
    with open_store(str(tmp_path / "a")) as a, open_store(str(tmp_path / "b")) as b:
        assert a.graphs() == b.graphs()
        for g in a.graphs():
            if "_:" not in text and "catalogue" not in str(g) and "ontology" not in str(g):
                assert set(a.graph(g)) == set(b.graph(g)), g  # ontology: blank nodes differ per parse
        cat = a.graph(pipeline.CATALOGUE_GRAPH)
        assert len(set(cat.subjects())) == len(a.graphs()) - 1  # every graph recorded


def test_a_triples_file_goes_to_its_documents_graph(tmp_path):
    one = nquads(10).splitlines()  # the first document: the statistics report A/45/644
    src = tmp_path / "report.nt"
    src.write_text("".join(line.rsplit(" ", 2)[0] + " .\n" for line in one), encoding="utf-8")
    with open_store(str(tmp_path / "s")) as st:
        bulk.load(st, [src])
    with open_store(str(tmp_path / "s")) as st:
        assert "https://w3id.org/jiukg/graph/A/45/644" in {str(g) for g in st.graphs()}


def test_a_load_refused_half_way_leaves_the_store_exactly_as_it_was(tmp_path, filled):
    before = export(filled)
    bad = tmp_path / "bad.nq"
    bad.write_text(broken_halfway(nquads(6000, seed=5)), encoding="utf-8")
    seen = []
    with open_store(str(filled)) as st:
        with pytest.raises(pipeline.WriteRefused) as e:
            bulk.load(st, [bad], batch_triples=1500, progress=seen.append)
    gates = [s for s in seen if s.startswith("gate")]
    assert len(gates) >= 3 and "0 violations" in gates[0]  # earlier batches passed: refused half-way
    assert any(r.path == JIU.reportingOrganization for r in e.value.report.results if r.severity == "Violation")
    assert export(filled) == before
    assert bulk._staging_dirs(filled) == []  # nothing left beside it


def test_a_refused_load_into_an_empty_store_leaves_it_empty(tmp_path):
    """Into an empty store the gate runs in one pass (all the data is new): a violation anywhere refuses it all."""
    store = tmp_path / "empty"
    with open_store(str(store)):
        pass
    before = export(store)
    bad = tmp_path / "bad.nq"
    bad.write_text(broken_halfway(nquads(6000, seed=5)), encoding="utf-8")
    seen = []
    with open_store(str(store)) as st:
        with pytest.raises(pipeline.WriteRefused) as e:
            bulk.load(st, [bad], progress=seen.append)
    assert any("in one pass" in s for s in seen)
    assert any(r.path == JIU.reportingOrganization for r in e.value.report.results if r.severity == "Violation")
    assert export(store) == before
    assert bulk._staging_dirs(store) == []


def test_the_cli_refuses_and_says_why(tmp_path, filled):
    before = export(filled)
    bad = tmp_path / "bad.nq"
    bad.write_text(broken_halfway(nquads(6000, seed=5)), encoding="utf-8")
    out = subprocess.run([JIUKG, "load", "--bulk", "--replace", "-q", str(bad), "--store", str(filled)],
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 1, out.stderr
    assert "nothing was written" in out.stderr and "reportingOrganization" in out.stderr
    assert export(filled) == before


def test_sigkill_during_a_bulk_load_leaves_the_store_exactly_as_it_was(tmp_path, filled):
    before = export(filled)
    fifo = tmp_path / "stream.nq"
    os.mkfifo(fifo)
    proc = subprocess.Popen([JIUKG, "load", "--bulk", "--replace", "-q", str(fifo), "--store", str(filled)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    data = nquads(20000, seed=9).encode()
    with open(fifo, "wb") as f:  # opens once the loader has opened it for reading
        f.write(data[: len(data) // 2])  # returns once the loader has read most of it: it is mid-load
        f.flush()
        staging = bulk._staging_dirs(filled)
        assert staging, "the load writes into a staging store beside the store"
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    assert export(filled) == before
    # the next bulk load clears what the killed one left
    good = tmp_path / "good.nq"
    good.write_text(nquads(1500, seed=11), encoding="utf-8")
    with open_store(str(filled)) as st:
        bulk.load(st, [good])
    assert bulk._staging_dirs(filled) == []
    assert export(filled) != before  # and the store took it


def _release(tmp_path: Path, store: Path) -> Path:
    rel = tmp_path / "release"
    rel.mkdir()
    dump = gzip.compress(export(store))
    (rel / "jiukg-test.nq.gz").write_bytes(dump)
    (rel / "SHA256SUMS").write_text(f"{hashlib.sha256(dump).hexdigest()}  jiukg-test.nq.gz\n")
    return rel


def test_restore_puts_a_release_back_and_refuses_a_bad_checksum(tmp_path, filled):
    rel = _release(tmp_path, filled)
    other = tmp_path / "other"
    src = tmp_path / "x.nq"
    src.write_text(nquads(800, seed=2), encoding="utf-8")
    with open_store(str(other)) as st:
        pipeline.load(st, [src])
    other_before = export(other)
    sums = (rel / "SHA256SUMS").read_text()
    (rel / "SHA256SUMS").write_text("0" * 64 + sums[64:])
    out = subprocess.run([JIUKG, "restore", str(rel), "--store", str(other)], capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 1 and "does not match" in out.stderr
    assert export(other) == other_before
    (rel / "SHA256SUMS").write_text(sums)
    out = subprocess.run([JIUKG, "restore", str(rel), "--store", str(other)], capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0, out.stderr
    assert unlabelled(export(other)) == unlabelled(export(filled))


def test_restore_reads_a_release_description(tmp_path, filled):
    """`jiukg release` states each file's SHA-256 as spdx:checksum in dcat.ttl."""
    rel = _release(tmp_path, filled)
    digest = (rel / "SHA256SUMS").read_text().split()[0]
    (rel / "SHA256SUMS").unlink()
    (rel / "dcat.ttl").write_text(f"""
@prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix spdx: <http://spdx.org/rdf/terms#> .
<https://example.org/releases/t#jiukg-test.nq.gz> a dcat:Distribution ;
    spdx:checksum [ a spdx:Checksum ; spdx:algorithm spdx:checksumAlgorithm_sha256 ; spdx:checksumValue "{digest}" ] .
""")
    assert bulk.checksums(rel) == {"jiukg-test.nq.gz": digest}


def test_restore_refuses_a_dump_cut_short_or_damaged_after_its_checksum(tmp_path, filled):
    """The dump is hashed while it streams into the loader: a gzip stream that ends early (its checksum
    listed as it is) and a damaged byte (the checksum of the good file) each change nothing."""
    rel = _release(tmp_path, filled)
    name = "jiukg-test.nq.gz"
    whole = (rel / name).read_bytes()
    sums = (rel / "SHA256SUMS").read_text()
    other = tmp_path / "other"
    src = tmp_path / "x.nq"
    src.write_text(nquads(800, seed=2), encoding="utf-8")
    with open_store(str(other)) as st:
        pipeline.load(st, [src])
    before = export(other)
    cut = whole[: len(whole) * 2 // 3]
    (rel / name).write_bytes(cut)
    (rel / "SHA256SUMS").write_text(f"{hashlib.sha256(cut).hexdigest()}  {name}\n")
    with open_store(str(other)) as st, pytest.raises(bulk.BulkError, match="nothing was restored"):
        bulk.restore(st, rel)
    assert export(other) == before
    damaged = bytearray(whole)
    damaged[len(damaged) // 2] ^= 0xFF
    (rel / name).write_bytes(bytes(damaged))
    (rel / "SHA256SUMS").write_text(sums)
    with open_store(str(other)) as st, pytest.raises(bulk.BulkError, match="SHA-256"):
        bulk.restore(st, rel)
    assert export(other) == before
    assert bulk._staging_dirs(other) == []


def test_a_bulk_load_counts_what_the_store_holds(tmp_path):
    """The load into an empty store counts its graphs while the gate still runs, then adds the graphs written
    after it (the status order, the catalogue): the summary and the catalogue's void:triples must still be
    what the store holds, also for a dump that brings its own catalogue and status order graphs."""
    from rdflib.namespace import VOID

    src = tmp_path / "data.nq"
    src.write_text(nquads(6000, seed=12), encoding="utf-8")
    with open_store(str(tmp_path / "a")) as st:
        first = bulk.load(st, [src])
    with open_store(str(tmp_path / "a")) as st:
        assert first.triples == st.count()
        dump = st.export("nquads")
        order = next(str(g) for g in st.graphs() if "status-order" in str(g))
    # one triple more in the dump's catalogue and in a status-order graph: both are written again after the
    # count, so a count that kept them would be off
    extra = (f'<https://example.org/x> <http://www.w3.org/2000/01/rdf-schema#comment> "kept?" <{pipeline.CATALOGUE_GRAPH}> .\n'
             f'<https://example.org/x> <http://www.w3.org/2000/01/rdf-schema#comment> "kept?" <{order}> .\n')
    again = tmp_path / "dump.nq"
    again.write_bytes(dump + extra.encode())
    with open_store(str(tmp_path / "b")) as st:
        second = bulk.load(st, [again])
    with open_store(str(tmp_path / "b")) as st:
        assert second.triples == st.count()  # the catalogue keeps the extra record it does not own
        cat = st.graph(pipeline.CATALOGUE_GRAPH)
        for g in st.graphs():
            if g != pipeline.CATALOGUE_GRAPH:
                assert int(cat.value(g, VOID.triples)) == st.count(g), g
