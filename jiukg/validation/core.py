"""The compiled SHACL Core engine: the shapes read once into plain objects and
evaluated in Python over the data graph's indexes (no per-focus-node shape
objects as in pyshacl).

What it implements is listed in _PARAMS; `compile_shapes` reads the whole
shapes graph before any validation and lists every reason it cannot run it
(a parameter outside the list, a complex path, a custom constraint
component, ...). With any reason, the engine runs none of it and the whole
validation goes to pyshacl (engine.py): a shape is never skipped in silence,
and the decision is never taken shape by shape after the fact.

Shapes are every node SHACL calls one (SHACL 1.0 §2.1): instances of
sh:NodeShape and sh:PropertyShape, subjects of targets, and the values of
sh:property, sh:node, sh:not, sh:qualifiedValueShape and of the lists of
sh:and, sh:or, sh:xone. Those with a target are validated: sh:targetClass,
sh:targetNode, sh:targetSubjectsOf, sh:targetObjectsOf and the implicit class
target of a shape that is also an rdfs:Class (§2.1.3.3), node and property
shapes alike. The SPARQL-based constraints (sh:sparql) of the shapes reached
this way are collected with their focus nodes and run by sparql.py.
"""

from __future__ import annotations

import logging
import operator
import re
from dataclasses import dataclass, field
from functools import lru_cache

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD
from rdflib.term import Node

from jiukg.namespaces import SH

from .report import Result
from .shapes import Shapes, _sev_name

# sh: predicates the engine implements on a shape (the rest of the sh: namespace means hand-over)
_PARAMS = {SH[p] for p in (
    "targetClass", "targetNode", "targetSubjectsOf", "targetObjectsOf", "property", "path", "minCount",
    "maxCount", "datatype", "class", "in", "pattern", "flags", "nodeKind", "hasValue", "languageIn", "uniqueLang",
    "minLength", "maxLength", "minInclusive", "maxInclusive", "minExclusive", "maxExclusive", "or", "xone", "and",
    "not", "node", "qualifiedValueShape", "qualifiedMinCount", "qualifiedMaxCount", "qualifiedValueShapesDisjoint",
    "severity", "message", "name", "description", "deactivated", "sparql", "order", "group", "defaultValue",
    "prefixes", "declare")}
_SINGLE = ("path", "minCount", "maxCount", "datatype", "nodeKind", "pattern", "flags", "hasValue", "languageIn",
           "uniqueLang", "minLength", "maxLength", "minInclusive", "maxInclusive", "minExclusive", "maxExclusive",
           "qualifiedValueShape", "qualifiedMinCount", "qualifiedMaxCount", "qualifiedValueShapesDisjoint",
           "severity", "deactivated", "in")
_PER_VALUE = ("datatype", "class", "in", "nodeKind", "pattern", "languageIn", "minLength", "maxLength",
              "minInclusive", "maxInclusive", "minExclusive", "maxExclusive", "or", "xone", "and", "not", "node")
_TARGETS = ("targetClass", "targetNode", "targetSubjectsOf", "targetObjectsOf")
_COMPONENT = {p: SH[p[0].upper() + p[1:] + "ConstraintComponent"] for p in (
    "minCount", "maxCount", "datatype", "class", "in", "pattern", "nodeKind", "hasValue", "languageIn",
    "uniqueLang", "minLength", "maxLength", "minInclusive", "maxInclusive", "minExclusive", "maxExclusive", "or",
    "xone", "and", "not", "node")}
_COMPONENT["qualifiedMinCount"] = SH.QualifiedMinCountConstraintComponent
_COMPONENT["qualifiedMaxCount"] = SH.QualifiedMaxCountConstraintComponent
_TRUE = Literal("true", datatype=XSD.boolean)  # made once: building a Literal per check was a third of the time


def is_true(v: Node | None) -> bool:
    """The RDF term "true"^^xsd:boolean (SHACL's boolean parameters compare terms: "1" is not it)."""
    return isinstance(v, Literal) and v.datatype == XSD.boolean and str(v) == "true"


@dataclass(eq=False)
class CShape:
    node: Node
    path: URIRef | None
    severity: str
    messages: dict
    params: dict  # local name -> value(s)
    properties: list = field(default_factory=list)  # of CShape
    targets: list = field(default_factory=list)  # (kind, term)
    sparql: list = field(default_factory=list)  # sh:sparql constraint nodes (not deactivated)
    deactivated: bool = False
    siblings: list = field(default_factory=list)  # qualifiedValueShapesDisjoint: the sibling value shapes
    _per_value: bool | None = None
    _checks: list | None = None

    @property
    def per_value(self) -> bool:
        """Whether any constraint of the shape looks at each value (else the values' loop is skipped)."""
        if self._per_value is None:
            self._per_value = any(k in self.params for k in _PER_VALUE)
        return self._per_value

    @property
    def value_checks(self) -> list:
        """(component, ok(value, index)) for each of the shape's constraints on each value, in the order their
        results are reported: built once, so a value meets only the shape's own constraints (at 1M triples,
        asking every value of every shape about each kind of constraint was a third of the validation)."""
        if self._checks is None:
            self._checks = _value_checks(self.params)
        return self._checks


@dataclass
class Compiled:
    roots: list  # shapes with targets
    reasons: list  # why the engine cannot run the shapes graph (empty: it can)
    shapes: dict  # node -> CShape


def shape_nodes(sg: Graph) -> set:
    """Every node the shapes graph makes a shape (SHACL 1.0 §2.1)."""
    out = set(sg.subjects(RDF.type, SH.NodeShape)) | set(sg.subjects(RDF.type, SH.PropertyShape))
    for t in _TARGETS:
        out |= set(sg.subjects(SH[t], None))
    for p in (SH.property, SH.node, SH["not"], SH.qualifiedValueShape):
        out |= set(sg.objects(None, p))
    for p in (SH["and"], SH["or"], SH.xone):
        for lst in sg.objects(None, p):
            out |= set(sg.items(lst))
    return out


def compiled(shapes: Shapes) -> Compiled:
    return shapes.memo("core", lambda: compile_shapes(shapes.graph))  # type: ignore[return-value]


def compile_shapes(sg: Graph) -> Compiled:
    """The shapes as plain objects, and every reason the engine cannot run them."""
    reasons: list[str] = []
    cache: dict[Node, CShape] = {}

    def name(n: Node) -> str:
        return f"_:{n}" if isinstance(n, BNode) else f"<{n}>"

    if (None, RDF.type, SH.ConstraintComponent) in sg or (None, SH.parameter, None) in sg:
        reasons.append("the shapes declare constraint components of their own (sh:ConstraintComponent)")
    if (None, SH.target, None) in sg:
        reasons.append("SHACL-AF targets (sh:target)")

    def build(node: Node) -> CShape:
        if node in cache:
            return cache[node]
        params: dict = {}
        for p in set(sg.predicates(node, None)):
            if str(p).startswith(str(SH)) and p not in _PARAMS:
                reasons.append(f"{name(node)} uses {p.n3(sg.namespace_manager)}")
        for local in _SINGLE:
            if len(set(sg.objects(node, SH[local]))) > 1:
                reasons.append(f"{name(node)} has several values of sh:{local}")
        path = sg.value(node, SH.path)
        if path is not None and not isinstance(path, URIRef):
            reasons.append(f"{name(node)} has a complex property path")
        try:
            for local in ("minCount", "maxCount", "qualifiedMinCount", "qualifiedMaxCount", "minLength",
                          "maxLength"):
                v = sg.value(node, SH[local])
                if v is not None:
                    if not (isinstance(v, Literal) and v.datatype == XSD.integer):
                        raise ValueError(f"sh:{local} {v.n3()} is not an xsd:integer")
                    params[local] = int(v)
        except ValueError as e:
            reasons.append(f"{name(node)}: {e}")
        for local in ("datatype", "nodeKind", "hasValue", "pattern", "flags", "minInclusive", "maxInclusive",
                      "minExclusive", "maxExclusive"):
            v = sg.value(node, SH[local])
            if v is not None:
                params[local] = v
        if is_true(sg.value(node, SH.uniqueLang)):
            params["uniqueLang"] = True
        classes = list(sg.objects(node, SH["class"]))
        if classes:
            params["class"] = classes
        for local in ("in", "languageIn"):
            lst = sg.value(node, SH[local])
            if lst is not None:
                params[local] = list(sg.items(lst))
        shape = CShape(node, path if isinstance(path, URIRef) else None,
                       _sev_name(sg.value(node, SH.severity) or SH.Violation),
                       {getattr(m, "language", None) or "": str(m) for m in sg.objects(node, SH.message)}, params,
                       deactivated=is_true(sg.value(node, SH.deactivated)))
        cache[node] = shape
        for local in ("or", "xone", "and"):
            lists = list(sg.objects(node, SH[local]))
            if lists:
                params[local] = [[build(alt) for alt in sg.items(o)] for o in lists]
        for local in ("not", "node"):
            vs = list(sg.objects(node, SH[local]))
            if vs:
                params[local] = [build(v) for v in vs]
        q = sg.value(node, SH.qualifiedValueShape)
        if q is not None:
            params["qualifiedValueShape"] = build(q)
            if is_true(sg.value(node, SH.qualifiedValueShapesDisjoint)):
                # SHACL 1.0 §4.7.3: the qualified value shapes of the other property shapes of the same parents
                shape.siblings = [build(s) for parent in sg.subjects(SH.property, node)
                                  for ps in sg.objects(parent, SH.property) if ps != node
                                  for s in sg.objects(ps, SH.qualifiedValueShape)]
        for ps in sg.objects(node, SH.property):
            shape.properties.append(build(ps))
        for kind in _TARGETS:
            for t in sg.objects(node, SH[kind]):
                shape.targets.append((kind, t))
        if (node, RDF.type, RDFS.Class) in sg and ((node, RDF.type, SH.NodeShape) in sg or
                                                   (node, RDF.type, SH.PropertyShape) in sg):
            shape.targets.append(("targetClass", node))  # implicit class target (§2.1.3.3)
        for c in sg.objects(node, SH.sparql):
            if not is_true(sg.value(c, SH.deactivated)):
                shape.sparql.append(c)
        return shape

    nodes = shape_nodes(sg)
    for n in sorted(nodes, key=str):
        build(n)
    # SPARQL constraints run over the shape's focus nodes where the shape reports; inside sh:or, sh:not,
    # sh:node, ... (a yes/no on a value) they would need a query per value: pyshacl does that
    nested = set()
    for p in (SH.node, SH["not"], SH.qualifiedValueShape):
        nested |= set(sg.objects(None, p))
    for p in (SH["and"], SH["or"], SH.xone):
        for lst in sg.objects(None, p):
            nested |= set(sg.items(lst))
    todo = list(nested)
    seen: set = set()
    while todo:  # and their property shapes, at any depth
        n = todo.pop()
        if n in seen:
            continue
        seen.add(n)
        todo += list(sg.objects(n, SH.property))
        todo += [x for p in (SH.node, SH["not"], SH.qualifiedValueShape) for x in sg.objects(n, p)]
        for p in (SH["and"], SH["or"], SH.xone):
            for lst in sg.objects(n, p):
                todo += list(sg.items(lst))
        if cache[n].sparql:
            reasons.append(f"{name(n)} has a SPARQL constraint inside a logical or shape-based constraint")
    if _recursive(cache):
        reasons.append("recursive shapes (SHACL leaves their validation undefined)")
    for c in set(sg.objects(None, SH.sparql)):
        if sg.value(c, SH.select) is None:
            reasons.append(f"{name(c)} is a SPARQL constraint without sh:select")
    roots = [s for s in cache.values() if s.targets]
    roots.sort(key=lambda s: str(s.node))
    return Compiled(roots, sorted(set(reasons)), cache)


def _recursive(cache: dict) -> bool:
    """A shape that refers to itself through sh:property, sh:node, sh:not, sh:and, sh:or, sh:xone or
    sh:qualifiedValueShape."""
    def refs(s: CShape):
        yield from s.properties
        for k in ("node", "not"):
            yield from s.params.get(k, ())
        for k in ("or", "xone", "and"):
            for alts in s.params.get(k, ()):
                yield from alts
        if "qualifiedValueShape" in s.params:
            yield s.params["qualifiedValueShape"]

    state: dict = {}

    def visit(s: CShape) -> bool:
        st = state.get(id(s))
        if st == 1:
            return True
        if st == 2:
            return False
        state[id(s)] = 1
        if any(visit(r) for r in refs(s)):
            return True
        state[id(s)] = 2
        return False

    return any(visit(s) for s in cache.values())


class Index:
    """rdf:type with the subclass closure, for sh:class and targets; objects by predicate."""

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
        self._all_inst: dict[Node, set] | None = None
        self._by_path: dict[Node, dict] = {}
        self.conformance: dict = {}  # (id(shape), id(value)) -> (value, conforms): see conforms()
        self._verdicts: dict = {}  # (id(value), check, id(parameter)) -> (value, verdict): literal checks once

    def verdict(self, v: Node, check, param) -> bool:
        """check(v, param), computed once per value term and parameter (the value is kept alive with it)."""
        key = (id(v), check, id(param))
        hit = self._verdicts.get(key)
        if hit is not None and hit[0] is v:
            return hit[1]
        ok = check(v, param)
        self._verdicts[key] = (v, ok)
        return ok

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
        """The SHACL instances of a class (rdf:type, then rdfs:subClassOf*), all classes in one pass."""
        if self._all_inst is None:
            inst: dict[Node, set] = {}
            for n, ts in self.types.items():
                for t in ts:
                    for c in self.supers(t):
                        inst.setdefault(c, set()).add(n)
            self._all_inst = inst
        return self._all_inst.get(cls, set())

    def focus_nodes(self, shape: CShape) -> set:
        focus: set = set()
        for kind, t in shape.targets:
            if kind == "targetClass":
                focus |= self.instances(t)
            elif kind == "targetNode":
                focus.add(t)
            elif kind == "targetSubjectsOf":
                focus |= set(self.g.subjects(t, None))
            elif kind == "targetObjectsOf":
                focus |= set(self.g.objects(None, t))
        return focus


@lru_cache(maxsize=65536)
def _ill_typed(lexical: str, datatype: URIRef | None) -> bool:
    """Whether a typed literal's lexical form is outside its datatype (rdflib only computes
    this when the literal is made from its lexical form, not e.g. by SPARQL Update)."""
    logging.getLogger("rdflib.term").disabled = True  # rdflib logs a traceback for each bad value
    try:
        return bool(Literal(lexical, datatype=datatype, normalize=False).ill_typed)
    finally:
        logging.getLogger("rdflib.term").disabled = False


def is_ill_typed(v: Literal) -> bool:
    """rdflib's verdict where it made one at parsing (it rewrites "none"^^xsd:boolean to "false" but
    remembers), else the lexical form checked against the datatype."""
    if v.datatype is None:
        return False
    return bool(getattr(v, "ill_typed", None)) or _ill_typed(str(v), v.datatype)


def _num(v):
    if not isinstance(v, Literal) or v.datatype is None or is_ill_typed(v):
        return None
    return v.toPython()


def _cmp(v: Node, bound: Literal, op) -> bool:
    a, b = _num(v), _num(bound)
    try:
        return a is not None and b is not None and not isinstance(a, Literal) and bool(op(a, b))
    except Exception:  # incomparable values (a date against a number): not satisfied
        return False


_LANG_STRING, _XSD_STRING = URIRef(str(RDF.langString)), URIRef(str(XSD.string))  # namespace lookups are slow


def _datatype_ok(v: Node, dt: Node) -> bool:
    if not isinstance(v, Literal):
        return False
    if dt == _LANG_STRING:
        return bool(v.language)
    if v.language:
        return False
    vdt = v.datatype or _XSD_STRING
    return vdt == dt and not is_ill_typed(v)


def _nodekind_ok(v: Node, kind: Node) -> bool:
    k = str(kind).rsplit("#", 1)[-1]
    is_iri, is_b, is_l = isinstance(v, URIRef), isinstance(v, BNode), isinstance(v, Literal)
    return {"IRI": is_iri, "BlankNode": is_b, "Literal": is_l, "BlankNodeOrIRI": is_b or is_iri,
            "BlankNodeOrLiteral": is_b or is_l, "IRIOrLiteral": is_iri or is_l}.get(k, False)


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


_RANGES = (("minInclusive", operator.ge), ("maxInclusive", operator.le), ("minExclusive", operator.gt),
           ("maxExclusive", operator.lt))


_RANGE_CHECKS = tuple((name, lambda v, bound, op=op: _cmp(v, bound, op)) for name, op in _RANGES)


def conforms(shape: CShape, v: Node, idx: Index) -> bool:
    """Whether a value conforms to a shape (sh:or, sh:node, ... ask it of the same values again and again):
    evaluated once per shape and value term."""
    key = (id(shape), id(v))
    hit = idx.conformance.get(key)
    if hit is not None and hit[0] is v:
        return hit[1]
    ok = evaluate(shape, v, idx, None)
    idx.conformance[key] = (v, ok)
    return ok


def evaluate(shape: CShape, focus: Node, idx: Index, out: list | None, jobs: dict | None = None) -> bool:
    """Check one focus node against one shape; append results to `out` (None: only answer conforms?)
    and the focus node to `jobs` for each SPARQL constraint of the shape."""
    if shape.deactivated:
        return True
    p = shape.params
    values = idx.values(focus, shape.path) if shape.path is not None else [focus]
    ok = True
    if jobs is not None:
        for c in shape.sparql:
            jobs.setdefault((shape, c), set()).add(focus)

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
    if p.get("uniqueLang"):
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
        n = sum(1 for v in values if conforms(q, v, idx) and
                not any(conforms(s, v, idx) for s in shape.siblings))
        if "qualifiedMinCount" in p and n < p["qualifiedMinCount"]:
            fail("qualifiedMinCount", None)
        if "qualifiedMaxCount" in p and n > p["qualifiedMaxCount"]:
            fail("qualifiedMaxCount", None)
    checks = shape.value_checks if shape.per_value else ()
    for v in values if checks else ():
        for component, check in checks:
            if not check(v, idx):
                fail(component, v)
        if out is None and not ok:
            return False
    # property shapes of a node shape (or of a value shape) run on each value node
    for ps in shape.properties:
        for v in values:
            if not evaluate(ps, v, idx, out, jobs):
                ok = False
                if out is None:
                    return False
    return ok


def _value_checks(p: dict) -> list:
    """The per-value constraints of a shape's parameters, as (component, ok(value, index))."""
    out: list = []
    if "datatype" in p:
        out.append(("datatype", lambda v, idx, dt=p["datatype"]: idx.verdict(v, _datatype_ok, dt)))
    for c in p.get("class", ()):
        out.append(("class", lambda v, idx, c=c: idx.is_instance(v, c)))
    if "in" in p:
        out.append(("in", lambda v, idx, allowed=p["in"]: v in allowed))
    if "nodeKind" in p:
        out.append(("nodeKind", lambda v, idx, kind=p["nodeKind"]: _nodekind_ok(v, kind)))
    if "pattern" in p:
        pattern, flags = str(p["pattern"]), str(p.get("flags", ""))
        out.append(("pattern", lambda v, idx: not isinstance(v, BNode) and
                    _regex(pattern, flags).search(str(v)) is not None))
    if "languageIn" in p:
        out.append(("languageIn", lambda v, idx, ranges=p["languageIn"]: isinstance(v, Literal) and bool(v.language)
                    and any(_lang_matches(v.language, str(r)) for r in ranges)))
    if "minLength" in p:
        out.append(("minLength", lambda v, idx, n=p["minLength"]: not isinstance(v, BNode) and len(str(v)) >= n))
    if "maxLength" in p:
        out.append(("maxLength", lambda v, idx, n=p["maxLength"]: not isinstance(v, BNode) and len(str(v)) <= n))
    for name, check in _RANGE_CHECKS:
        if name in p:
            out.append((name, lambda v, idx, check=check, bound=p[name]: idx.verdict(v, check, bound)))
    for alts in p.get("or", ()):
        out.append(("or", lambda v, idx, alts=alts: any(conforms(a, v, idx) for a in alts)))
    for alts in p.get("xone", ()):
        out.append(("xone", lambda v, idx, alts=alts: sum(1 for a in alts if conforms(a, v, idx)) == 1))
    for alts in p.get("and", ()):
        out.append(("and", lambda v, idx, alts=alts: all(conforms(a, v, idx) for a in alts)))
    for s in p.get("not", ()):
        out.append(("not", lambda v, idx, s=s: not conforms(s, v, idx)))
    for s in p.get("node", ()):
        out.append(("node", lambda v, idx, s=s: conforms(s, v, idx)))
    return out


def run(shapes: Shapes, data: Graph) -> tuple[list[Result], dict]:
    """The Core results, and the SPARQL constraints to run: (shape, constraint) -> focus nodes."""
    comp = compiled(shapes)
    idx = Index(data)
    raw: list = []
    jobs: dict = {}
    for shape in comp.roots:
        for f in idx.focus_nodes(shape):
            evaluate(shape, f, idx, raw, jobs)
    out = []
    parents: dict = {}
    for shape, focus, component, value in raw:
        if shape.node not in parents:
            parents[shape.node] = shapes.parent(shape.node)
        out.append(Result(focus=focus, severity=shape.severity, path=shape.path, value=value,
                          messages=dict(shape.messages), shape=parents[shape.node],
                          source_shape=shape.node, component=_COMPONENT[component]))
    return out, jobs
