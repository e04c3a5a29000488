"""A validation report: results, the verdicts, and the report in its formats
(the standard sh:ValidationReport graph, JSON, a text table)."""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass, field

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD
from rdflib.term import Node

from jiukg.namespaces import BASE, JIU, PREFIXES, SH

from .shapes import SEVERITIES, SHAPES_NS, Shapes, project_shapes

SEVERITY_LABELS = {
    "en": {"Violation": "Violation", "Warning": "Warning", "Info": "Info"},
    "zh": {"Violation": "违规", "Warning": "警告", "Info": "提示"},
}
LANGS = ("en", "zh")

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
    constraint: Node | None = None  # sh:sourceConstraint: the sh:sparql constraint node, where there is one

    @property
    def severity_iri(self) -> URIRef:
        """sh:Violation, sh:Warning, sh:Info, or a severity of the shapes' own (kept as its IRI)."""
        return SH[self.severity] if self.severity in SEVERITIES else URIRef(self.severity)

    @property
    def standard_severity(self) -> str:
        """The severity for counting and display: a custom one counts as Info (it never refuses data)."""
        return self.severity if self.severity in SEVERITIES else "Info"

    def message(self, lang: str = "en") -> str:
        """The shape's message in `lang` (else English, else any); where the shapes give none, which
        constraint is not met (sh:minCount, sh:sparql, ...)."""
        m = self.messages.get(lang) or self.messages.get("en") or self.messages.get("") or \
            next(iter(self.messages.values()), "")
        if m or self.component is None:
            return m
        local = str(self.component).rsplit("#", 1)[-1].removesuffix("ConstraintComponent")
        param = "sparql" if local == "SPARQL" else local[0].lower() + local[1:]
        return f"不满足 sh:{param}" if lang == "zh" else f"does not satisfy sh:{param}"

    def key(self):
        return (SEVERITIES.index(self.standard_severity), self.severity, str(self.focus), str(self.path or ""),
                str(self.value or ""), str(self.source_shape or ""), str(self.component or ""))


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
    shapes: Shapes | None = None  # the shapes the data was checked against (None: the project's)
    engine: str = "compiled"  # which engine ran: "compiled", or "pyshacl" and why (hand-over)

    def _shapes(self) -> Shapes:
        return self.shapes if self.shapes is not None else project_shapes()

    @property
    def conforms(self) -> bool:
        return not any(r.severity == "Violation" for r in self.results)

    @property
    def shacl_conforms(self) -> bool:
        return not self.results

    def shape_name(self, shape: Node | None) -> str:
        """A shape as the report names it: prefixed name or IRI; a blank property shape by its node
        shape and path."""
        if shape is None:
            return ""
        if isinstance(shape, BNode):
            sh = self._shapes()
            parent = sh.parent(shape)
            path = sh.graph.value(shape, SH.path)
            where = short(path) if isinstance(path, URIRef) else "[]"
            return f"{self.shape_name(parent)} {where}" if parent != shape else f"[] {where}"
        s = str(shape)
        return "jsh:" + s[len(SHAPES_NS):] if s.startswith(SHAPES_NS) else short(shape)

    def count(self, severity: str) -> int:
        return sum(1 for r in self.results if r.standard_severity == severity)

    def by_focus(self) -> list[tuple[Node, list[Result]]]:
        """Results grouped by focus node, worst first."""
        groups: dict[Node, list[Result]] = {}
        for r in sorted(self.results, key=Result.key):
            groups.setdefault(r.focus, []).append(r)
        return sorted(groups.items(), key=lambda kv: (SEVERITIES.index(kv[1][0].standard_severity), str(kv[0])))

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
                    f"（所验证的图含 {self.triples} 个三元组，各图合并、重复的只计一次；{self.seconds:.2f} 秒）")
        head = "conforms" if self.shacl_conforms else \
            "no violations (warnings and infos do not refuse data)" if self.conforms else "does not conform"
        return (f"{head}: {v} violation{'s' * (v != 1)}, {w} warning{'s' * (w != 1)}, {i} info{'s' * (i != 1)} "
                f"on {n} focus node{'s' * (n != 1)} ({self.triples} triples in the validated graph, its graphs "
                f"merged, each triple once; {self.seconds:.2f} s)")

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
        sg = self._shapes().graph
        described: set = set()
        for r in sorted(self.results, key=Result.key):
            n = BNode()
            g.add((rep, SH.result, n))
            g.add((n, RDF.type, SH.ValidationResult))
            g.add((n, SH.focusNode, r.focus))
            g.add((n, SH.resultSeverity, r.severity_iri))
            if r.path is not None:
                g.add((n, SH.resultPath, r.path))
                if isinstance(r.path, BNode):  # a complex path: its structure, from the shapes graph
                    _copy_path(sg, r.path, g)
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
            if r.constraint is not None:
                g.add((n, SH.sourceConstraint, r.constraint))
            for lang, text in r.messages.items():
                g.add((n, SH.resultMessage, Literal(text, lang=lang or None)))
        return g

    def to_json(self) -> dict:
        shapes = self._shapes()
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
                "shape": _shape_ref(r.source_shape if r.source_shape is not None else r.shape),
                "shapeLabel": {lang: _pick(shapes.labels(r.source_shape or r.shape), lang) for lang in LANGS}
                if (r.source_shape or r.shape) is not None else None,
                "constraint": str(r.component) if r.component is not None else None,
                "values": [_term_json(v) for v in r.values],
            })
        return {
            "conforms": self.conforms,
            "shaclConforms": self.shacl_conforms,
            "summary": {"violations": self.count("Violation"), "warnings": self.count("Warning"),
                        "infos": self.count("Info"), "focusNodes": len({r.focus for r in self.results}),
                        "triples": self.triples, "seconds": round(self.seconds, 3), "engine": self.engine,
                        "shapes": self._shapes().name},
            "results": out,
        }


def _shape_ref(s: Node | None) -> str | None:
    """A shape for the JSON report: its IRI, or "_:" and its label for a blank node."""
    if s is None:
        return None
    return f"_:{s}" if isinstance(s, BNode) else str(s)


def _copy_path(sg: Graph, node: Node, out: Graph) -> None:
    """A complex property path's triples, from the shapes graph into the report."""
    todo, seen = [node], set()
    while todo:
        n = todo.pop()
        if n in seen or not isinstance(n, BNode):
            continue
        seen.add(n)
        for p, o in sg.predicate_objects(n):
            out.add((n, p, o))
            todo.append(o)


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
                severity = sev.get(r.severity) or short(r.severity_iri)
                shape = report.shape_name(r.source_shape if r.source_shape is not None else r.shape)
                lines.append("  " + _pad(severity, sw) + "  " + _pad(_truncate(path, pw), pw) + "  " +
                             _pad(value, _VW) + "  " + r.message(lang) + "  — " + shape)
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

