"""Releases: dated, immutable sets of dumps that a citation can point at.

`jiukg release` reads the store once and writes, in a new folder named after the version
(the date by default): the whole dataset as gzipped N-Quads and TriG, every named graph as
gzipped N-Triples, and a description of them all in DCAT and VoID (`dcat.ttl`, `dcat.jsonld`):
version, issue date, licence, and for each file its media type, byte size and SHA-256
checksum (SPDX), each graph's file with its triple count. A release folder is never
written twice: an existing version is refused, the files are made read-only, and the folder
appears whole (written aside, then renamed) or not at all.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import re
import shutil
import tempfile
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, XSD

from jiukg import results as R
from jiukg.namespaces import BASE, DCAT, GRAPH, PREFIXES, VOID, slug
from jiukg.store import Store

SPDX = Namespace("http://spdx.org/rdf/terms#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
IANA = "https://www.iana.org/assignments/media-types/"
CC_BY = URIRef("https://creativecommons.org/licenses/by/4.0/")
DATASET_IRI = URIRef(BASE + "dataset")
DESCRIPTION_FILES = {"dcat.ttl": R.TURTLE, "dcat.jsonld": R.JSONLD}
VERSION = re.compile(r"[0-9A-Za-z][0-9A-Za-z._-]{0,63}")


class ReleaseError(Exception):
    """The release was not written; the message says why."""


class ReleaseExists(ReleaseError):
    """A release of that version exists: releases are immutable, so it is left as it is."""


@dataclass(frozen=True)
class ReleaseFile:
    name: str  # path inside the release folder
    media_type: str  # of the content before compression
    byte_size: int
    sha256: str
    title: str
    graph: URIRef | None = None  # the named graph a per-graph file holds
    triples: int = 0  # distinct triples in the file


def release_iri(version: str) -> URIRef:
    return URIRef(f"{BASE}releases/{version}")


def check_version(version: str) -> str:
    if not VERSION.fullmatch(version or "") or ".." in version:
        raise ReleaseError(f"{version!r} is not a release version: letters, digits, '.', '-', '_' (e.g. 2026-12-05)")
    return version


def _gzip(data: bytes) -> bytes:
    """Deterministic gzip (no time or name in the header): the same data, the same bytes."""
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", mtime=0, filename="", compresslevel=9) as f:
        f.write(data)
    return buf.getvalue()


def _graph_file(g: URIRef, taken: set[str]) -> str:
    s = str(g)
    local = s[len(str(GRAPH)):] if s.startswith(str(GRAPH)) else s
    name = slug(local.replace("/", " ")) or "graph"
    base, n = name, 2
    while name in taken:
        name, n = f"{base}-{n}", n + 1
    taken.add(name)
    return f"graphs/{name}.nt.gz"


def _trig(quads) -> bytes:
    import pyoxigraph as ox

    from jiukg.store.sparql import to_ox

    return ox.serialize([ox.Quad(to_ox(s), to_ox(p), to_ox(o), to_ox(g) if g is not None else ox.DefaultGraph())
                         for s, p, o, g in quads], format=ox.RdfFormat.TRIG)


def describe(version: str, issued: datetime, files: list[ReleaseFile], *, base_url: str,
             triples: int, quads: int, previous: str | None = None) -> Graph:
    """The DCAT + VoID description of a release: the dataset, a distribution per file (size,
    checksum, media type), a VoID subset per named graph with its triple count."""
    g = Graph()
    for p, ns in {**PREFIXES, "spdx": str(SPDX), "sd": str(SD)}.items():
        g.bind(p, ns, replace=True)
    rel = release_iri(version)
    stamp = Literal(issued.isoformat(timespec="seconds"), datatype=XSD.dateTime)
    g += [(rel, RDF.type, DCAT.Dataset), (rel, RDF.type, VOID.Dataset),
          (rel, DCTERMS.title, Literal(f"JIU knowledge graph, release {version}", lang="en")),
          (rel, DCTERMS.title, Literal(f"联检组知识图谱 {version} 版", lang="zh")),
          (rel, OWL.versionInfo, Literal(version)), (rel, DCAT.version, Literal(version)),
          (rel, DCTERMS.issued, stamp), (rel, DCTERMS.license, CC_BY),
          (rel, DCAT.isVersionOf, DATASET_IRI), (rel, DCTERMS.isVersionOf, DATASET_IRI),
          (rel, VOID.triples, Literal(triples, datatype=XSD.integer)), (rel, DCAT.landingPage, URIRef(base_url)),
          (rel, RDFS.comment, Literal(f"{triples} distinct triples in {quads} quads: a triple that several named "
                                      "graphs hold counts once in the dataset and once in each graph's subset.",
                                      lang="en"))]
    if previous:
        g.add((rel, DCAT.previousVersion, release_iri(previous)))
    for f in files:
        dist = URIRef(f"{rel}#{f.name}")
        url = URIRef(base_url + f.name)
        checksum = BNode()
        g += [(dist, RDF.type, DCAT.Distribution), (dist, DCTERMS.title, Literal(f.title, lang="en")),
              (dist, DCAT.downloadURL, url), (dist, DCAT.accessURL, url),
              (dist, DCAT.mediaType, URIRef(IANA + f.media_type)),
              (dist, DCAT.compressFormat, URIRef(IANA + "application/gzip")),
              (dist, DCAT.byteSize, Literal(f.byte_size, datatype=XSD.nonNegativeInteger)),
              (dist, DCTERMS.issued, stamp), (dist, DCTERMS.license, CC_BY),
              (dist, SPDX.checksum, checksum), (checksum, RDF.type, SPDX.Checksum),
              (checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256),
              (checksum, SPDX.checksumValue, Literal(f.sha256, datatype=XSD.hexBinary))]
        if f.graph is None:
            g += [(rel, DCAT.distribution, dist), (rel, VOID.dataDump, url)]
        else:
            sub = URIRef(f"{rel}#graph-{Path(f.name).name.removesuffix('.nt.gz')}")
            g += [(rel, VOID.subset, sub), (sub, RDF.type, VOID.Dataset), (sub, RDF.type, DCAT.Dataset),
                  (sub, SD.name, f.graph), (sub, DCTERMS.title, Literal(f"Named graph {f.graph}", lang="en")),
                  (sub, VOID.triples, Literal(f.triples, datatype=XSD.integer)),
                  (sub, DCAT.distribution, dist), (sub, VOID.dataDump, url)]
    return g


def make_release(store: Store, out: str | Path, *, version: str | None = None, base_url: str | None = None,
                 now: datetime | None = None) -> Path:
    """Write release `version` (default: today's date, UTC) of the store into out/version and
    return that folder. `base_url` is where the releases are downloadable, each below its version
    (default https://w3id.org/jiukg/releases/, which resolves to this service's /releases/)."""
    issued = (now or datetime.now(timezone.utc)).astimezone(timezone.utc)
    version = check_version(version or issued.date().isoformat())
    out = Path(out)
    target = out / version
    if target.exists():
        raise ReleaseExists(f"release {version} exists at {target}; releases are never overwritten "
                            "(give another --version)")
    base_url = (base_url or f"{BASE}releases/").rstrip("/") + f"/{version}/"
    out.mkdir(parents=True, exist_ok=True)
    earlier = [p.name for p in list_releases(out)]
    tmp = Path(tempfile.mkdtemp(prefix=f".{version}.", suffix=".partial", dir=out))
    try:
        quads = list(store.quads())  # read once: every file shows the same state of the store
        files = []

        def write(name: str, data: bytes, media: str, title: str, graph=None, triples=0) -> None:
            body = _gzip(data)
            path = tmp / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(body)
            files.append(ReleaseFile(name, media, len(body), hashlib.sha256(body).hexdigest(), title, graph, triples))

        distinct = len({(s, p, o) for s, p, o, _ in quads})
        write(f"jiukg-{version}.nq.gz", R.nquads(quads), R.NQUADS, "The whole dataset, graphs kept (N-Quads, gzip)")
        write(f"jiukg-{version}.trig.gz", _trig(quads), R.TRIG, "The whole dataset, graphs kept (TriG, gzip)")
        by_graph: dict[URIRef, list] = defaultdict(list)
        for s, p, o, g in quads:
            if g is not None:
                by_graph[g].append((s, p, o))
        taken: set[str] = set()
        for g in sorted(by_graph):
            triples = by_graph[g]
            write(_graph_file(g, taken), R.ntriples(triples), R.NTRIPLES, f"Named graph {g} (N-Triples, gzip)",
                  graph=g, triples=len(set(triples)))
        desc = describe(version, issued, files, base_url=base_url, triples=distinct, quads=len(quads),
                        previous=earlier[0] if earlier else None)
        for name, media in DESCRIPTION_FILES.items():
            (tmp / name).write_bytes(R.serialize_graph(desc, media) if media != R.TURTLE else
                                     desc.serialize(format="turtle", encoding="utf-8"))
        for p in sorted(tmp.rglob("*"), reverse=True):
            p.chmod(0o555 if p.is_dir() else 0o444)
        tmp.chmod(0o555)
        if target.exists():  # made by another run meanwhile
            raise ReleaseExists(f"release {version} appeared at {target} while this one was written; left as it is")
        os.rename(tmp, target)
    except BaseException:
        _remove(tmp)
        raise
    return target


def _remove(path: Path) -> None:
    """Remove a partial release, read-only files and all."""
    if not path.exists():
        return
    for p in [path, *path.rglob("*")]:
        if p.is_dir():
            p.chmod(0o755)
    shutil.rmtree(path, ignore_errors=True)


def list_releases(folder: str | Path) -> list[Path]:
    """Release folders (those holding a dcat.ttl), newest version first."""
    d = Path(folder)
    if not d.is_dir():
        return []
    return sorted((p for p in d.iterdir() if p.is_dir() and not p.name.startswith(".") and VERSION.fullmatch(p.name)
                   and (p / "dcat.ttl").is_file()), key=lambda p: p.name, reverse=True)


def read_description(folder: str | Path) -> dict:
    """What a release's dcat.ttl says, for pages and listings: version, issued, triples, and per
    file its name (path in the folder), download URL, media type, size, checksum, graph, triples."""
    folder = Path(folder)
    g = Graph()
    g.parse(folder / "dcat.ttl", format="turtle")
    rel = next(g.subjects(DCAT.version, None))
    subset_of = {d: sub for sub in g.objects(rel, VOID.subset) for d in g.objects(sub, DCAT.distribution)}
    files = []
    for dist in g.subjects(RDF.type, DCAT.Distribution):
        sub = subset_of.get(dist)
        checksum = next(g.objects(dist, SPDX.checksum), None)
        files.append({
            "name": str(dist).split("#", 1)[1], "url": str(g.value(dist, DCAT.downloadURL)),
            "media_type": str(g.value(dist, DCAT.mediaType)).removeprefix(IANA),
            "byte_size": int(g.value(dist, DCAT.byteSize)),
            "sha256": str(g.value(checksum, SPDX.checksumValue)) if checksum is not None else "",
            "graph": str(g.value(sub, SD.name)) if sub is not None else None,
            "triples": int(g.value(sub, VOID.triples)) if sub is not None else None})
    files.sort(key=lambda f: (f["graph"] is not None, f["name"]))
    return {"iri": str(rel), "version": str(g.value(rel, DCAT.version)), "issued": str(g.value(rel, DCTERMS.issued)),
            "triples": int(g.value(rel, VOID.triples)), "files": files}
