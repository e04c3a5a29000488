"""The W3C SHACL test suite (tests/data/w3c-shacl/): its entries and what a passing report is.

A report passes an entry (the suite's README) when it agrees with the expected
sh:ValidationReport on sh:conforms and, result by result, on focus node, result
path, value, source constraint component, source shape and severity; an entry
whose result is sht:Failure passes when the processor refuses the shapes. Blank
nodes keep their labels: data, shapes and expected report are parsed from the
same files, once. Paths are compared by their structure (a blank-node path of
the shapes graph against the one written in the expected report)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF

SUITE = Path(__file__).parent / "data" / "w3c-shacl"
MF = "http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#"
SHT = "http://www.w3.org/ns/shacl-test#"
SH = "http://www.w3.org/ns/shacl#"


@lru_cache(maxsize=None)
def parse(path: Path) -> Graph:
    """A file of the suite, read as jiukg reads shapes files (no literal normalisation)."""
    from jiukg.validation.shapes import exact_literals

    with exact_literals():
        return Graph().parse(path, format="turtle", publicID=path.as_uri())


@dataclass(frozen=True)
class Entry:
    id: str  # e.g. core/node/class-001
    label: str
    data: Path
    shapes: Path
    failure: bool  # the shapes must be refused
    conforms: bool | None
    results: tuple  # Counter items of result keys

    def graphs(self) -> tuple[Graph, Graph]:
        return parse(self.data), parse(self.shapes)


def _manifests(path: Path):
    g = parse(path)
    yield path, g
    for inc in g.objects(None, URIRef(MF + "include")):
        yield from _manifests(Path(inc.removeprefix("file://")))


def path_key(g: Graph, p) -> str:
    """A SHACL property path as text, whatever its blank nodes are called."""
    if p is None:
        return ""
    if isinstance(p, URIRef):
        return f"<{p}>"
    if (p, RDF.first, None) in g:
        return "(" + " / ".join(path_key(g, x) for x in g.items(p)) + ")"
    for name in ("inversePath", "alternativePath", "zeroOrMorePath", "oneOrMorePath", "zeroOrOnePath"):
        o = g.value(p, URIRef(SH + name))
        if o is not None:
            inner = path_key(g, o) if name != "alternativePath" else \
                "(" + " | ".join(path_key(g, x) for x in g.items(o)) + ")"
            return f"{name}({inner})"
    return f"_:{p}"


def term_key(t) -> str:
    if t is None:
        return ""
    if isinstance(t, Literal):
        return t.n3()
    if isinstance(t, BNode):
        return f"_:{t}"
    return f"<{t}>"


def result_key(focus, path_text: str, value, component, source_shape, severity) -> tuple:
    return (term_key(focus), path_text, term_key(value), term_key(component), term_key(source_shape),
            term_key(severity))


def entries() -> list[Entry]:
    out = []
    for path, g in _manifests(SUITE / "manifest.ttl"):
        for lst in g.objects(None, URIRef(MF + "entries")):
            for e in g.items(lst):
                action = g.value(e, URIRef(MF + "action"))
                data = Path(str(g.value(action, URIRef(SHT + "dataGraph"))).removeprefix("file://"))
                shapes = Path(str(g.value(action, URIRef(SHT + "shapesGraph"))).removeprefix("file://"))
                res = g.value(e, URIRef(MF + "result"))
                failure = res == URIRef(SHT + "Failure")
                conforms, keys = None, Counter()
                if not failure:
                    conforms = bool(g.value(res, URIRef(SH + "conforms")).toPython())
                    for r in g.objects(res, URIRef(SH + "result")):
                        def v(p, r=r):
                            return g.value(r, URIRef(SH + p))
                        keys[result_key(v("focusNode"), path_key(g, v("resultPath")), v("value"),
                                        v("sourceConstraintComponent"), v("sourceShape"),
                                        v("resultSeverity"))] += 1
                rel = path.parent.relative_to(SUITE).as_posix()
                out.append(Entry(f"{rel}/{str(e).rsplit('/', 1)[-1]}", str(g.value(e, URIRef(str(RDF) + 'label')) or
                                 g.value(e, URIRef("http://www.w3.org/2000/01/rdf-schema#label")) or ""),
                                 data, shapes, failure, conforms, tuple(sorted(keys.items()))))
    return sorted(out, key=lambda x: x.id)


def report_keys(shapes: Graph, results) -> tuple:
    """(conforms, result keys) of jiukg's results (validation.Result)."""
    keys = Counter()
    for r in results:
        keys[result_key(r.focus, path_key(shapes, r.path), r.value, r.component, r.source_shape,
                        r.severity_iri)] += 1
    return (not results, tuple(sorted(keys.items())))


def pyshacl_keys(rg: Graph, shapes: Graph) -> tuple:
    """(conforms, result keys) of a pyshacl report graph; nested sh:detail results are not results."""
    keys = Counter()
    rep = next(rg.subjects(RDF.type, URIRef(SH + "ValidationReport")))
    for r in rg.objects(rep, URIRef(SH + "result")):
        def v(p, r=r):
            return rg.value(r, URIRef(SH + p))
        keys[result_key(v("focusNode"), path_key(rg if (v("resultPath"), None, None) in rg else shapes,
                                                     v("resultPath")), v("value"),
                        v("sourceConstraintComponent"), v("sourceShape"), v("resultSeverity"))] += 1
    return (bool(rg.value(rep, URIRef(SH + "conforms")).toPython()), tuple(sorted(keys.items())))


def copy(g: Graph) -> Graph:
    """A copy to validate (the engines add to the data graph they are given); blank nodes keep their labels."""
    out = Graph()
    for t in g:
        out.add(t)
    return out
