"""The compiled SHACL Core engine: the shapes read once into plain objects and
evaluated in Python over the data graph's indexes (no per-focus-node shape
objects as in pyshacl)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD
from rdflib.term import Node

from jiukg.namespaces import SH

from .report import Result
from .shapes import _sev_name, shapes_graph


def _parent_shape(source_shape: Node) -> Node:
    """The named node shape a (possibly blank) property shape belongs to."""
    sg = shapes_graph()
    if isinstance(source_shape, URIRef) and (source_shape, RDF.type, SH.NodeShape) in sg:
        return source_shape
    for parent in sg.subjects(SH.property, source_shape):
        return parent
    return source_shape


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


