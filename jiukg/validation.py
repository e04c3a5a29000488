"""SHACL validation: the write gate, whole-store checks and readable reports.

The shapes are every file in shapes/ (one graph). Data is validated together
with what it refers to: the ontology and reference data, and the store's
descriptions (in other named graphs) of the resources the new data mentions,
so a status statement in one document can be checked against a recommendation
described in another. The write gate also checks what a write could break
elsewhere: the resources whose description it changes or removes, and the
records of other graphs that point at them, as the store would be after the
write (see "the write gate" below). Only sh:Violation refuses a write; warnings
and infos are shown to the steward.

Engine ("compiled", the default): the shapes are read once into plain objects
and the SHACL Core subset they use (cardinalities, datatypes, classes, sh:in,
patterns, languages, ranges, sh:or, sh:xone, qualified counts) is evaluated in Python
over the data graph's indexes; the SPARQL-based constraints run once each over
the whole data graph in an in-memory Oxigraph store, with $this left unbound,
their solutions kept for the shape's target nodes (the SHACL-SPARQL semantics:
every query binds $this through a triple pattern; see shapes/). Shapes outside
the subset make the core fall back to pyshacl ("hybrid"); `engine="pyshacl"`
runs everything in plain pyshacl. tests/test_shapes.py checks that the engines
agree; bench/bench_validation.py times them (figures in bench/README.md: plain
pyshacl is about 90x slower at 10k triples, 200x at 100k).

JSON report shape (`--format json`, `POST /validate` with Accept: application/json).
"conforms" is jiukg's verdict, no violation (what `jiukg validate` exits 0 on
and the gate accepts); "shaclConforms" is SHACL's sh:conforms, no result at all.
"values" lists, where SHACL gives no sh:value (sh:uniqueLang), the values in
conflict:

    {"conforms": bool, "shaclConforms": bool,
     "summary": {"violations": int, "warnings": int, "infos": int,
                 "focusNodes": int, "triples": int, "seconds": float},
     "results": [{"focusNode": IRI, "focusLabel": str | null,
                  "severity": "Violation" | "Warning" | "Info",
                  "path": IRI | null, "value": str | null,
                  "valueTerm": {"type": "uri" | "literal" | "bnode", "value": str,
                                "datatype"?: IRI, "language"?: str} | null,
                  "message": {"en": str, "zh": str},
                  "sourceShape": IRI | null, "shapeLabel": {"en": str, "zh": str},
                  "constraint": IRI, "values": [valueTerm, ...]}]}

`--format turtle` gives the standard sh:ValidationReport graph (SHACL 1.0 §3.6).
"""

from __future__ import annotations

import json
import re
import sys
import textwrap
import time
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS, XSD
from rdflib.term import Node

from jiukg.namespaces import (
    BASE,
    CATALOGUE_GRAPH,
    ID,
    JIU,
    ONTOLOGY_GRAPH,
    PREFIXES,
    REFERENCE_GRAPH,
    SH,
)
from jiukg.paths import SHAPES_DIR

SEVERITIES = ("Violation", "Warning", "Info")
SEVERITY_LABELS = {
    "en": {"Violation": "Violation", "Warning": "Warning", "Info": "Info"},
    "zh": {"Violation": "违规", "Warning": "警告", "Info": "提示"},
}
LANGS = ("en", "zh")

# --------------------------------------------------------------------------
# shapes


@lru_cache(maxsize=1)
def shapes_graph() -> Graph:
    """All shapes/*.ttl in one graph (parsed once per process)."""
    g = Graph()
    for p, ns in PREFIXES.items():
        g.bind(p, ns)
    for f in sorted(SHAPES_DIR.glob("*.ttl")):
        g.parse(f, format="turtle")
    return g


@lru_cache(maxsize=1)
def _core_shapes() -> Graph:
    """The shapes graph without the sh:sparql constraints (they run compiled)."""
    g = Graph()
    sg = shapes_graph()
    skip = set()
    for c in sg.objects(None, SH.sparql):
        skip.add(c)
    for t in sg:
        if t[1] == SH.sparql or t[0] in skip:
            continue
        g.add(t)
    return g


@lru_cache(maxsize=1)
def axioms() -> tuple:
    """External-vocabulary axioms kept in shapes/ (rdfs:subClassOf), mixed into every data graph."""
    return tuple(shapes_graph().triples((None, RDFS.subClassOf, None)))


@dataclass(frozen=True)
class SparqlConstraint:
    shape: URIRef
    node: Node
    query: str
    severity: str
    messages: tuple  # ((lang, text), ...)
    targets: tuple  # target classes


@lru_cache(maxsize=1)
def sparql_constraints() -> tuple[SparqlConstraint, ...]:
    """Every sh:SPARQLConstraint of the shapes, with its prefixes expanded."""
    sg = shapes_graph()
    out = []
    for shape, c in sg.subject_objects(SH.sparql):
        prefixes = ""
        for decl_src in sg.objects(c, SH.prefixes):
            for d in sg.objects(decl_src, SH.declare):
                prefixes += f"PREFIX {sg.value(d, SH.prefix)}: <{sg.value(d, SH.namespace)}>\n"
        sev = sg.value(shape, SH.severity) or SH.Violation
        msgs = tuple((m.language or "", str(m)) for m in sg.objects(c, SH.message)) or \
            tuple((m.language or "", str(m)) for m in sg.objects(shape, SH.message))
        out.append(SparqlConstraint(shape, c, prefixes + str(sg.value(c, SH.select)), _sev_name(sev), msgs,
                                    tuple(sg.objects(shape, SH.targetClass))))
    return tuple(sorted(out, key=lambda s: str(s.shape)))


def shape_labels(shape: Node) -> dict[str, str]:
    """rdfs:label / sh:name of a shape by language; a property shape also gives its node shape's."""
    sg = shapes_graph()
    out = {}
    for p in (SH.name, RDFS.label):
        for lit in sg.objects(shape, p):
            out.setdefault(lit.language or "", str(lit))
    return out


def _sev_name(sev: Node) -> str:
    return str(sev).rsplit("#", 1)[-1]


# --------------------------------------------------------------------------
# the report


@dataclass
class Result:
    focus: Node
    severity: str  # Violation, Warning, Info
    path: Node | None
    value: Node | None
    messages: dict[str, str]
    shape: Node | None  # the node shape (for property shapes: its parent node shape if named)
    source_shape: Node | None  # the shape whose constraint produced the result (may be a property shape)
    component: Node | None
    values: tuple = ()  # for display where SHACL gives no sh:value: the values in conflict (sh:uniqueLang)

    def message(self, lang: str = "en") -> str:
        return self.messages.get(lang) or self.messages.get("en") or self.messages.get("") or \
            next(iter(self.messages.values()), "")

    def key(self):
        return (SEVERITIES.index(self.severity), str(self.focus), str(self.path or ""), str(self.value or ""))


@dataclass
class ValidationReport:
    """What the gate found.

    `conforms` is jiukg's verdict: no sh:Violation (only violations refuse a
    write; `jiukg validate` exits 0). `shacl_conforms` is SHACL's sh:conforms
    (SHACL 1.0 §3.6: true iff there is no result at all, warnings and infos
    included), which the standard report graph states."""

    results: list[Result] = field(default_factory=list)
    labels: dict = field(default_factory=dict)  # focus node -> {lang: label}
    triples: int = 0
    seconds: float = 0.0

    @property
    def conforms(self) -> bool:
        return not any(r.severity == "Violation" for r in self.results)

    @property
    def shacl_conforms(self) -> bool:
        return not self.results

    def count(self, severity: str) -> int:
        return sum(1 for r in self.results if r.severity == severity)

    def by_focus(self) -> list[tuple[Node, list[Result]]]:
        """Results grouped by focus node, worst first."""
        groups: dict[Node, list[Result]] = {}
        for r in sorted(self.results, key=Result.key):
            groups.setdefault(r.focus, []).append(r)
        return sorted(groups.items(), key=lambda kv: (SEVERITIES.index(kv[1][0].severity), str(kv[0])))

    def label(self, node: Node, lang: str = "en") -> str | None:
        ls = self.labels.get(node) or {}
        return ls.get(lang) or ls.get("") or ls.get("en") or next(iter(ls.values()), None)

    def summary(self, lang: str = "en") -> str:
        v, w, i = (self.count(s) for s in SEVERITIES)
        n = len({r.focus for r in self.results})
        # "conforms" only when SHACL would say so; with warnings or infos only, say what exit 0 means
        if lang == "zh":
            head = "符合" if self.shacl_conforms else "无违规（警告和提示不导致拒绝）" if self.conforms else "不符合"
            return (f"{head}：{v} 项违规、{w} 项警告、{i} 项提示，涉及 {n} 个焦点节点"
                    f"（{self.triples} 个三元组，{self.seconds:.2f} 秒）")
        head = "conforms" if self.shacl_conforms else \
            "no violations (warnings and infos do not refuse data)" if self.conforms else "does not conform"
        return (f"{head}: {v} violation{'s' * (v != 1)}, {w} warning{'s' * (w != 1)}, {i} info{'s' * (i != 1)} "
                f"on {n} focus node{'s' * (n != 1)} ({self.triples} triples, {self.seconds:.2f} s)")

    def graph(self) -> Graph:
        """The standard SHACL validation report (sh:conforms true iff there is no result).

        A blank-node property shape is the sh:sourceShape of its results, as
        SHACL says; the report graph describes it (type, sh:path, sh:name, and
        the named node shape that holds it) so that the result stays readable."""
        g = Graph()
        g.bind("sh", SH)
        for p, ns in PREFIXES.items():
            g.bind(p, ns)
        g.bind("jsh", SHAPES_NS)
        rep = BNode()
        g.add((rep, RDF.type, SH.ValidationReport))
        g.add((rep, SH.conforms, Literal(self.shacl_conforms)))
        sg = shapes_graph()
        described: set = set()
        for r in sorted(self.results, key=Result.key):
            n = BNode()
            g.add((rep, SH.result, n))
            g.add((n, RDF.type, SH.ValidationResult))
            g.add((n, SH.focusNode, r.focus))
            g.add((n, SH.resultSeverity, SH[r.severity]))
            if r.path is not None and not isinstance(r.path, BNode):
                g.add((n, SH.resultPath, r.path))
            if r.value is not None:
                g.add((n, SH.value, r.value))
            src = r.source_shape if r.source_shape is not None else r.shape
            if src is not None:
                g.add((n, SH.sourceShape, src))
                if isinstance(src, BNode) and src not in described:
                    described.add(src)
                    g.add((src, RDF.type, SH.PropertyShape if (src, SH.path, None) in sg else SH.NodeShape))
                    for p in (SH.path, SH.name, SH.severity):
                        for o in sg.objects(src, p):
                            g.add((src, p, o))
                    for parent in sg.subjects(SH.property, src):
                        g.add((parent, SH.property, src))
            if r.component is not None:
                g.add((n, SH.sourceConstraintComponent, r.component))
            for lang, text in r.messages.items():
                g.add((n, SH.resultMessage, Literal(text, lang=lang or None)))
        return g

    def to_json(self) -> dict:
        out = []
        for r in sorted(self.results, key=Result.key):
            out.append({
                "focusNode": str(r.focus),
                "focusLabel": self.label(r.focus),
                "severity": r.severity,
                "path": str(r.path) if isinstance(r.path, URIRef) else None,
                "value": str(r.value) if r.value is not None else None,
                "valueTerm": _term_json(r.value),
                "message": {lang: r.message(lang) for lang in LANGS},
                "sourceShape": str(r.shape) if isinstance(r.shape, URIRef) else None,
                "shapeLabel": {lang: _pick(shape_labels(r.source_shape or r.shape), lang) for lang in LANGS}
                if (r.source_shape or r.shape) is not None else None,
                "constraint": str(r.component) if r.component is not None else None,
                "values": [_term_json(v) for v in r.values],
            })
        return {
            "conforms": self.conforms,
            "shaclConforms": self.shacl_conforms,
            "summary": {"violations": self.count("Violation"), "warnings": self.count("Warning"),
                        "infos": self.count("Info"), "focusNodes": len({r.focus for r in self.results}),
                        "triples": self.triples, "seconds": round(self.seconds, 3)},
            "results": out,
        }


def _pick(d: dict[str, str], lang: str) -> str | None:
    return d.get(lang) or d.get("en") or d.get("") or next(iter(d.values()), None)


def _term_json(t: Node | None):
    if t is None:
        return None
    if isinstance(t, URIRef):
        return {"type": "uri", "value": str(t)}
    if isinstance(t, BNode):
        return {"type": "bnode", "value": str(t)}
    d = {"type": "literal", "value": str(t)}
    if t.language:
        d["language"] = t.language
    elif t.datatype:
        d["datatype"] = str(t.datatype)
    return d


# --------------------------------------------------------------------------
# running the shapes


def _parent_shape(source_shape: Node) -> Node:
    """The named node shape a (possibly blank) property shape belongs to."""
    sg = shapes_graph()
    if isinstance(source_shape, URIRef) and (source_shape, RDF.type, SH.NodeShape) in sg:
        return source_shape
    for parent in sg.subjects(SH.property, source_shape):
        return parent
    return source_shape


def _for_pyshacl(data: Graph) -> Graph:
    """pyshacl needs a context-aware store; the engine's own graphs hold triples only (_data_graph)."""
    if data.store.context_aware:
        return data
    g = Graph()
    for t in data:
        g.add(t)
    return g


def _core_results(data: Graph) -> list[Result]:
    """pyshacl on the core shapes (data is used in place: callers pass a graph of their own)."""
    from pyshacl import validate

    _, rg, _ = validate(_for_pyshacl(data), shacl_graph=_core_shapes(), inference="none", inplace=True, advanced=False,
                        allow_warnings=True, allow_infos=True)
    return _parse_results(rg)


# --- the compiled core engine ------------------------------------------------
#
# The SHACL Core subset the shapes use, evaluated in Python over one pass of
# the data's indexes: no per-focus-node shape objects as in pyshacl. Shapes
# using any other parameter make the whole core run in pyshacl instead.

_SUPPORTED = {SH[p] for p in (
    "targetClass", "targetNode", "targetSubjectsOf", "targetObjectsOf", "property", "path", "minCount",
    "maxCount", "datatype", "class", "in", "pattern", "flags", "nodeKind", "hasValue", "languageIn", "uniqueLang",
    "minLength", "maxLength", "minInclusive", "maxInclusive", "minExclusive", "maxExclusive", "or", "xone",
    "qualifiedValueShape", "qualifiedMinCount", "qualifiedMaxCount", "qualifiedValueShapesDisjoint", "severity",
    "message", "name", "description", "deactivated", "sparql", "order", "group")} | {RDF.type, RDFS.label,
                                                                                 RDFS.comment}
_COMPONENT = {p: SH[p[0].upper() + p[1:] + "ConstraintComponent"] for p in (
    "minCount", "maxCount", "datatype", "class", "in", "pattern", "nodeKind", "hasValue", "languageIn",
    "uniqueLang", "minLength", "maxLength", "minInclusive", "maxInclusive", "minExclusive", "maxExclusive", "or",
    "xone")}
_COMPONENT["qualifiedMinCount"] = SH.QualifiedMinCountConstraintComponent
_COMPONENT["qualifiedMaxCount"] = SH.QualifiedMaxCountConstraintComponent


@dataclass
class _Shape:
    node: Node
    path: URIRef | None
    severity: str
    messages: dict
    params: dict  # local name -> value(s)
    properties: list  # of _Shape
    targets: list  # (kind, term)


@lru_cache(maxsize=1)
def _compiled_shapes() -> tuple[list[_Shape], bool]:
    """The shapes as plain objects, and whether they all stay within the supported subset."""
    sg = shapes_graph()
    cache: dict[Node, _Shape] = {}
    supported = True

    def build(node: Node) -> _Shape:
        nonlocal supported
        if node in cache:
            return cache[node]
        params: dict = {}
        for p, o in sg.predicate_objects(node):
            if p not in _SUPPORTED and not str(p).startswith(str(RDFS)):
                supported = False
        path = sg.value(node, SH.path)
        if path is not None and not isinstance(path, URIRef):
            supported = False  # complex paths: pyshacl
        for name in ("minCount", "maxCount", "qualifiedMinCount", "qualifiedMaxCount", "minLength", "maxLength"):
            v = sg.value(node, SH[name])
            if v is not None:
                params[name] = int(v)
        for name in ("datatype", "nodeKind", "hasValue", "pattern", "flags", "minInclusive", "maxInclusive",
                     "minExclusive", "maxExclusive", "uniqueLang", "deactivated"):
            v = sg.value(node, SH[name])
            if v is not None:
                params[name] = v
        classes = list(sg.objects(node, SH["class"]))
        if classes:
            params["class"] = classes
        for name in ("in", "languageIn"):
            lst = sg.value(node, SH[name])
            if lst is not None:
                params[name] = list(sg.items(lst))
        ors = list(sg.objects(node, SH["or"]))
        xones = list(sg.objects(node, SH.xone))
        shape = _Shape(node, path, _sev_name(sg.value(node, SH.severity) or SH.Violation),
                       {m.language or "": str(m) for m in sg.objects(node, SH.message)}, params, [], [])
        cache[node] = shape
        if ors:
            params["or"] = [[build(alt) for alt in sg.items(o)] for o in ors]
        if xones:
            params["xone"] = [[build(alt) for alt in sg.items(o)] for o in xones]
        q = sg.value(node, SH.qualifiedValueShape)
        if q is not None:
            params["qualifiedValueShape"] = build(q)
        for ps in sg.objects(node, SH.property):
            shape.properties.append(build(ps))
        for kind in ("targetClass", "targetNode", "targetSubjectsOf", "targetObjectsOf"):
            for t in sg.objects(node, SH[kind]):
                shape.targets.append((kind, t))
        return shape

    roots = [build(n) for n in sorted(set(sg.subjects(RDF.type, SH.NodeShape)) | {
        s for s, _ in sg.subject_objects(SH.targetClass)}, key=str)]
    return [r for r in roots if r.targets], supported


_LANG_STRING = RDF.langString


class _Index:
    """rdf:type with the subclass closure, for sh:class and targets."""

    def __init__(self, data: Graph):
        self.g = data
        self.sup: dict[Node, set] = {}
        parents: dict[Node, set] = {}
        for s, o in data.subject_objects(RDFS.subClassOf):
            parents.setdefault(s, set()).add(o)
        self._parents = parents
        self.types: dict[Node, set] = {}
        for s, o in data.subject_objects(RDF.type):
            self.types.setdefault(s, set()).add(o)
        self._inst: dict[Node, set] = {}
        self._by_path: dict[Node, dict] = {}

    def values(self, node: Node, path: Node) -> list:
        """Objects of node by path, from one pass over the path's triples (cached)."""
        m = self._by_path.get(path)
        if m is None:
            m = {}
            for s, o in self.g.subject_objects(path):
                m.setdefault(s, []).append(o)
            self._by_path[path] = m
        return m.get(node, [])

    def supers(self, cls: Node) -> set:
        if cls not in self.sup:
            seen, todo = {cls}, [cls]
            while todo:
                for p in self._parents.get(todo.pop(), ()):
                    if p not in seen:
                        seen.add(p)
                        todo.append(p)
            self.sup[cls] = seen
        return self.sup[cls]

    def is_instance(self, node: Node, cls: Node) -> bool:
        return any(cls in self.supers(t) for t in self.types.get(node, ()))

    def instances(self, cls: Node) -> set:
        if cls not in self._inst:
            self._inst[cls] = {n for n, ts in self.types.items() if any(cls in self.supers(t) for t in ts)}
        return self._inst[cls]


@lru_cache(maxsize=65536)
def _ill_typed(lexical: str, datatype: URIRef | None) -> bool:
    """Whether a typed literal's lexical form is outside its datatype (rdflib only computes
    this when the literal is made from its lexical form, not e.g. by SPARQL Update)."""
    import logging

    logging.getLogger("rdflib.term").disabled = True  # rdflib logs a traceback for each bad value
    try:
        return bool(Literal(lexical, datatype=datatype).ill_typed)
    finally:
        logging.getLogger("rdflib.term").disabled = False


def _is_ill_typed(v: Literal) -> bool:
    return v.datatype is not None and _ill_typed(str(v), v.datatype)


def _num(v):
    if not isinstance(v, Literal) or _is_ill_typed(v):
        return None
    return v.toPython()


def _cmp(v: Node, bound: Literal, op) -> bool:
    a, b = _num(v), _num(bound)
    try:
        return a is not None and not isinstance(a, Literal) and bool(op(a, b))
    except Exception:  # incomparable values (a date against a number): not satisfied
        return False


def _datatype_ok(v: Node, dt: Node) -> bool:
    if not isinstance(v, Literal):
        return False
    if dt == _LANG_STRING:
        return bool(v.language)
    if v.language:
        return False
    vdt = v.datatype or XSD.string
    return vdt == dt and not _is_ill_typed(v)


def _nodekind_ok(v: Node, kind: Node) -> bool:
    k = str(kind).rsplit("#", 1)[-1]
    is_iri, is_b, is_l = isinstance(v, URIRef), isinstance(v, BNode), isinstance(v, Literal)
    return {"IRI": is_iri, "BlankNode": is_b, "Literal": is_l, "BlankNodeOrIRI": is_b or is_iri,
            "BlankNodeOrLiteral": is_b or is_l, "IRIOrLiteral": is_iri or is_l}.get(k, True)


def _lang_matches(tag: str, rng: str) -> bool:
    tag, rng = tag.lower(), rng.lower()
    return rng == "*" or tag == rng or tag.startswith(rng + "-")


_FLAGS = {"i": re.IGNORECASE, "m": re.MULTILINE, "s": re.DOTALL, "x": re.VERBOSE}


@lru_cache(maxsize=256)
def _regex(pattern: str, flags: str):
    f = 0
    for c in flags:
        f |= _FLAGS.get(c, 0)
    return re.compile(pattern, f)


_TRUE = Literal(True)  # made once: building a Literal per check was a third of the engine's time


def _eval(shape: _Shape, focus: Node, idx: _Index, out: list | None) -> bool:
    """Check one focus node against one shape; append results to `out` (None: only answer conforms?)."""
    import operator

    p = shape.params
    if p.get("deactivated") == _TRUE:
        return True
    values = idx.values(focus, shape.path) if shape.path is not None else [focus]
    ok = True

    def fail(component: str, value: Node | None):
        nonlocal ok
        ok = False
        if out is not None:
            out.append((shape, focus, component, value))

    if "minCount" in p and len(values) < p["minCount"]:
        fail("minCount", None)
        if out is None:
            return False
    if "maxCount" in p and len(values) > p["maxCount"]:
        fail("maxCount", None)
        if out is None:
            return False
    if "hasValue" in p and p["hasValue"] not in values:
        fail("hasValue", None)
    if p.get("uniqueLang") == _TRUE:
        seen, dup = set(), []
        for v in values:
            lang = v.language.lower() if isinstance(v, Literal) and v.language else None
            if lang:
                if lang in seen and lang not in dup:
                    dup.append(lang)
                seen.add(lang)
        for _ in dup:
            fail("uniqueLang", None)
    if "qualifiedValueShape" in p:
        q = p["qualifiedValueShape"]
        n = sum(1 for v in values if _eval(q, v, idx, None))
        if "qualifiedMinCount" in p and n < p["qualifiedMinCount"]:
            fail("qualifiedMinCount", None)
        if "qualifiedMaxCount" in p and n > p["qualifiedMaxCount"]:
            fail("qualifiedMaxCount", None)
    for v in values:
        if "datatype" in p and not _datatype_ok(v, p["datatype"]):
            fail("datatype", v)
        if "class" in p:
            for c in p["class"]:
                if not idx.is_instance(v, c):
                    fail("class", v)
        if "in" in p and v not in p["in"]:
            fail("in", v)
        if "nodeKind" in p and not _nodekind_ok(v, p["nodeKind"]):
            fail("nodeKind", v)
        if "pattern" in p and (isinstance(v, BNode) or not _regex(str(p["pattern"]), str(p.get("flags", ""))).search(str(v))):
            fail("pattern", v)
        if "languageIn" in p and not (isinstance(v, Literal) and v.language and
                                      any(_lang_matches(v.language, str(r)) for r in p["languageIn"])):
            fail("languageIn", v)
        if "minLength" in p and (isinstance(v, BNode) or len(str(v)) < p["minLength"]):
            fail("minLength", v)
        if "maxLength" in p and (isinstance(v, BNode) or len(str(v)) > p["maxLength"]):
            fail("maxLength", v)
        for name, op in (("minInclusive", operator.ge), ("maxInclusive", operator.le),
                         ("minExclusive", operator.gt), ("maxExclusive", operator.lt)):
            if name in p and not _cmp(v, p[name], op):
                fail(name, v)
        for alts in p.get("or", ()):
            if not any(_eval(a, v, idx, None) for a in alts):
                fail("or", v)
        for alts in p.get("xone", ()):
            if sum(1 for a in alts if _eval(a, v, idx, None)) != 1:
                fail("xone", v)
        if out is None and not ok:
            return False
    # property shapes of a node shape (or of a value shape) run on each value node
    for ps in shape.properties:
        for v in values:
            if not _eval(ps, v, idx, out):
                ok = False
                if out is None:
                    return False
    return ok


def _fast_core(data: Graph) -> list[Result]:
    roots, _ = _compiled_shapes()
    idx = _Index(data)
    raw: list = []
    for shape in roots:
        focus: set = set()
        for kind, t in shape.targets:
            if kind == "targetClass":
                focus |= idx.instances(t)
            elif kind == "targetNode":
                focus.add(t)
            elif kind == "targetSubjectsOf":
                focus |= set(data.subjects(t, None))
            elif kind == "targetObjectsOf":
                focus |= set(data.objects(None, t))
        for f in focus:
            _eval(shape, f, idx, raw)
    out = []
    for shape, focus, component, value in raw:
        out.append(Result(focus=focus, severity=shape.severity, path=shape.path, value=value,
                          messages=dict(shape.messages), shape=_parent_shape(shape.node),
                          source_shape=shape.node, component=_COMPONENT[component]))
    return out


def _pyshacl_all(data: Graph) -> list[Result]:
    from pyshacl import validate

    _, rg, _ = validate(_for_pyshacl(data), shacl_graph=shapes_graph(), inference="none", inplace=True, advanced=False,
                        allow_warnings=True, allow_infos=True)
    return _parse_results(rg)


def _parse_results(rg: Graph) -> list[Result]:
    out = []
    for n in rg.subjects(RDF.type, SH.ValidationResult):
        src = rg.value(n, SH.sourceShape)
        msgs: dict[str, str] = {}
        for m in rg.objects(n, SH.resultMessage):
            msgs.setdefault(m.language or "", str(m))
        if src is not None and not any(k in msgs for k in LANGS):
            # pyshacl's generic message: prefer the shape's own words
            for m in shapes_graph().objects(src, SH.message):
                msgs.setdefault(m.language or "", str(m))
        out.append(Result(
            focus=rg.value(n, SH.focusNode),
            severity=_sev_name(rg.value(n, SH.resultSeverity) or SH.Violation),
            path=rg.value(n, SH.resultPath),
            value=rg.value(n, SH.value),
            messages=msgs,
            shape=_parent_shape(src) if src is not None else None,
            source_shape=src,
            component=rg.value(n, SH.sourceConstraintComponent),
        ))
    return out


_PLACEHOLDER = re.compile(r"\{[?$](\w+)\}")


def _sparql_results(data: Graph) -> list[Result]:
    """Run every SPARQL constraint once over the whole data graph (Oxigraph), $this unbound."""
    import pyoxigraph as ox

    from jiukg.store.embedded import from_ox, to_ox

    store = ox.Store()
    store.bulk_extend([ox.Quad(to_ox(s), to_ox(p), to_ox(o), ox.DefaultGraph()) for s, p, o in data])
    instances: dict[URIRef, set] = {}

    def targets(cls: URIRef) -> set:
        if cls not in instances:
            q = f"SELECT DISTINCT ?x WHERE {{ ?x a/<{RDFS.subClassOf}>* <{cls}> }}"
            instances[cls] = {from_ox(sol["x"]) for sol in store.query(q)}
        return instances[cls]

    out = []
    for c in sparql_constraints():
        allowed = set().union(*(targets(t) for t in c.targets)) if c.targets else None
        sols = store.query(c.query.replace("$this", "?this"))
        names = [v.value for v in sols.variables]
        seen = set()
        for sol in sols:
            row = {v: from_ox(sol[v]) for v in names if sol[v] is not None}
            focus = row.get("this")
            if focus is None or (allowed is not None and focus not in allowed):
                continue
            key = (focus, row.get("path"), row.get("value"))
            if key in seen:
                continue
            seen.add(key)
            msgs = {}
            for lang, text in c.messages:
                msgs[lang] = _PLACEHOLDER.sub(lambda m, lang=lang, row=row: _show(row.get(m.group(1)), lang, data), text)
            out.append(Result(focus=focus, severity=c.severity, path=row.get("path"), value=row.get("value"),
                              messages=msgs, shape=c.shape, source_shape=c.shape,
                              component=SH.SPARQLConstraintComponent))
    return out


def _show(t: Node | None, lang: str = "en", data: Graph | None = None) -> str:
    """A value in a message: a concept or organisation by its label in the message's language."""
    if t is None:
        return "—"
    if isinstance(t, URIRef):
        if data is not None:
            labels = {lit.language: str(lit) for lit in data.objects(t, SKOS.prefLabel) if isinstance(lit, Literal)}
            if labels.get(lang):
                return f"“{labels[lang]}”" if lang == "zh" else f"'{labels[lang]}'"
        return short(t)
    return str(t)


def validate_graph(data: Graph, *, engine: str = "compiled", focus: set | None = None) -> ValidationReport:
    """Validate one data graph (modified in place: the axioms are added).

    `focus`: keep only results on these nodes (for the gate: the subjects of the
    data being written and the records it may break; the rest of the context
    fetched from the store is checked only through them)."""
    t0 = time.perf_counter()
    for t in axioms():
        data.add(t)
    if engine == "pyshacl":
        results = _pyshacl_all(data)
    elif engine == "hybrid" or not _compiled_shapes()[1]:
        results = _core_results(data) + _sparql_results(data)
    else:
        results = _fast_core(data) + _sparql_results(data)
    if focus is not None:
        results = [r for r in results if r.focus in focus]
    _conflicting_values(results, data)
    report = ValidationReport(results=results, triples=len(data))
    report.labels = _labels(data, {r.focus for r in results})
    report.seconds = time.perf_counter() - t0
    return report


def _conflicting_values(results: list[Result], data: Graph) -> None:
    """Give sh:uniqueLang results (SHACL reports them without sh:value) the values of their language.

    SHACL makes one result per duplicated language and says not which: the
    results of one shape on one focus node and path take them in order."""
    groups: dict[tuple, list[Result]] = {}
    for r in results:
        if r.component == SH.UniqueLangConstraintComponent and r.value is None and isinstance(r.path, URIRef):
            groups.setdefault((r.focus, r.path, r.source_shape), []).append(r)
    for (focus, path, _), rs in groups.items():
        by_lang: dict[str, list] = {}
        for v in data.objects(focus, path):
            if isinstance(v, Literal) and v.language:
                by_lang.setdefault(v.language.lower(), []).append(v)
        dup = [sorted(vs) for _, vs in sorted(by_lang.items()) if len(vs) > 1]
        for r, vs in zip(rs, dup):
            r.values = tuple(vs)


_LABEL_PROPS = (RDFS.label, SKOS.prefLabel, JIU.symbol, DCTERMS.title)


def _labels(data: Graph, nodes: Iterable[Node]) -> dict:
    out = {}
    for n in nodes:
        ls: dict[str, str] = {}
        for p in _LABEL_PROPS:
            for lit in data.objects(n, p):
                if isinstance(lit, Literal):
                    ls.setdefault(lit.language or "", str(lit))
            if ls:
                break
        if ls:
            out[n] = ls
    return out


# --------------------------------------------------------------------------
# the write gate
#
# A write replaces named graphs. What it can break: the records it writes (the
# new graphs' subjects), the resources whose description it changes or removes
# (a recommendation dropped from its report may still be described by a CEB
# note), and the records of other graphs that point at those resources (a status
# statement about the dropped recommendation) or that they point at. All of them
# are validated against the store as it would be after the write. The changed
# resources come from a diff of each graph's old and new triples; the records
# pointing at them from one indexed SPARQL lookup per batch of 400 IRIs; so the
# cost follows the size of the write and of its neighbourhood, not of the store.
# Results on other graphs' records that the store already had before the write
# are not blamed on it (a second, small validation of the old state finds them).
# Blank nodes compare equal in the diff (their labels change with every parse):
# a change inside one is not traced to the IRI holding it; the loaders mint an
# IRI for every record.


def _static() -> dict[URIRef, Graph]:
    from jiukg.ontology import static_graphs

    return static_graphs()


_BATCH = 400
# Properties whose other ends matter to a rule: records sharing a publication
# (number unique per report) or a dataset (no duplicate observation).
_REVERSE = (JIU.inPublication, URIRef("http://purl.org/linked-data/cube#dataSet"))


def _not_in(exclude: set) -> str:
    not_in = ", ".join(f"<{g}>" for g in sorted(exclude))
    return f"FILTER (?g NOT IN ({not_in}))" if not_in else ""


def _batches(terms: Iterable[Node]) -> Iterable[str]:
    iris = sorted(t for t in terms if isinstance(t, URIRef))
    for i in range(0, len(iris), _BATCH):
        yield " ".join(f"<{t}>" for t in iris[i:i + _BATCH])


def _fetch(store, subjects: set, exclude: set) -> list[tuple]:
    """Triples of the store, outside the excluded graphs, whose subject is one of `subjects`."""
    out = []
    for values in _batches(subjects):
        q = f"SELECT ?s ?p ?o WHERE {{ GRAPH ?g {{ VALUES ?s {{ {values} }} ?s ?p ?o }} {_not_in(exclude)} }}"
        out += [(r["s"], r["p"], r["o"]) for r in store.query(q).rows]
    return out


def _fetch_reverse(store, objects: set, exclude: set) -> set:
    """Subjects in the store (outside excluded graphs) that share a publication or dataset with the new data."""
    preds = " ".join(f"<{p}>" for p in _REVERSE)
    found = set()
    for values in _batches(objects):
        q = (f"SELECT DISTINCT ?s WHERE {{ GRAPH ?g {{ VALUES ?o {{ {values} }} VALUES ?p {{ {preds} }} ?s ?p ?o }} "
             f"{_not_in(exclude)} }}")
        found |= {r["s"] for r in store.query(q).rows}
    return found


def _referrers(store, targets: set, exclude: set) -> set:
    """Subjects of the store (outside the excluded graphs) with a triple pointing at one of `targets`.

    rdf:type links are left out: a class is not a record, and following them
    would pull in every instance of a class a graph happens to describe."""
    found = set()
    for values in _batches(targets):
        q = (f"SELECT DISTINCT ?s WHERE {{ GRAPH ?g {{ VALUES ?o {{ {values} }} ?s ?p ?o "
             f"FILTER (?p != <{RDF.type}>) }} {_not_in(exclude)} }}")
        found |= {r["s"] for r in store.query(q).rows}
    return found


_ANY_BNODE = BNode("any")  # blank nodes compare equal in the diff: their labels differ from one parse to the next


def _key(t: tuple) -> tuple:
    return tuple(_ANY_BNODE if isinstance(x, BNode) else x for x in t)


@dataclass
class _Change:
    """What a write changes, against what the store holds now."""

    old: dict  # graph IRI -> the store's current triples of that graph
    subjects: set  # IRIs whose description the write changes or removes (or adds)
    objects: set  # IRIs that the added or removed triples point at


def _changes(store, graphs: dict[URIRef, Graph], existing: set) -> _Change:
    old: dict[URIRef, Graph] = {}
    subjects: set = set()
    objects: set = set()
    for gid, new in graphs.items():
        before = Graph()
        if gid in existing:
            for s, p, o, _ in store.quads(gid):
                before.add((s, p, o))
        old[gid] = before
        diff = {_key(t) for t in before} ^ {_key(t) for t in new}
        for s, p, o in diff:
            if isinstance(s, URIRef):
                subjects.add(s)
            if isinstance(o, URIRef) and p != RDF.type:
                objects.add(o)
    return _Change(old, subjects, objects)


def context(store, graphs: dict[URIRef, Graph], extra: Iterable[Node] = ()) -> Graph:
    """What the store already says about the resources the new graphs mention, and about `extra`.

    Two hops: the descriptions of every IRI the new data names (subject or
    object) and of the `extra` IRIs (the records a write may break), then of
    every IRI those descriptions name; plus the records that share a publication
    or dataset with them. The graphs being replaced, the ontology and the
    reference data are left out (the new versions, and the files, stand in for
    them)."""
    ctx = Graph()
    if store is None:
        return ctx
    exclude = set(graphs) | {ONTOLOGY_GRAPH, REFERENCE_GRAPH, CATALOGUE_GRAPH}
    others = [g for g in store.graphs() if g not in exclude]
    if not others:
        return ctx
    extra = set(extra)
    mentioned = set(extra)
    for g in graphs.values():
        for s, p, o in g:
            mentioned.add(s)
            if isinstance(o, URIRef) and p != RDF.type:
                mentioned.add(o)
    static_terms = {s for g in _static().values() for s in g.subjects()}
    seen = set(static_terms)
    frontier = (mentioned - seen) | (_fetch_reverse(store, mentioned, exclude) - seen)
    for hop in range(2):
        if not frontier:
            break
        seen |= frontier
        triples = _fetch(store, frontier, exclude)
        nxt = set()
        for t in triples:
            ctx.add(t)
            if isinstance(t[2], URIRef) and t[1] != RDF.type:
                nxt.add(t[2])
        if hop == 0:  # the extra records' publications and datasets: their siblings too
            nxt |= _fetch_reverse(store, {t[2] for t in triples if t[1] in _REVERSE and t[0] in extra}, exclude)
        frontier = nxt - seen
    return ctx


def _data_graph() -> Graph:
    """An rdflib graph to validate: triples only (no contexts), a third faster to fill than the default store."""
    return Graph(store="SimpleMemory")


def _data(graphs: dict[URIRef, Graph], ctx: Graph | None = None) -> Graph:
    data = _data_graph()
    for g in list(graphs.values()):
        for t in g:
            data.add(t)
    for gid, g in _static().items():
        if gid not in graphs:
            for t in g:
                data.add(t)
    if ctx is not None:
        for t in ctx:
            data.add(t)
    return data


def _result_key(r: Result) -> tuple:
    return (r.focus, r.path, r.component, r.source_shape, r.value)


def validate_write(store, graphs: dict[URIRef, Graph], *, engine: str = "compiled") -> ValidationReport:
    """The gate: validate the graphs about to replace theirs, with what they refer to in the store.

    Reported: every result on the new graphs' subjects; and the results the
    write would bring on the resources whose description it changes and on the
    records of other graphs that point at them or that they point at. The rest
    of the store serves as context only."""
    t0 = time.perf_counter()
    change = _Change({}, set(), set())
    dependents: set = set()
    if store is not None:
        existing = set(store.graphs())
        change = _changes(store, graphs, existing)
        exclude = set(graphs) | {ONTOLOGY_GRAPH, REFERENCE_GRAPH, CATALOGUE_GRAPH}
        if existing - exclude:
            dependents = _referrers(store, change.subjects, exclude)
        for gid, g in _static().items():  # the files' records stand in for the store's
            if gid not in graphs:
                dependents |= {s for x in change.subjects for s, p in g.subject_predicates(x) if p != RDF.type}
    touched = (change.subjects | change.objects | dependents) - {s for g in graphs.values() for s in g.subjects()}
    ctx = context(store, graphs, touched)
    data = _data(graphs, ctx)
    focus = None
    if len(ctx) or any(g not in graphs for g in _static()):
        focus = {s for g in graphs.values() for s in g.subjects()} | touched
    report = validate_graph(data, engine=engine, focus=focus)
    if focus is not None and touched:
        # results on records outside the new graphs: only those the write brings
        outside = [r for r in report.results if r.focus in touched]
        if outside:
            before = validate_graph(_data(change.old, ctx), engine=engine, focus={r.focus for r in outside})
            had = {_result_key(r) for r in before.results}
            report.results = [r for r in report.results if r.focus not in touched or _result_key(r) not in had]
            report.labels = _labels(data, {r.focus for r in report.results})
    report.seconds = time.perf_counter() - t0
    return report


def validate_store(store, *, engine: str = "compiled") -> ValidationReport:
    """Validate everything in the store (all graphs together)."""
    t0 = time.perf_counter()
    data = _data_graph()
    for s, p, o, _ in store.quads():
        data.add((s, p, o))
    if (URIRef(BASE + "ontology"), RDF.type, OWL.Ontology) not in data:
        for g in _static().values():  # a store without the ontology: use the files
            for t in g:
                data.add(t)
    report = validate_graph(data, engine=engine)
    report.seconds = time.perf_counter() - t0
    return report


# --------------------------------------------------------------------------
# rendering


def short(iri: Node) -> str:
    """A compact, readable form of an IRI: id/... paths below the base, prefixed names elsewhere."""
    s = str(iri)
    if s.startswith(str(JIU)):
        return "jiu:" + s[len(str(JIU)):]
    if s.startswith(BASE):
        return s[len(BASE):]
    for p, ns in PREFIXES.items():
        if s.startswith(ns) and len(s) > len(ns):
            return f"{p}:{s[len(ns):]}"
    return s


def show_value(v: Node | None, width: int = 40) -> str:
    if v is None:
        return ""
    if isinstance(v, Literal):
        text = str(v).replace("\n", " ")
        text = f'"{text}"'
        if v.language:
            suffix = "@" + v.language
        elif v.datatype and v.datatype != XSD.string:
            suffix = "^^" + short(v.datatype)
        else:
            suffix = ""
        text = _truncate(text, width - _width(suffix))
        return text + suffix
    if isinstance(v, BNode):
        return "[]"
    return _truncate(short(v), width)


def _width(s: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)


def _truncate(s: str, width: int) -> str:
    if _width(s) <= width:
        return s
    out, w = "", 0
    for c in s:
        cw = _width(c)
        if w + cw > width - 1:
            break
        out += c
        w += cw
    return out + "…"


def _pad(s: str, width: int) -> str:
    return s + " " * max(0, width - _width(s))


COLUMNS = {
    "en": {"severity": "severity", "focus": "focus node", "path": "path", "value": "value", "message": "message"},
    "zh": {"severity": "严重程度", "focus": "焦点节点", "path": "路径", "value": "值", "message": "说明"},
}
_VW = 36  # width of the value column


def render_text(report: ValidationReport, lang: str = "en") -> str:
    """A table grouped by focus node (a heading line per focus node, then severity,
    path, value, message), under column headers, and a one-line summary.

    Where a result has no single value (two texts in one language), the column
    says how many and the values follow in full on their own lines: they often
    differ only past the width of the column."""
    if report is None:
        return ""
    lang = lang if lang in LANGS else "en"
    sev = SEVERITY_LABELS[lang]
    col = COLUMNS[lang]
    lines = []
    groups = report.by_focus()
    if groups:
        pw = min(34, max([_width(short(r.path)) for _, rs in groups for r in rs if r.path is not None] +
                         [_width(col["path"])]))
        sw = max(_width(v) for v in [*sev.values(), col["severity"]])
        lines.append(col["focus"])
        header = "  " + _pad(col["severity"], sw) + "  " + _pad(col["path"], pw) + "  " + _pad(col["value"], _VW) + \
            "  " + col["message"]
        lines.append(header)
        lines.append("-" * min(120, _width(header) + 40))
        for focus, rs in groups:
            label = report.label(focus, lang)
            head = short(focus)
            lines.append(f"{head}" + (f"  ({label})" if label and label != head else ""))
            for r in rs:
                path = short(r.path) if isinstance(r.path, URIRef) else ""
                value = show_value(r.value, _VW)
                if r.value is None and r.values:
                    langs = sorted({v.language for v in r.values if isinstance(v, Literal) and v.language})
                    value = f"{len(r.values)} × " + ",".join("@" + x for x in langs) if langs else f"{len(r.values)} ×"
                lines.append("  " + _pad(sev[r.severity], sw) + "  " + _pad(_truncate(path, pw), pw) + "  " +
                             _pad(value, _VW) + "  " + r.message(lang))
                if r.value is None:
                    indent = " " * (2 + sw + 2 + pw + 2)
                    lines += [indent + show_value(v, 10_000) for v in r.values]
            lines.append("")
    lines.append(report.summary(lang))
    return "\n".join(lines)


def render(report: ValidationReport, fmt: str = "table", lang: str = "en") -> str:
    if fmt == "turtle":
        return report.graph().serialize(format="turtle")
    if fmt == "json":
        return json.dumps(report.to_json(), ensure_ascii=False, indent=2)
    return render_text(report, lang)


# --------------------------------------------------------------------------
# the shapes in words (the ontology page documents them with the classes)

SHAPES_NS = "https://w3id.org/jiukg/shapes#"

SHAPE_DOC_TEXT = {
    "en": {"title": "Validation rules (SHACL shapes)", "target": "Applies to", "node": "the node itself",
           "rules": "SPARQL rule", "message": "Message", "turtle": "the shapes as Turtle", "query": "query",
           "class": "instances of {x}", "subjectsOf": "subjects of {x}", "objectsOf": "objects of {x}",
           "node_target": "the node {x}", "sep": "; ",
           "intro": "Data written to the store must satisfy these rules: a Violation refuses the write; a Warning "
                    "or an Info is shown to a data steward."},
    "zh": {"title": "验证规则（SHACL 形状）", "target": "适用对象", "node": "节点本身",
           "rules": "SPARQL 规则", "message": "说明", "turtle": "形状的 Turtle 文本", "query": "查询",
           "class": "{x} 的实例", "subjectsOf": "具有 {x} 的主语", "objectsOf": "{x} 的宾语", "node_target": "节点 {x}",
           "sep": "；",
           "intro": "写入存储的数据必须满足以下规则：违规（Violation）拒绝写入；警告（Warning）或提示（Info）"
                    "提供给数据管理员查看。"},
}

_NODE_KINDS = {
    "en": {"IRI": "an IRI", "Literal": "a literal", "BlankNode": "a blank node",
           "BlankNodeOrIRI": "an IRI or blank node", "BlankNodeOrLiteral": "a blank node or literal",
           "IRIOrLiteral": "an IRI or literal"},
    "zh": {"IRI": "IRI", "Literal": "字面量", "BlankNode": "空白节点", "BlankNodeOrIRI": "IRI 或空白节点",
           "BlankNodeOrLiteral": "空白节点或字面量", "IRIOrLiteral": "IRI 或字面量"},
}


def shape_name(node: Node) -> str:
    """jsh:Name for a shape of shapes/, short() for anything else."""
    s = str(node)
    return "jsh:" + s[len(SHAPES_NS):] if s.startswith(SHAPES_NS) else short(node)


def _curie(t: Node) -> str:
    """A prefixed name by the longest namespace of PREFIXES (jiuv:acceptance/accepted, not vocab/...)."""
    s = str(t)
    best = max((ns for ns in PREFIXES.values() if s.startswith(ns) and len(s) > len(ns)), key=len, default=None)
    if best is None or best == str(ID):
        return short(t)
    return next(p for p, ns in PREFIXES.items() if ns == best) + ":" + s[len(best):]


def _term_words(t: Node) -> str:
    if isinstance(t, Literal):
        return f'"{t}"' if t.datatype in (None, XSD.string) and not t.language else \
            f'"{t}"@{t.language}' if t.language else str(t)
    return _curie(t)


def constraint_words(sg: Graph, node: Node, lang: str = "en") -> list[str]:
    """The SHACL Core constraints of one shape node in words (en or zh), in a fixed order."""
    zh = lang == "zh"
    out = []

    def num(p):
        v = sg.value(node, SH[p])
        return int(v) if v is not None else None

    mn, mx = num("minCount"), num("maxCount")
    if mn is not None and mn == mx:
        out.append(f"恰好 {mn} 个值" if zh else f"exactly {mn} value{'s' * (mn != 1)}")
    else:
        if mn:
            out.append(f"至少 {mn} 个值" if zh else f"at least {mn} value{'s' * (mn != 1)}")
        if mx is not None:
            out.append(f"至多 {mx} 个值" if zh else f"at most {mx} value{'s' * (mx != 1)}")
    dt = sg.value(node, SH.datatype)
    if dt == RDF.langString:
        out.append("带语言标记的字符串" if zh else "a language-tagged string")
    elif dt is not None:
        out.append(f"数据类型 {short(dt)}" if zh else f"of datatype {short(dt)}")
    for c in sorted(sg.objects(node, SH["class"])):
        out.append(f"{short(c)} 的实例" if zh else f"an instance of {short(c)}")
    nk = sg.value(node, SH.nodeKind)
    if nk is not None:
        k = str(nk).rsplit("#", 1)[-1]
        out.append(_NODE_KINDS[lang if zh else "en"].get(k, k))
    pat = sg.value(node, SH.pattern)
    if pat is not None:
        flags = sg.value(node, SH.flags)
        out.append((f"匹配 /{pat}/" if zh else f"matching /{pat}/") + (str(flags) if flags else ""))
    lst = sg.value(node, SH["in"])
    if lst is not None:
        items = [_term_words(x) for x in sg.items(lst)]
        out.append(("取值之一：" + "、".join(items)) if zh else ("one of " + ", ".join(items)))
    hv = sg.value(node, SH.hasValue)
    if hv is not None:
        out.append(f"须含值 {_term_words(hv)}" if zh else f"including the value {_term_words(hv)}")
    li = sg.value(node, SH.languageIn)
    if li is not None:
        tags = [str(x) for x in sg.items(li)]
        out.append(("语文为 " + "、".join(tags)) if zh else ("in language " + ", ".join(tags)))
    if sg.value(node, SH.uniqueLang) == Literal(True):
        out.append("每种语文至多一个" if zh else "at most one per language")
    for p, en, cn in (("minLength", "at least {n} character{s}", "至少 {n} 个字符"),
                      ("maxLength", "at most {n} character{s}", "至多 {n} 个字符")):
        n = num(p)
        if n is not None:
            out.append(cn.format(n=n) if zh else en.format(n=n, s="s" * (n != 1)))
    for p, op in (("minInclusive", "≥"), ("minExclusive", ">"), ("maxInclusive", "≤"), ("maxExclusive", "<")):
        v = sg.value(node, SH[p])
        if v is not None:
            out.append(f"{op} {v}")
    for p, en, cn in ((SH["or"], "either {x}", "满足其一：{x}"), (SH.xone, "exactly one of: {x}", "恰好满足其一：{x}")):
        for lst in sg.objects(node, p):
            alts = [_alternative_words(sg, a, lang) for a in sg.items(lst)]
            x = "；或 ".join(alts) if zh else (" or " if p == SH["or"] else "; ").join(alts)
            out.append(cn.format(x=x) if zh else en.format(x=x))
    q = sg.value(node, SH.qualifiedValueShape)
    if q is not None:
        what = "、".join(constraint_words(sg, q, lang)) if zh else ", ".join(constraint_words(sg, q, lang))
        for p, en, cn in (("qualifiedMinCount", "at least {n} value{s} {w}", "至少 {n} 个值满足：{w}"),
                          ("qualifiedMaxCount", "at most {n} value{s} {w}", "至多 {n} 个值满足：{w}")):
            n = num(p)
            if n is not None:
                out.append(cn.format(n=n, w=what) if zh else en.format(n=n, s="s" * (n != 1), w=what))
    return out


def _alternative_words(sg: Graph, alt: Node, lang: str) -> str:
    sep = "、" if lang == "zh" else ", "
    words = sep.join(constraint_words(sg, alt, lang))
    path = sg.value(alt, SH.path)
    return f"{short(path)}: {words}" if isinstance(path, URIRef) else words


@lru_cache(maxsize=1)
def _shape_files() -> dict[Node, str]:
    """Which file of shapes/ declares each named shape (the page groups them so)."""
    out = {}
    for f in sorted(SHAPES_DIR.glob("*.ttl")):
        g = Graph().parse(f, format="turtle")
        for s in set(g.subjects(RDF.type, SH.NodeShape)) | set(g.subjects(RDF.type, SH.PropertyShape)):
            out.setdefault(s, f.name)
    return out


def describe_shapes(lang: str = "en") -> list[dict]:
    """Every named node shape, in words, for documentation: files of shapes/, each with its shapes
    (target, node-level constraints, property shapes, SPARQL rules with their message and severity,
    severities named in `lang`)."""
    lang = lang if lang in LANGS else "en"
    sg = shapes_graph()
    files = _shape_files()

    def text(node, *props):
        lits = [lit for p in props for lit in sg.objects(node, p) if isinstance(lit, Literal)]
        return _pick({lit.language or "": str(lit) for lit in lits}, lang) or ""

    def sev(node, default=SH.Violation):
        return SEVERITY_LABELS[lang][_sev_name(sg.value(node, SH.severity) or default)]

    shapes = []
    for s in sorted(set(sg.subjects(RDF.type, SH.NodeShape)), key=str):
        if not isinstance(s, URIRef):
            continue
        targets = [{"kind": k, "term": t} for k in ("targetClass", "targetSubjectsOf", "targetObjectsOf", "targetNode")
                   for t in sorted(sg.objects(s, SH[k]))]
        props = []
        for ps in sg.objects(s, SH.property):
            path = sg.value(ps, SH.path)
            props.append({"iri": str(ps) if isinstance(ps, URIRef) else None,
                          "name": shape_name(ps) if isinstance(ps, URIRef) else "",
                          "path": short(path) if path is not None else "", "path_iri": str(path or ""),
                          "label": text(ps, SH.name), "constraints": constraint_words(sg, ps, lang),
                          "severity": sev(ps, sg.value(s, SH.severity) or SH.Violation),
                          "message": text(ps, SH.message)})
        props.sort(key=lambda p: (p["path"], p["name"]))
        rules = [{"message": text(c, SH.message) or text(s, SH.message), "severity": sev(s),
                  "query": textwrap.dedent(str(sg.value(c, SH.select) or "")).strip("\n")}
                 for c in sg.objects(s, SH.sparql)]
        shapes.append({"iri": str(s), "name": shape_name(s), "id": "shape-" + str(s).rsplit("#", 1)[-1],
                       "file": files.get(s, ""), "label": text(s, RDFS.label, SH.name), "severity": sev(s),
                       "message": text(s, SH.message), "targets": targets,
                       "node": constraint_words(sg, s, lang), "properties": props, "rules": rules})
    return shapes


# --------------------------------------------------------------------------
# `jiukg validate`


def _input_error(path: Path, e: Exception) -> str:
    """A one-line reason naming the file and, where the parser says, the line."""
    from jiukg.pipeline import RefusedRDF

    if isinstance(e, RefusedRDF):  # parsed fine, refused for what it asks (a fetch, a DTD): say that
        return str(e)
    cause = e.__cause__ or e
    text = str(cause)
    m = re.search(r"line (\d+)", text)
    line = int(m.group(1)) if m else None
    if line is None and path.suffix.lower() in (".nt", ".nq"):
        line = _first_bad_line(path)
    first = ""
    for part in text.splitlines():
        part = part.strip()
        if part and not part.startswith("at line"):
            first = part
            break
    m2 = re.search(r"Bad syntax \(([^)]*)\)", text)
    if m2:
        first = m2.group(1)
    if cause is e:
        return text
    where = f"{path.name}" + (f", line {line}" if line else "")
    fmt = str(e).split(": not valid ", 1)[-1].split(" (", 1)[0] if ": not valid " in str(e) else "RDF"
    return f"{where}: not valid {fmt}: {first}"


def _first_bad_line(path: Path) -> int | None:
    fmt = "nt" if path.suffix.lower() == ".nt" else "nquads"
    from rdflib import Dataset

    for i, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            (Graph() if fmt == "nt" else Dataset()).parse(data=line + "\n", format=fmt)
        except Exception:
            return i
    return None


def _err(msg: str) -> None:
    print(f"error: {msg}", file=sys.stderr)


def _store_location(store: str | None) -> tuple[str, bool]:
    """Where the store is (--store, else JIUKG_STORE or jiukg.env, else var/store) and whether it was named."""
    from jiukg.config import settings
    from jiukg.paths import DEFAULT_STORE

    named = settings(store=store).store
    return named or str(DEFAULT_STORE), named is not None


def _store_error(location: str, e: Exception) -> str:
    """One line naming the store and what failed (the store's own message usually names it)."""
    text = " ".join(str(e).split())
    return f"cannot read the store: {text}" if location in text else f"cannot read the store {location}: {text}"


def _missing_store(location: str) -> bool:
    """An embedded store that is not there (opening it would create an empty one)."""
    if location == ":memory:" or location.startswith(("http://", "https://")):
        return False
    return not Path(location).exists()


def cli(files, *, store, lang: str = "en", fmt: str = "table", opener: Callable | None = None) -> int:
    """`jiukg validate [FILE...]`: 0 no violation (warnings and infos may be listed), 1 violations,
    2 unusable input or a store that does not exist or cannot be read."""
    import logging

    from jiukg.store import StoreError

    # rdflib logs a traceback for every ill-typed literal it parses; the report says it better
    logging.getLogger("rdflib.term").setLevel(logging.CRITICAL)
    if fmt not in ("table", "turtle", "json"):
        _err(f"--format {fmt}: use table, turtle or json")
        return 2
    if lang not in LANGS:
        _err(f"--lang {lang}: use en or zh")
        return 2
    files = [Path(f) for f in files or []]
    location, named = _store_location(store)
    if files:
        from jiukg import pipeline

        graphs: dict[URIRef, Graph] = {}
        for f in files:
            try:
                pr = pipeline.prepare(f)
            except Exception as e:  # unrecognised, unparsable, unreadable: all unusable input
                _err(_input_error(f, e))
                return 2
            for gid, g in pr.graphs.items():
                if gid in graphs:
                    graphs[gid] += g
                else:
                    graphs[gid] = g
        st = None
        if opener is not None and _missing_store(location):
            if named:  # a store asked for by name and not there: never validate against an empty one made up
                _err(f"the store {location} does not exist; nothing was validated "
                     f"(`jiukg build --store {location}` makes one)")
                return 2
        elif opener is not None:
            try:
                st = opener()
            except Exception as e:  # the store cannot be opened (e.g. a running server holds it)
                if named:
                    if isinstance(e, StoreError):
                        _err(_store_error(location, e))
                    return 2  # the opener has said why
                print(f"note: the store {location} could not be opened; validating the files without it",
                      file=sys.stderr)
        try:
            report = validate_write(st, graphs)
        except StoreError as e:
            _err(_store_error(location, e))
            return 2
        finally:
            if st is not None:
                st.close()
    else:
        if opener is None:
            _err("no files and no store to validate")
            return 2
        if _missing_store(location):
            _err(f"the store {location} does not exist (`jiukg build --store {location}` makes one)")
            return 2
        try:
            with opener() as st:
                report = validate_store(st)
        except StoreError as e:
            _err(_store_error(location, e))
            return 2
    out = render(report, fmt, lang)
    sys.stdout.write(out if out.endswith("\n") else out + "\n")
    return 0 if report.conforms else 1
