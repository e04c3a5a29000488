"""The SPARQL-based constraints (sh:sparql, SHACL 1.0 §5), run in an in-memory Oxigraph store.

SHACL-SPARQL pre-binds `$this` to each focus node, `$currentShape` to the
shape and `$shapesGraph` to the shapes graph, and replaces `$PATH` by the
property shape's path (§5.2.2). One query per focus node would cost tens of
microseconds each, a minute at a million triples; so each constraint runs once,
as a SPARQL 1.2 LATERAL join: the focus nodes sit in a named graph of the
store, and for each one Oxigraph evaluates the constraint's query with the
variables substituted (the semantics of pre-binding, nested groups and
subqueries included). The data graph is the store's default graph; the shapes
graph is loaded as a named graph only when a query asks for `$shapesGraph`.

Before anything runs, `check` reads every query of the shapes graph and
refuses those the spec says must not be run (§5.2.1): MINUS, federated
SERVICE, VALUES, `AS` binding a pre-bound variable, a subquery that does not
return `$this`; and a query that is not valid SPARQL.

Results (§5.3.2): focus node `$this`; path the property shape's `sh:path`, or
`?path` where a node shape's query binds it; value `?value` where bound, else
the focus node for a node shape; message `sh:message` of the constraint (else
of the shape) with `{?var}` / `{$var}` filled from the solution.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, SKOS
from rdflib.term import Node

from jiukg.namespaces import SH
from jiukg.store.sparql import _TOKEN
from jiukg.store.terms import from_ox, to_ox

from .oxdata import StoreData
from .report import Result, short
from .shapes import Shapes, ShapesError

_NS = "urn:jiukg:validation:"
FOCUS_GRAPH = ox.NamedNode(_NS + "focus")
SHAPES_GRAPH = ox.NamedNode(_NS + "shapes")
_OF = ox.NamedNode(_NS + "focusOf")
_SHAPE = ox.NamedNode(_NS + "shape")
PREBOUND = ("this", "currentShape", "shapesGraph")


@dataclass(frozen=True)
class Query:
    """One sh:select, read and checked: its prologue (PREFIX/BASE) and its SELECT, apart."""

    prologue: str
    select: str
    uses: frozenset  # pre-bound variables the query mentions


def _tokens(text: str) -> list[tuple[str, str, int]]:
    return [(m.lastgroup, m.group(), m.start()) for m in _TOKEN.finditer(text) if m.lastgroup not in ("ws", "comment")]


def _var(text: str) -> str:
    return text[1:]


def read_query(text: str, prefixes: str, path: Node | None, sg: Graph) -> Query:
    """The query with its prefixes and $PATH replaced, checked against §5.2.1 (ShapesError if refused)."""
    toks = _tokens(text)
    if path is not None:
        sparql_path = _path_sparql(sg, path)
        out, last = [], 0
        for kind, t, start in toks:
            if kind == "var" and t == "$PATH":
                out.append(text[last:start] + sparql_path)
                last = start + len(t)
        text = "".join(out) + text[last:]
        toks = _tokens(text)
    uses = _check(toks, PREBOUND)
    selects = [i for i, (kind, t, _) in enumerate(toks) if kind == "word" and t.upper() == "SELECT"]
    if not selects:
        raise ShapesError("sh:select holds no SELECT query")
    start = toks[selects[0]][2]
    q = Query(prefixes + text[:start], text[start:], frozenset(uses))
    try:  # a syntax check on an empty store (no data: nothing to evaluate)
        ox.Store().query(_lateral(q, 0))
    except SyntaxError as e:
        raise ShapesError(f"not valid SPARQL: {' '.join(str(e).split())}") from e
    return q


def _check(toks: list, prebound: tuple) -> set:
    """The refusals of SHACL 1.0 §5.2.1; the pre-bound variables the query mentions."""
    uses = set()
    for i, (kind, t, _) in enumerate(toks):
        if kind == "word" and t.upper() in ("MINUS", "SERVICE", "VALUES"):
            raise ShapesError(f"{t.upper()} is not allowed in a SHACL-SPARQL query (SHACL 1.0 §5.2.1)")
        if kind == "var" and _var(t) in prebound:
            uses.add(_var(t))
        if kind == "word" and t.upper() == "AS" and i + 1 < len(toks) and toks[i + 1][0] == "var" and \
                _var(toks[i + 1][1]) in prebound:
            raise ShapesError(f"AS {toks[i + 1][1]} binds a pre-bound variable (SHACL 1.0 §5.2.1)")
    selects = [i for i, (kind, t, _) in enumerate(toks) if kind == "word" and t.upper() == "SELECT"]
    for i in selects[1:]:
        if not _returns_this(toks, i):
            raise ShapesError("a subquery must return $this (SHACL 1.0 §5.2.1)")
    return uses


def _validators(sg: Graph) -> None:
    """The queries of constraint components declared in the shapes (pyshacl runs them): §5.2.1 too,
    with $value and the components' parameters pre-bound as well."""
    params = {str(p).rsplit("#", 1)[-1].rsplit("/", 1)[-1] for d in sg.objects(None, SH.parameter)
              for p in sg.objects(d, SH.path)}
    for prop in (SH.ask, SH.select):
        for node, text in sg.subject_objects(prop):
            if (None, SH.sparql, node) in sg:
                continue  # a SPARQL constraint: read_query checks it
            toks = _tokens(str(text))
            try:
                _check(toks, (*PREBOUND, "value", *params))
            except ShapesError as e:
                raise ShapesError(f"the validator {short(node)}: {e}") from None


def _prefixes(sg: Graph, node: Node, seen: set | None = None) -> str:
    """PREFIX lines of the sh:declare of a sh:prefixes value and of what it owl:imports."""
    seen = seen if seen is not None else set()
    if node in seen:
        return ""
    seen.add(node)
    out = ""
    for d in sg.objects(node, SH.declare):
        out += f"PREFIX {sg.value(d, SH.prefix)}: <{sg.value(d, SH.namespace)}>\n"
    for imp in sg.objects(node, OWL.imports):
        out += _prefixes(sg, imp, seen)
    return out


def _returns_this(toks: list, i: int) -> bool:
    """Whether the subquery starting at token i projects $this: named in its projection, or `*` with
    $this bound in its body (outside FILTER expressions, which bind nothing)."""
    j, star = i + 1, False
    while j < len(toks) and not (toks[j][0] == "word" and toks[j][1].upper() == "WHERE") and toks[j][1] != "{":
        if toks[j][0] == "var" and _var(toks[j][1]) == "this":
            return True
        star = star or toks[j][1] == "*"
        j += 1
    if not star:
        return False
    while j < len(toks) and toks[j][1] != "{":
        j += 1
    depth, k = 0, j
    while k < len(toks):
        t = toks[k][1]
        if t == "{":
            depth += 1
        elif t == "}":
            depth -= 1
            if depth == 0:
                return False
        elif toks[k][0] == "word" and t.upper() == "FILTER":
            k = _skip_filter(toks, k + 1)
            continue
        elif toks[k][0] == "var" and _var(t) == "this":
            return True
        k += 1
    return False


def _skip_filter(toks: list, k: int) -> int:
    """The token after a FILTER's constraint (a bracketted expression, a call, or [NOT] EXISTS {...})."""
    while k < len(toks) and toks[k][1] not in ("(", "{"):
        k += 1
    if k >= len(toks):
        return k
    open_, close = toks[k][1], ")" if toks[k][1] == "(" else "}"
    depth = 0
    while k < len(toks):
        if toks[k][1] == open_:
            depth += 1
        elif toks[k][1] == close:
            depth -= 1
            if depth == 0:
                return k + 1
        k += 1
    return k


def _path_sparql(sg: Graph, p: Node) -> str:
    """A SHACL property path in SPARQL syntax, for $PATH."""
    if isinstance(p, URIRef):
        return f"<{p}>"
    if (p, URIRef(str(SH) + "inversePath"), None) in sg:
        return f"^({_path_sparql(sg, sg.value(p, SH.inversePath))})"
    for prop, op in ((SH.zeroOrMorePath, "*"), (SH.oneOrMorePath, "+"), (SH.zeroOrOnePath, "?")):
        o = sg.value(p, prop)
        if o is not None:
            return f"({_path_sparql(sg, o)}){op}"
    alt = sg.value(p, SH.alternativePath)
    if alt is not None:
        return "(" + "|".join(_path_sparql(sg, x) for x in sg.items(alt)) + ")"
    return "(" + "/".join(_path_sparql(sg, x) for x in sg.items(p)) + ")"


def _lateral(q: Query, job: int) -> str:
    """The query as one LATERAL join over the focus nodes of one (shape, constraint)."""
    select = q.select
    toks = _tokens(select)
    # the pre-bound variables must be in the projection to be substituted and read back
    j = 1
    while j < len(toks) and toks[j][0] == "word" and toks[j][1].upper() in ("DISTINCT", "REDUCED"):
        j += 1
    projected = set()
    k = j
    star = False
    while k < len(toks) and not (toks[k][0] == "word" and toks[k][1].upper() == "WHERE") and toks[k][1] != "{":
        if toks[k][0] == "var":
            projected.add(_var(toks[k][1]))
        star = star or toks[k][1] == "*"
        k += 1
    missing = [v for v in PREBOUND if (v == "this" or v in q.uses) and v not in projected]
    if missing and not star:
        at = toks[j][2]
        select = select[:at] + " ".join("?" + v for v in missing) + " " + select[at:]
    left = f"GRAPH <{FOCUS_GRAPH.value}> {{ ?this <{_OF.value}> <{_NS}job/{job}> }}"
    if "currentShape" in q.uses:
        left += f" GRAPH <{FOCUS_GRAPH.value}> {{ <{_NS}job/{job}> <{_SHAPE.value}> ?currentShape }}"
    if "shapesGraph" in q.uses:
        left += f" BIND (<{SHAPES_GRAPH.value}> AS ?shapesGraph)"
    return f"{q.prologue}\nSELECT * WHERE {{ {left} LATERAL {{ {select}\n }} }}"


@dataclass(frozen=True)
class Constraint:
    node: Node
    query: Query
    messages: tuple  # ((lang, text), ...)


def constraints(shapes: Shapes) -> dict:
    """Every sh:sparql constraint of the shapes graph, read and checked once (ShapesError: refused)."""
    def make():
        sg = shapes.graph
        _validators(sg)
        out = {}
        for shape, c in sorted(sg.subject_objects(SH.sparql), key=str):
            select = sg.value(c, SH.select)
            if select is None:
                continue  # the core engine hands such shapes over
            prefixes = "".join(_prefixes(sg, src) for src in sg.objects(c, SH.prefixes))
            try:
                q = read_query(str(select), prefixes, sg.value(shape, SH.path), sg)
            except ShapesError as e:
                name = short(c) if isinstance(c, URIRef) else f"the SPARQL constraint of {short(shape)}"
                raise ShapesError(f"{name}: {e}") from None
            msgs = tuple((getattr(m, "language", None) or "", str(m)) for m in sg.objects(c, SH.message)) or \
                tuple((getattr(m, "language", None) or "", str(m)) for m in sg.objects(shape, SH.message))
            out[(shape, c)] = Constraint(c, q, msgs)
        return out

    result = shapes.memo("sparql", lambda: _guard(make))
    if isinstance(result, ShapesError):
        raise result
    return result  # type: ignore[return-value]


def _guard(make):
    try:
        return make()
    except ShapesError as e:
        return e


def check(shapes: Shapes) -> None:
    """Refuse the shapes if any SPARQL constraint may not be run (raises ShapesError)."""
    constraints(shapes)


def uses_shapes_graph(shapes: Shapes) -> bool:
    return any("shapesGraph" in c.query.uses for c in constraints(shapes).values())


_PLACEHOLDER = re.compile(r"\{[?$](\w+)\}")


def run(shapes: Shapes, data: Graph, jobs: dict, parent) -> list[Result]:
    """Run the SPARQL constraints over their focus nodes: jobs maps (shape, constraint) -> focus nodes,
    as the core engine found them (CShape objects: node, path, severity)."""
    if not jobs:
        return []
    table = constraints(shapes)
    ordered = sorted(jobs.items(), key=lambda kv: (str(kv[0][0].node), str(kv[0][1])))
    own = isinstance(data, StoreData)  # the data already in a store's default graph: run there, no copy
    store = data.store if own else ox.Store()
    quads = [] if own else _load_data(store, data)
    for n, ((shape, c), focus) in enumerate(ordered):
        job = ox.NamedNode(f"{_NS}job/{n}")
        quads += [ox.Quad(to_ox(f), _OF, job, FOCUS_GRAPH) for f in focus]
        quads.append(ox.Quad(job, _SHAPE, to_ox(shape.node), FOCUS_GRAPH))
    if uses_shapes_graph(shapes):
        quads += [ox.Quad(to_ox(s), to_ox(p), to_ox(o), SHAPES_GRAPH) for s, p, o in shapes.graph]
    store.bulk_extend(quads)
    try:
        return _results(shapes, data, ordered, parent, table, store, own)
    finally:
        if own:
            for g in (FOCUS_GRAPH, SHAPES_GRAPH):
                store.remove_graph(g)


def _results(shapes: Shapes, data, ordered: list, parent, table: dict, store: ox.Store, own: bool) -> list[Result]:
    """Run each job's LATERAL query over its focus nodes (in the store's focus graph)."""
    out = []
    original = (lambda t: t) if own else _DataTerms(data)  # a store's terms are the data's own
    for n, ((shape, c), _) in enumerate(ordered):
        con = table[(shape.node, c)]
        sols = store.query(_lateral(con.query, n))
        names = [v.value for v in sols.variables]
        seen = set()
        for sol in sols:
            row = {v: original(from_ox(sol[v])) for v in names if sol[v] is not None}
            focus = row.get("this")
            if focus is None:
                continue
            if row.get("failure") == Literal(True):
                raise ShapesError(f"the SPARQL constraint of {short(shape.node)} reported a failure on {focus}")
            key = tuple(sorted((k, v) for k, v in row.items() if k not in ("currentShape", "shapesGraph")))
            if key in seen:
                continue
            seen.add(key)
            value = row.get("value", focus if shape.path is None else None)
            path = shape.path if shape.path is not None else row.get("path")
            msgs = {}
            for lang, text in con.messages:
                msgs[lang] = _PLACEHOLDER.sub(lambda m, lang=lang, row=row: _show(row.get(m.group(1)), lang, data),
                                              text)
            if "message" in row and isinstance(row["message"], Literal):
                msgs = {row["message"].language or "": str(row["message"])}
            out.append(Result(focus=focus, severity=shape.severity, path=path, value=value, messages=msgs,
                              shape=parent(shape.node), source_shape=shape.node,
                              component=SH.SPARQLConstraintComponent, constraint=c))
    return out


def _load_data(store: ox.Store, data: Graph) -> list:
    """The data into the store's default graph. Triples without blank nodes go as Turtle text, which
    Oxigraph parses faster than Python makes its term objects; those with blank nodes become quads
    (a parser would rename the blank nodes, and results must name the data's own)."""
    lines, quads = [], []
    for s, p, o in data:
        to = type(o)
        if type(s) is not URIRef or type(p) is not URIRef or to is BNode:
            quads.append(ox.Quad(to_ox(s), to_ox(p), to_ox(o), ox.DefaultGraph()))
            continue
        lines.append(f"<{s}> <{p}> {f'<{o}>' if to is URIRef else o.n3()} .")
    if lines:
        try:
            store.bulk_load("\n".join(lines).encode(), format=ox.RdfFormat.TURTLE)
        except SyntaxError:  # an IRI Turtle cannot write as it is: term by term, as pyoxigraph takes it
            store.clear()
            return [ox.Quad(to_ox(s), to_ox(p), to_ox(o), ox.DefaultGraph()) for s, p, o in data]
    return quads


class _DataTerms:
    """The data's own literal for one Oxigraph gives back: Oxigraph stores numbers, booleans and dates
    by value and writes them canonically ("80.0"^^xsd:decimal comes back as "80"), while a result's
    sh:value is the data's term."""

    def __init__(self, data: Graph):
        self.data = data
        self.by_value: dict | None = None

    def __call__(self, t):
        if not isinstance(t, Literal) or t.datatype is None or (None, None, t) in self.data:
            return t
        if self.by_value is None:
            self.by_value = {}
            for o in self.data.objects():
                if isinstance(o, Literal) and o.datatype is not None:
                    try:
                        self.by_value.setdefault((o.datatype, o.toPython()), o)
                    except TypeError:  # an unhashable value
                        pass
        try:
            return self.by_value.get((t.datatype, t.toPython()), t)
        except TypeError:
            return t


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
    if isinstance(t, BNode):
        return "[]"
    return str(t)
