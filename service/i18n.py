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
        "recommendation_col": "Recommendation", "chart_statuses": "Statuses as of each reporting document",
        "status_implemented": "implemented", "status_in_progress": "in progress", "status_accepted": "accepted",
        "status_under_consideration": "under consideration", "status_not_accepted": "not accepted",
        "status_not_relevant": "not relevant",
        "flagship_q": "Which CEB-level recommendations does WIPO defer to inter-agency mechanisms?",
        "flagship_intro": "Live from the query catalogue (ceb-deferrals, org=WIPO): each row links to the recommendation and to the passage of the progress report that shows the deferral.",
        "see_answer": "See the answer", "rows": "rows", "share": "Share link", "sparql_text": "SPARQL",
        "open_in_catalogue": "Open in the query catalogue", "by_report": "Recommendations by JIU report",
        "rates": "Counts and rates", "reporting_doc": "Reporting document", "total": "Recommendations",
        "accepted": "Accepted", "implemented": "Implemented", "in_progress": "In progress",
        "not_accepted": "Not accepted", "under_consideration": "Under consideration",
        "acceptance_rate": "Acceptance rate", "implementation_rate": "Implementation rate",
        "deferrals": "Deferrals to inter-agency mechanisms", "mechanism": "Mechanism",
        "overdue": "Overdue as of", "asof_label": "As of date", "show": "Show", "deadline": "Deadline",
        "latest": "Latest status", "changes": "What changed between reports", "from": "From", "to": "To",
        "new": "new", "raw": "All properties (raw)", "recs_of_report": "Recommendations of this report",
        "addressee": "Addressee", "ceb_stance": "CEB stance", "history": "Status history",
        "part_of": "Part of", "has_parts": "Has parts", "deferred_here": "Recommendations deferred to it, by organisation",
        "channelled_here": "Recommendations to be implemented through it", "jiu_link": "JIU link",
        "nothing": "None.", "summary": "Summary", "lang_name": "English", "catalogue_note": "named queries; each runs with its parameters bound as RDF terms. Also as JSON:",
        "parameters": "parameters", "required": "required", "dataset_summary": "The dataset",
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
        "recommendation_col": "建议", "chart_statuses": "截至各报告文件的状况",
        "status_implemented": "已落实", "status_in_progress": "落实中", "status_accepted": "已接受",
        "status_under_consideration": "审议中", "status_not_accepted": "未接受",
        "status_not_relevant": "不相关",
        "flagship_q": "产权组织将哪些首协会层面的建议转交机构间机制处理？",
        "flagship_intro": "实时取自查询目录（ceb-deferrals，org=WIPO）：每行链接到建议本身以及进度报告中表明转交的段落。",
        "see_answer": "查看答案", "rows": "行", "share": "分享链接", "sparql_text": "SPARQL",
        "open_in_catalogue": "在查询目录中打开", "by_report": "按联检组报告列出的建议",
        "rates": "数量与比率", "reporting_doc": "报告文件", "total": "建议数",
        "accepted": "已接受", "implemented": "已落实", "in_progress": "落实中",
        "not_accepted": "未接受", "under_consideration": "审议中",
        "acceptance_rate": "接受率", "implementation_rate": "落实率",
        "deferrals": "转交机构间机制的建议", "mechanism": "机制",
        "overdue": "逾期建议，截至", "asof_label": "截至日期", "show": "显示", "deadline": "期限",
        "latest": "最新状况", "changes": "两份报告之间的变化", "from": "原", "to": "新",
        "new": "新增", "raw": "全部属性（原始）", "recs_of_report": "本报告的建议",
        "addressee": "建议对象", "ceb_stance": "首协会立场", "history": "状况历史",
        "part_of": "隶属", "has_parts": "下设", "deferred_here": "转交此机制的建议（按组织）",
        "channelled_here": "须通过此机制落实的建议", "jiu_link": "联检组链接",
        "nothing": "无。", "summary": "概要", "lang_name": "中文", "catalogue_note": "个命名查询；参数作为 RDF 项绑定后运行。JSON 格式：",
        "parameters": "参数", "required": "必填", "dataset_summary": "数据集",
    },
}


#: Catalogue titles in Chinese (the .rq files carry the English ones), by query name.
QUERY_TITLES_ZH = {
    "active-reports": "进度报告所列的现行联检组报告及未落实数和首协会评论文件",
    "ceb-deferrals": "某组织转交机构间机制的首协会层面建议",
    "deferrals": "各组织转交机构间机制的建议",
    "ceb-stance-vs-status": "某份联检组报告各项建议的首协会立场与各组织状况对照",
    "documents-citing": "引用某项决议或文件的文件",
    "implementation-rates": "监督机构建议的落实率（按期间和类别）",
    "mechanisms": "机构间机制：隶属关系及指向它们的内容",
    "not-accepted": "某组织未接受或认为不相关的建议及理由",
    "outstanding-by-official": "按负责官员列出的未落实建议",
    "past-deadline": "已过期限仍未落实的建议",
    "provenance": "事实的出处：资源所依据的来源段落",
    "recommendation-status": "建议的接受和落实状况（每条状况陈述一行）",
    "reports-with-ceb-comments": "附有首协会评论的联检组报告及其载体文件",
    "resolutions-covered": "报告所跟进的决议、议程项目及后续文件",
    "reviews-in-progress": "涉及某组织的在办联检组审查",
    "status-changes": "两份报告之间某组织建议状况的变化",
    "status-history": "某项建议的状况历史",
    "recommendations": "全部建议（链接到各自页面）",
    "classes": "各类资源数（图表）",
}


#: Catalogue descriptions in Chinese, shorter than the English ones of the .rq files.
QUERY_DESCRIPTIONS_ZH = {
    "active-reports": "进度报告所列的每份现行联检组报告：未落实建议数、建议对象以及载有首协会评论的文件。",
    "ceb-deferrals": "某组织的每条状况陈述中，将首协会层面的建议转交机构间机制处理的情况，附表明转交的原文、截至日期和报告文件。jiukg 的核心问题。",
    "ceb-stance-vs-status": "某份联检组报告的每项建议：首协会的立场与各组织报告的接受和落实状况并列。",
    "documents-citing": "引用某项决议或文件的全部文件。",
    "implementation-rates": "各监督机构在各参考期间和类别下印发、落实和未落实的建议数以及落实率（百分比），附报告文件。",
    "mechanisms": "各机构间机制：来源所述的隶属关系，以及转交或指向它的建议。",
    "not-accepted": "某组织未接受或认为不相关的建议，附管理层评估。",
    "outstanding-by-official": "按负责官员列出的未落实建议。",
    "past-deadline": "截至某日已过期限但尚未落实的建议。",
    "provenance": "某一资源所依据的来源段落及其所在文件和行号。",
    "recommendation-status": "建议的接受和落实状况，每条状况陈述一行。",
    "reports-with-ceb-comments": "附有首协会评论的联检组报告，以及载有评论的文件。",
    "resolutions-covered": "报告所跟进的决议、议程项目及后续文件。",
    "reviews-in-progress": "涉及某组织的在办联检组审查。",
    "status-changes": "某组织的建议在两份报告之间的状况变化。",
    "status-history": "某项建议在各报告文件中的状况历史。",
}


def query_title(name: str, title: str, lang: str) -> str:
    return QUERY_TITLES_ZH.get(name, title) if lang == "zh" else title


def query_description(name: str, description: str, lang: str) -> str:
    return QUERY_DESCRIPTIONS_ZH.get(name, description) if lang == "zh" else description


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
