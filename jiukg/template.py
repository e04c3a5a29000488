"""The status-reporting template an organisation's JIU focal point downloads, fills in and submits.

One row per recommendation of one JIU report addressed to the organisation's executive head or
legislative organ (a recommendation to the Secretary-General only in the UN's template; one whose
addressee is unknown in every template: nothing narrower is known), pre-filled with what the graph
knows: the organisation's latest status, and as read-only context the text, addressee and deadline.

Two forms, both read back by loaders/status_template.py:
* CSV (header exactly the column titles in the chosen language; in English
  `report,rec,acceptance,implementation,responsible,assessment,mechanism,asOf`) with a W3C CSVW
  metadata file (JSON-LD) describing every column: titles in the six UN languages, datatypes, the
  SKOS scheme a status column takes values from; the read-only context travels in its `notes`, as
  Web Annotations on the rows (`NAME.csv#row=N`, RFC 7111), so the CSV keeps exactly its columns;
* XLSX (openpyxl) with the statuses as drop-down lists of the schemes' labels in the chosen
  language, the context in grey columns, the instructions on a second sheet, and a hidden `jiukg`
  sheet saying which organisation, report and language the workbook is for.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from rdflib import URIRef

from jiukg.namespaces import JIU, VOCAB, doc_iri, normalize_symbol, slug
from jiukg.store import Store
from loaders import status_template as tpl

FORMATS = ("csv", "csvw", "xlsx")
CSVW_CONTEXT = "http://www.w3.org/ns/csvw"
CSVW_TYPE = "application/csvm+json"
DATATYPES = {  # CSVW datatypes of the columns (acceptance/implementation: see _status_datatype)
    "report": {"base": "string", "format": r"^JIU/(REP|NOTE)/\d{4}/\d+(/Rev\.\d+)?$"},
    "rec": {"base": "integer", "minimum": 1},
    "responsible": "string",
    "assessment": "string",
    "mechanism": "string",
    "asOf": {"base": "date", "format": "yyyy-MM-dd"},
}


class TemplateRequestError(ValueError):
    """No template can be made: unknown organisation or report, or no recommendation for it."""


@dataclass
class TemplateRow:
    report: str
    rec: int
    addressee: str | None = None  # notation, scheme addressee
    text: str | None = None
    deadline: str | None = None
    status: dict = field(default_factory=dict)  # acceptance, implementation (notations), responsible,
    #                                             assessment, mechanism (IRI), asOf (ISO date)


@dataclass
class Template:
    org: URIRef
    report: str
    lang: str
    rows: list[TemplateRow]

    @property
    def code(self) -> str:
        return tpl.org_code(self.org)

    def file_stem(self) -> str:
        """The file name the template is saved under, the same for the CSV and its metadata's `url`."""
        return f"{self.code}-{slug(self.report)}-{self.lang}"


def _values(var: str, term) -> str:
    return f"VALUES ?{var} {{ {term.n3()} }}\n"


def recommendation_numbers(store: Store, report: str) -> set[int]:
    """The numbers of the report's recommendations the store holds."""
    q = ("PREFIX jiu: <https://w3id.org/jiukg/ontology#>\nSELECT DISTINCT ?n WHERE {\n"
         + _values("pub", doc_iri(normalize_symbol(report)))
         + "  ?r jiu:inPublication ?pub ; jiu:recommendationNumber ?n . }")
    return {int(r["n"].toPython()) for r in store.query(q, lane="internal").rows if "n" in r}


def _first(values: list, lang: str):
    """The value in `lang`, else in Chinese or English, else any: the graph may hold a text twice."""
    by_lang: dict[str, list[str]] = {}
    for v in values:
        by_lang.setdefault(getattr(v, "language", None) or "", []).append(str(v))
    for k in (lang, "zh", "en", ""):
        if by_lang.get(k):
            return min(by_lang[k], key=len)
    return min((x for xs in by_lang.values() for x in xs), key=len, default=None)


def build(store: Store, org: str, report: str, lang: str = "en") -> Template:
    """Gather a template's rows from the store."""
    if lang not in tpl.LANGS:
        raise TemplateRequestError(f"unknown language {lang!r}: one of {', '.join(tpl.LANGS)}")
    who = tpl.organisation(org)
    if who is None:
        raise TemplateRequestError(f"{org!r} is not a JIU participating organization of the reference data")
    rep = normalize_symbol(report)
    if not tpl.JIU_PUBLICATION.match(rep):
        raise TemplateRequestError(f"{report!r} is not a JIU report or note symbol (JIU/REP/YYYY/N)")
    pub = doc_iri(rep)
    q = ("PREFIX jiu: <https://w3id.org/jiukg/ontology#>\n"
         "SELECT ?n ?ad ?text ?deadline WHERE {\n" + _values("pub", pub)
         + "  ?r jiu:inPublication ?pub ; jiu:recommendationNumber ?n .\n"
           "  OPTIONAL { ?r jiu:addresseeKind ?ad }\n"
           "  OPTIONAL { ?r jiu:recommendationText ?text }\n"
           "  OPTIONAL { ?r jiu:deadline ?deadline }\n} ORDER BY ?n")
    rows: dict[int, dict] = {}
    for r in store.query(q, lane="internal").rows:
        n = int(r["n"].toPython())
        e = rows.setdefault(n, {"ad": set(), "text": [], "deadline": set()})
        if r.get("ad") is not None:
            e["ad"].add(str(r["ad"]).rsplit("/", 1)[-1])
        if r.get("text") is not None:
            e["text"].append(r["text"])
        if r.get("deadline") is not None:
            e["deadline"].add(str(r["deadline"]))
    if not rows:
        raise TemplateRequestError(f"jiukg holds no recommendation of {rep}")
    is_un = tpl.org_code(who) == "UN"
    out: list[TemplateRow] = []
    for n in sorted(rows):
        e = rows[n]
        kinds = e["ad"]
        if kinds and not is_un and kinds <= {"secretary-general"}:
            continue  # addressed to the Secretary-General alone: the UN's, not this organisation's
        out.append(TemplateRow(rep, n, addressee=sorted(kinds)[0] if kinds else None, text=_first(e["text"], lang),
                               deadline=", ".join(sorted(e["deadline"])) or None))
    if not out:
        raise TemplateRequestError(f"no recommendation of {rep} is addressed to {tpl.org_code(who)}")
    _latest_status(store, who, pub, out, lang)
    return Template(who, rep, lang, out)


def _latest_status(store: Store, org: URIRef, pub: URIRef, rows: list[TemplateRow], lang: str) -> None:
    """Pre-fill each row with the organisation's latest status statement (by date, then by the
    reporting document's date)."""
    q = ("PREFIX jiu: <https://w3id.org/jiukg/ontology#>\nPREFIX dcterms: <http://purl.org/dc/terms/>\n"
         "SELECT ?n ?st ?asOf ?issued ?acc ?impl ?resp ?assess ?mech WHERE {\n"
         + _values("org", org) + _values("pub", pub)
         + "  ?st jiu:reportingOrganization ?org ; jiu:aboutRecommendation ?r ; jiu:asOf ?asOf .\n"
           "  ?r jiu:inPublication ?pub ; jiu:recommendationNumber ?n .\n"
           "  OPTIONAL { ?st jiu:reportedIn/dcterms:issued ?issued }\n"
           "  OPTIONAL { ?st jiu:acceptance ?acc } OPTIONAL { ?st jiu:implementation ?impl }\n"
           "  OPTIONAL { ?st jiu:responsibleOfficial ?resp } OPTIONAL { ?st jiu:managementAssessment ?assess }\n"
           "  OPTIONAL { ?st jiu:deferredTo ?mech }\n}")
    latest: dict[int, tuple] = {}
    found: dict[str, dict] = {}
    for r in store.query(q, lane="internal").rows:
        st = str(r["st"])
        e = found.setdefault(st, {"n": int(r["n"].toPython()), "key": (str(r["asOf"]), str(r.get("issued") or "")),
                                  "asOf": str(r["asOf"]), "resp": [], "assess": []})
        for k in ("acc", "impl", "mech"):
            if r.get(k) is not None:
                e[k] = str(r[k])
        for k in ("resp", "assess"):
            if r.get(k) is not None and r[k] not in e[k]:
                e[k].append(r[k])
    for st, e in found.items():
        if e["n"] not in latest or (e["key"], st) > latest[e["n"]][0]:
            latest[e["n"]] = ((e["key"], st), e)
    for row in rows:
        if row.rec not in latest:
            continue
        e = latest[row.rec][1]
        row.status = {
            "acceptance": e.get("acc", "").rsplit("/", 1)[-1] or None,
            "implementation": e.get("impl", "").rsplit("/", 1)[-1] or None,
            "responsible": _first(e["resp"], lang) if e["resp"] else None,
            "assessment": _first(e["assess"], lang) if e["assess"] else None,
            "mechanism": e.get("mech"),
            "asOf": e["asOf"],
        }


# --- cell values in the chosen language ------------------------------------------------------

def _mechanism_name(iri: str, lang: str) -> str:
    from jiukg.ontology import reference_graph
    from rdflib.namespace import SKOS

    g = reference_graph()
    acronyms = [str(a) for a in g.objects(URIRef(iri), JIU.acronym) if a.language in (lang, "en")]
    if acronyms:
        return sorted(acronyms, key=len)[0]
    labels = {a.language: str(a) for a in g.objects(URIRef(iri), SKOS.prefLabel)}
    return labels.get(lang) or labels.get("en") or iri


def _addressee_label(notation: str | None, lang: str) -> str:
    if not notation:
        return ""
    from jiukg.ontology import ontology_graph
    from rdflib.namespace import SKOS

    labels = {x.language: str(x) for x in ontology_graph().objects(VOCAB[f"addressee/{notation}"], SKOS.prefLabel)}
    return labels.get(lang) or labels.get("en") or notation


def cells(t: Template, row: TemplateRow) -> list[str]:
    """The row's editable cells as the template shows them: status labels in the chosen language."""
    s = row.status
    return [
        row.report, str(row.rec),
        tpl.status_label("acceptance", s["acceptance"], t.lang) if s.get("acceptance") else "",
        tpl.status_label("implementation", s["implementation"], t.lang) if s.get("implementation") else "",
        s.get("responsible") or "", s.get("assessment") or "",
        _mechanism_name(s["mechanism"], t.lang) if s.get("mechanism") else "",
        s.get("asOf") or "",
    ]


def header(lang: str) -> list[str]:
    return [tpl.titles(c)[lang] for c in tpl.COLUMNS]


# --- CSV and CSVW -----------------------------------------------------------------------------

def to_csv(t: Template) -> str:
    """The CSV: header, then one line per recommendation (CRLF line ends, as RFC 4180 and CSVW say)."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(header(t.lang))
    for row in t.rows:
        w.writerow(cells(t, row))
    return out.getvalue()


def _status_datatype(scheme: str) -> dict:
    """A string that is a notation or a label (any language) of the scheme: the allowed values as a
    regular expression, so a CSVW validator checks them too."""
    import re

    return {"base": "string", "format": "^(" + "|".join(re.escape(v) for v in tpl.status_words(scheme)) + ")$"}


def _six(d: dict[str, str]) -> dict[str, str]:
    return {lang: d[lang] for lang in tpl.LANGS}


def csvw_metadata(t: Template, csv_name: str | None = None) -> dict:
    """The CSVW metadata document (JSON-LD) describing the template's CSV, saved as `csv_name`
    (default ORG-REPORT-LANG.csv) beside it."""
    name = csv_name or t.file_stem() + ".csv"
    columns = []
    for c in tpl.COLUMNS:
        col = {
            "name": c,
            "titles": _six(tpl.titles(c)),
            "dc:description": [{"@value": tpl.lexicon(lang)["descriptions"][c], "@language": lang} for lang in tpl.LANGS
                               if lang == "en" or tpl.lexicon(lang)["descriptions"][c] != tpl.lexicon("en")["descriptions"][c]],
            "datatype": _status_datatype(c) if c in tpl.SCHEME_ORDER else DATATYPES[c],
            "required": c in ("report", "rec"),
        }
        if c in tpl.SCHEME_ORDER:
            col["dc:conformsTo"] = {"@id": str(VOCAB[c])}
        if c == "mechanism":
            col["dc:conformsTo"] = {"@id": str(JIU.InterAgencyMechanism)}
        columns.append(col)
    notes = []
    for i, row in enumerate(t.rows, start=2):  # row 1 is the header
        bodies = []
        for purpose, value in (("text", row.text), ("addressee", _addressee_label(row.addressee, t.lang)),
                               ("deadline", row.deadline)):
            if value:
                lang = "zh" if purpose == "text" and tpl.is_cjk_text(value) else t.lang
                bodies.append({"@type": "oa:TextualBody", "dc:title": tpl.titles(purpose)[t.lang],
                               "rdf:value": {"@value": value, "@language": lang}})
        if bodies:
            notes.append({"@type": "oa:Annotation", "oa:motivatedBy": {"@id": "oa:describing"},
                          "oa:hasTarget": {"@id": f"{name}#row={i}"},
                          "dc:subject": {"@id": f"{doc_iri(row.report)}/rec/{row.rec}"},
                          "oa:hasBody": bodies})
    title = tpl.lexicon(t.lang)["instructions"]["title"].format(org=t.code, report=t.report)
    return {
        "@context": [CSVW_CONTEXT, {"@language": t.lang}],
        "url": name,
        "dc:title": title,
        "dc:type": {"@id": tpl.TEMPLATE_KIND},
        "dc:language": t.lang,
        "dc:subject": {"@id": str(doc_iri(t.report))},
        str(JIU.reportingOrganization): {"@id": str(t.org)},
        "dialect": {"header": True, "encoding": "utf-8"},
        "tableSchema": {"columns": columns, "primaryKey": ["report", "rec"]},
        "notes": notes,
    }


# --- XLSX -------------------------------------------------------------------------------------

def to_xlsx(t: Template) -> bytes:
    """The workbook: status sheet (drop-downs, grey context columns), instructions, hidden lists."""
    from datetime import date

    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    lex = tpl.lexicon(t.lang)
    wb = Workbook()
    ws = wb.active
    ws.title = lex["context"]["sheet"]
    head = header(t.lang) + [tpl.titles(c)[t.lang] for c in tpl.CONTEXT]
    ws.append(head)
    grey = PatternFill("solid", start_color="DDDDDD")
    for i, c in enumerate(head, start=1):
        cell = ws.cell(row=1, column=i)
        cell.font = Font(bold=True)
        if i <= len(tpl.COLUMNS):
            desc = lex["descriptions"].get(tpl.COLUMNS[i - 1])
            if desc:
                cell.comment = Comment(desc, "jiukg")
        else:
            cell.fill = grey
    for n, row in enumerate(t.rows, start=2):
        values: list = cells(t, row)
        values[1] = row.rec
        values[7] = date.fromisoformat(values[7]) if values[7] else None
        ws.append(values + [row.text or "", _addressee_label(row.addressee, t.lang), row.deadline or ""])
        ws.cell(row=n, column=8).number_format = "yyyy-mm-dd"
        for k in range(len(tpl.COLUMNS) + 1, len(head) + 1):
            ws.cell(row=n, column=k).fill = grey
            ws.cell(row=n, column=k).alignment = Alignment(wrap_text=True, vertical="top")
    widths = [16, 6, 18, 18, 24, 48, 18, 12, 60, 18, 14]
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
    ws.freeze_panes = "C2"

    meta = wb.create_sheet(tpl.META_SHEET)
    for kv in (("template", tpl.TEMPLATE_KIND), ("organization", str(t.org)), ("report", t.report),
               ("lang", t.lang)):
        meta.append(kv)
    last = max(len(t.rows) + 1, 200)  # room for rows a focal point adds
    for col, scheme in (("D", "acceptance"), ("E", "implementation")):
        labels = [tpl.status_label(scheme, x, t.lang) for x in tpl.SCHEME_ORDER[scheme]]
        for i, lbl in enumerate(labels, start=1):
            meta[f"{col}{i}"] = lbl
        dv = DataValidation(type="list", formula1=f"{tpl.META_SHEET}!${col}$1:${col}${len(labels)}",
                            allow_blank=True, showErrorMessage=True)
        dv.error = tpl.message(t.lang, "unknown_status", value="…", scheme=tpl.scheme_label(scheme, t.lang),
                               allowed=", ".join(labels))
        ws.add_data_validation(dv)
        target = "C" if scheme == "acceptance" else "D"
        dv.add(f"{target}2:{target}{last}")
    dates = DataValidation(type="date", operator="greaterThan", formula1="36526", allow_blank=True)  # after 2000-01-01
    ws.add_data_validation(dates)
    dates.add(f"H2:H{last}")
    meta.sheet_state = "hidden"

    ins = wb.create_sheet(lex["context"]["instructions_sheet"], 1)
    ins.append([lex["instructions"]["title"].format(org=t.code, report=t.report)])
    ins["A1"].font = Font(bold=True, size=14)
    ins.append([])
    for line in lex["instructions"]["lines"]:
        ins.append([line.format(org=t.code, report=t.report)])
    ins.column_dimensions["A"].width = 120
    for r in ins.iter_rows(min_row=3):
        for c in r:
            c.alignment = Alignment(wrap_text=True, vertical="top")
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
