"""The shapes in words, for the ontology page (English and Chinese)."""

from __future__ import annotations

import textwrap
from functools import lru_cache

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD
from rdflib.term import Node

from jiukg.namespaces import ID, PREFIXES, SH
from jiukg.paths import SHAPES_DIR

from .report import LANGS, SEVERITY_LABELS, _pick, short
from .shapes import SHAPES_NS, _sev_name, shapes_graph



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


