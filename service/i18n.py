"""Interface strings in English and Chinese, and picking labels by language."""

from __future__ import annotations

from fastapi import Request
from rdflib import Literal

from service.conneg import preferred_language

LANGS = ("en", "zh")

STRINGS = {
    "en": {
        "site": "JIU knowledge graph", "home": "Home", "sparql": "SPARQL", "search": "Search", "browse": "Browse",
        "ontology": "Ontology", "dataset": "Dataset", "queries": "Query catalogue", "validate": "Validation report",
        "api": "API docs", "holds": "What the dataset holds", "class": "Class", "count": "Resources",
        "triples": "triples", "graphs": "named graphs", "last_build": "Last build", "unknown": "unknown",
        "sources": "Source documents", "symbol": "Symbol", "title": "Title", "issued": "Issued", "kind": "Kind",
        "editor": "SPARQL editor", "examples": "Example queries", "choose": "choose an example…",
        "chart": "Chart", "search_label": "Search by label (Chinese or English)", "go": "Search",
        "results_for": "Results for", "no_results": "Nothing found.", "properties": "Properties",
        "incoming": "Referenced by", "property": "Property", "value": "Value", "source_passage": "Source passage",
        "lines": "lines", "recommendation_text": "Recommendation text", "statuses": "Status reported by organisations",
        "org": "Organisation", "as_of": "As of", "acceptance": "Acceptance", "implementation": "Implementation",
        "reported_in": "Reported in", "deferred_to": "Deferred to", "assessment": "Management assessment",
        "ceb_comments": "CEB comments", "stance": "Stance", "comment": "Comment", "types": "Types",
        "other_formats": "Other formats", "classes": "Classes", "object_properties": "Object properties",
        "datatype_properties": "Datatype properties", "other_properties": "Other properties",
        "definition": "Definition", "shapes": "Shapes", "domain": "Domain", "range": "Range",
        "subclass_of": "Subclass of", "not_found": "Not found", "dumps": "Dumps", "endpoint": "SPARQL endpoint",
        "licence": "Licence", "instances": "Instances of", "error": "Error", "run": "Run",
        "no_js": "The editor needs JavaScript; the endpoint itself works without it at /sparql.",
        "path": "Path", "constraints": "Constraints", "severity": "Severity", "more": "more",
        "concepts": "Concepts", "note": "Note", "recommendation": "recommendation",
        "named_graph": "Named graph", "written": "Written", "written_by": "Written by",
        "source_document": "Source document", "resources": "Resources", "download": "Download",
        "catalogue_entry": "Catalogue entry", "no_entry": "This graph has no entry in the graph catalogue.",
        "first_n": "the first {n} shown", "all_classes": "Classes, with the number of their instances",
    },
    "zh": {
        "site": "联检组知识图谱", "home": "首页", "sparql": "SPARQL", "search": "搜索", "browse": "浏览",
        "ontology": "本体", "dataset": "数据集", "queries": "查询目录", "validate": "验证报告",
        "api": "API 文档", "holds": "数据集内容", "class": "类", "count": "资源数",
        "triples": "三元组", "graphs": "命名图", "last_build": "最近构建", "unknown": "未知",
        "sources": "来源文件", "symbol": "文号", "title": "标题", "issued": "发布日期", "kind": "类型",
        "editor": "SPARQL 编辑器", "examples": "示例查询", "choose": "选择示例……",
        "chart": "图表", "search_label": "按标签搜索（中文或英文）", "go": "搜索",
        "results_for": "搜索结果：", "no_results": "未找到。", "properties": "属性",
        "incoming": "被引用于", "property": "属性", "value": "值", "source_passage": "来源段落",
        "lines": "行", "recommendation_text": "建议案文", "statuses": "各组织报告的状况",
        "org": "组织", "as_of": "截至", "acceptance": "接受情况", "implementation": "落实情况",
        "reported_in": "报告文件", "deferred_to": "转交", "assessment": "管理层评估",
        "ceb_comments": "首协会评论", "stance": "立场", "comment": "评论", "types": "类型",
        "other_formats": "其他格式", "classes": "类", "object_properties": "对象属性",
        "datatype_properties": "数据属性", "other_properties": "其他属性",
        "definition": "定义", "shapes": "形状约束", "domain": "定义域", "range": "值域",
        "subclass_of": "父类", "not_found": "未找到", "dumps": "数据下载", "endpoint": "SPARQL 端点",
        "licence": "许可", "instances": "实例：", "error": "错误", "run": "运行",
        "no_js": "编辑器需要 JavaScript；端点本身可直接通过 /sparql 使用。",
        "path": "路径", "constraints": "约束", "severity": "严重程度", "more": "更多",
        "concepts": "概念", "note": "注", "recommendation": "建议",
        "named_graph": "命名图", "written": "写入时间", "written_by": "写入者",
        "source_document": "来源文件", "resources": "资源", "download": "下载",
        "catalogue_entry": "图目录条目", "no_entry": "图目录中没有此图的条目。",
        "first_n": "仅显示前 {n} 项", "all_classes": "各类及其实例数",
    },
}


def request_lang(request: Request) -> str:
    """?lang= first, then Accept-Language; English by default."""
    q = request.query_params.get("lang")
    if q in LANGS:
        return q
    return preferred_language(request.headers.get("accept-language"), LANGS, "en")


def pick(literals, lang: str) -> Literal | None:
    """The literal in the asked language, else untagged, else English, else Chinese, else any."""
    lits = [x for x in literals if isinstance(x, Literal)]
    if not lits:
        return None
    order = [lang, None, "en", "zh"]
    for want in order:
        for x in lits:
            xl = (x.language or "").split("-")[0].lower() or None
            if xl == want:
                return x
    return lits[0]
