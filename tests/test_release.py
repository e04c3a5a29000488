"""`jiukg release`: dated, immutable dumps described in DCAT/VoID, served under /releases/."""

from __future__ import annotations

import gzip
import hashlib
from datetime import datetime, timezone

import httpx
import pytest
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, OWL, RDF, XSD
from typer.testing import CliRunner

from jiukg import results as R
from jiukg.cli import app
from jiukg.config import Settings
from jiukg.namespaces import DCAT, VOID
from jiukg.release import SD, SPDX, ReleaseExists, make_release, read_description
from tests._service_server import serve, static_store

WHEN = datetime(2026, 12, 5, 9, 30, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def released(built_store, tmp_path_factory):
    out = tmp_path_factory.mktemp("releases")
    folder = make_release(built_store, out, now=WHEN)
    return built_store, out, folder


def test_a_release_is_dated_and_parses_as_dcat(released):
    store, out, folder = released
    assert folder == out / "2026-12-05"
    g = Graph().parse(folder / "dcat.ttl", format="turtle")
    rel = URIRef("https://w3id.org/jiukg/releases/2026-12-05")
    assert (rel, RDF.type, DCAT.Dataset) in g
    assert str(g.value(rel, OWL.versionInfo)) == str(g.value(rel, DCAT.version)) == "2026-12-05"
    issued = g.value(rel, DCTERMS.issued)
    assert issued.datatype == XSD.dateTime and issued.toPython() == WHEN
    assert g.value(rel, DCTERMS.license) is not None
    # the JSON-LD says the same
    assert isomorphic(Graph().parse(folder / "dcat.jsonld", format="json-ld"), g)


def test_every_file_is_described_with_its_true_size_and_checksum(released):
    _, _, folder = released
    g = Graph().parse(folder / "dcat.ttl", format="turtle")
    dists = set(g.subjects(RDF.type, DCAT.Distribution))
    described = set()
    for d in dists:
        url = str(g.value(d, DCAT.downloadURL))
        assert url.startswith("https://w3id.org/jiukg/releases/2026-12-05/")
        path = folder / url.removeprefix("https://w3id.org/jiukg/releases/2026-12-05/")
        data = path.read_bytes()
        assert int(g.value(d, DCAT.byteSize)) == len(data) == path.stat().st_size
        ck = g.value(d, SPDX.checksum)
        assert g.value(ck, SPDX.algorithm) == SPDX.checksumAlgorithm_sha256
        assert str(g.value(ck, SPDX.checksumValue)) == hashlib.sha256(data).hexdigest()
        assert str(g.value(d, DCAT.mediaType)).startswith("https://www.iana.org/assignments/media-types/application/")
        described.add(path.relative_to(folder).as_posix())
    on_disk = {p.relative_to(folder).as_posix() for p in folder.rglob("*.gz")}
    assert described == on_disk and len(on_disk) > 3


def test_the_dumps_hold_the_store_and_each_graph_its_counted_triples(released):
    store, _, folder = released
    whole = gzip.decompress((folder / "jiukg-2026-12-05.nq.gz").read_bytes())
    assert whole == R.nquads(store.quads())
    g = Graph().parse(folder / "dcat.ttl", format="turtle")
    rel = URIRef("https://w3id.org/jiukg/releases/2026-12-05")
    subsets = list(g.objects(rel, VOID.subset))
    assert {g.value(s, SD.name) for s in subsets} == set(store.graphs())
    for sub in subsets:
        graph = g.value(sub, SD.name)
        dist = g.value(sub, DCAT.distribution)
        path = folder / str(g.value(dist, DCAT.downloadURL)).rsplit("/2026-12-05/", 1)[1]
        lines = gzip.decompress(path.read_bytes()).decode().splitlines()
        assert int(g.value(sub, VOID.triples)) == len(lines) == store.count(graph)
    distinct = len({(s, p, o) for s, p, o, _ in store.quads()})
    assert int(g.value(rel, VOID.triples)) == distinct


def test_a_release_is_never_overwritten(released):
    store, out, folder = released
    before = {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    with pytest.raises(ReleaseExists):
        make_release(store, out, now=WHEN)
    assert {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()} == before
    assert not [p for p in out.iterdir() if p.name.startswith(".")], "no partial folder is left behind"
    assert all(not (p.stat().st_mode & 0o222) for p in folder.rglob("*") if p.is_file())


def test_the_command_writes_a_release_and_refuses_an_existing_one(tmp_path):
    st = static_store(tmp_path / "store")
    st.close()
    args = ["release", "--store", str(tmp_path / "store"), "--out", str(tmp_path / "rel"), "--version", "v1"]
    first = CliRunner().invoke(app, args)
    assert first.exit_code == 0, first.output
    assert read_description(tmp_path / "rel" / "v1")["version"] == "v1"
    again = CliRunner().invoke(app, args)
    assert again.exit_code != 0 and "never overwritten" in again.output
    second = CliRunner().invoke(app, args[:-1] + ["v2"])
    assert second.exit_code == 0, second.output
    g = Graph().parse(tmp_path / "rel" / "v2" / "dcat.ttl", format="turtle")
    assert (URIRef("https://w3id.org/jiukg/releases/v2"), DCAT.previousVersion,
            URIRef("https://w3id.org/jiukg/releases/v1")) in g


def test_releases_are_served(released):
    store, out, folder = released
    with serve(store, settings=Settings(releases=str(out))) as url:
        index = httpx.get(f"{url}/releases/")
        assert index.status_code == 200 and "2026-12-05" in index.text
        cat = Graph().parse(data=httpx.get(f"{url}/releases/", headers={"Accept": "text/turtle"}).text,
                            format="turtle")
        assert (None, DCAT.dataset, URIRef("https://w3id.org/jiukg/releases/2026-12-05")) in cat
        page = httpx.get(f"{url}/releases/2026-12-05/")
        assert page.status_code == 200 and "jiukg-2026-12-05.nq.gz" in page.text
        ttl = httpx.get(f"{url}/releases/2026-12-05/", headers={"Accept": "text/turtle"})
        assert ttl.content == (folder / "dcat.ttl").read_bytes()
        jl = httpx.get(f"{url}/releases/2026-12-05/", headers={"Accept": "application/ld+json"})
        assert jl.content == (folder / "dcat.jsonld").read_bytes()
        f = httpx.get(f"{url}/releases/2026-12-05/jiukg-2026-12-05.nq.gz")
        assert f.status_code == 200 and f.content == (folder / "jiukg-2026-12-05.nq.gz").read_bytes()
        assert "immutable" in f.headers["cache-control"] and "content-encoding" not in f.headers
        assert httpx.get(f.url, headers={"If-None-Match": f.headers["etag"]}).status_code == 304
        graph_file = next(p for p in (folder / "graphs").iterdir())
        assert httpx.get(f"{url}/releases/2026-12-05/graphs/{graph_file.name}").content == graph_file.read_bytes()
        # a file the client asks compressed comes compressed, and is the same file once decompressed
        with httpx.Client() as c, c.stream("GET", f"{url}/releases/2026-12-05/dcat.ttl",
                                           headers={"Accept-Encoding": "gzip"}) as r:
            raw = b"".join(r.iter_raw())
            assert r.headers.get("content-encoding") == "gzip"
        assert gzip.decompress(raw) == (folder / "dcat.ttl").read_bytes()
        for bad in ("/releases/2026-12-06/", "/releases/2026-12-05/../../etc/passwd",
                    "/releases/2026-12-05/nothing.gz", "/releases/..%2F/dcat.ttl"):
            assert httpx.get(url + bad).status_code == 404, bad
        assert httpx.get(f"{url}/releases/2026-12-05/", headers={"Origin": "https://x.example"}) \
            .headers["access-control-allow-origin"] == "*"
