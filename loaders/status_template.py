"""A focal point's filled-in status template → dated status statements (and deferrals).

The template (jiukg/template.py writes it) has one row per recommendation of one JIU report and the
columns `report,rec,acceptance,implementation,responsible,assessment,mechanism,asOf`, titled in any
of the six UN languages (loaders/lexicons/{lang}/status_template.toml). It comes in three forms:

* CSV alone: the header says it is a template; the organisation must be named by whoever submits it
  (`jiukg load --org`, `POST /data?org=`, or the write token's organisation);
* CSV with its CSVW metadata file (`NAME.csv-metadata.json` beside it, the CSVW default location,
  or the metadata file itself, whose `url` names the CSV beside it): the metadata says the
  organisation, the report and the language;
* XLSX: the same, in a hidden sheet `jiukg`; the status sheet is found by its header row.

The file is recognised by content (header, metadata, workbook), never by its name. Status words are
the SKOS schemes' notations or labels in any language (ontology/vocabularies.ttl: nothing to keep in
step here), mechanisms an acronym, label or IRI of the reference data. Every row is checked first;
errors name the row and column, in the template's language, and nothing is written.

Provenance: the submission is a jiu:StatusSubmission document (JIUKG/STATUS/ORG/REPORT/DATE, see
jiukg.namespaces.submission_symbol) whose source text is the CSV text as read, or for XLSX the sheet
rendered one JSON array per row (line N = sheet row N, cell text exact); each statement is derived
from the passage of its row. The CSV and XLSX readers are Python's csv and openpyxl (with defusedxml,
which openpyxl uses when installed, so a workbook's XML cannot expand entities); the CSVW metadata is
read as plain JSON, never as JSON-LD, so nothing is fetched.
"""

from __future__ import annotations

import csv
import io
import json
import re
import tomllib
import unicodedata
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import Callable

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS

from jiukg.namespaces import (
    ID, JIU, VOCAB, doc_iri, graph_iri, normalize_symbol, status_iri, submission_symbol,
)
from jiukg.ontology import ontology_graph, reference_graph, subclasses

from . import reference
from .base import Extraction, IncompleteDocument, LoadWarning, SourceText, UnrecognisedDocument
from .emit import date_literal, derived, document, new_graph
from .text import is_cjk_text, to_halfwidth

NAME = "status-template"
KIND = "status-submission"  # notation in the document-kind scheme
LEXICON_DIR = Path(__file__).parent / "lexicons"
LANGS = ("zh", "en", "fr", "es", "ru", "ar")  # the six UN languages, in the UN's order of listing
COLUMNS = ("report", "rec", "acceptance", "implementation", "responsible", "assessment", "mechanism", "asOf")
EDITABLE = COLUMNS[2:]
CONTEXT = ("text", "addressee", "deadline")  # read-only columns of the XLSX form, ignored on load
SCHEME_ORDER = {  # the order the drop-down lists show; a test checks it is the whole scheme
    "acceptance": ("accepted", "not-accepted", "under-consideration", "not-relevant"),
    "implementation": ("implemented", "in-progress", "not-started"),
}
TEMPLATE_KIND = str(VOCAB["document-kind/" + KIND])  # what the metadata (dc:type) and the XLSX say they are
META_SHEET = "jiukg"
JIU_PUBLICATION = re.compile(r"^JIU/(REP|NOTE)/\d{4}/\d+(/Rev\.\d+)?$")
CSV_TYPE, XLSX_TYPE = "text/csv", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

MAX_ROWS = 5000  # a report has at most a few dozen recommendations
MAX_CELL = 20000  # characters
MAX_COLUMNS = 64  # columns of a workbook read (the template has eleven)
MAX_UNPACKED = 100 * 1024 * 1024  # bytes a workbook may unpack to (zip bombs)


# --- lexicons -------------------------------------------------------------------

def _toml(lang: str) -> dict:
    p = LEXICON_DIR / lang / "status_template.toml"
    if not p.is_file():
        return {}
    with p.open("rb") as f:
        return tomllib.load(f)


@lru_cache(maxsize=8)
def lexicon(lang: str) -> dict:
    """The template's words in `lang`, English where the language's lexicon has none."""
    base = _toml("en")
    own = _toml(lang) if lang != "en" else {}
    return {section: {**base.get(section, {}), **own.get(section, {})} for section in base}


def titles(name: str) -> dict[str, str]:
    """A column's title in each of the six languages: {'en': 'acceptance', 'zh': '接受情况', …}."""
    section = "columns" if name in COLUMNS else "context"
    return {lang: lexicon(lang)[section][name] for lang in LANGS}


def _key(s: str) -> str:
    return unicodedata.normalize("NFKC", s).strip().casefold()


@lru_cache(maxsize=1)
def _title_index() -> dict[str, tuple[str, str]]:
    """Every column title in every language → (column name, language); English first, so the English
    title (the name) wins where two languages spell a title alike ('responsable')."""
    idx: dict[str, tuple[str, str]] = {}
    for lang in ("en", *[x for x in LANGS if x != "en"]):
        for name in (*COLUMNS, *CONTEXT):
            idx.setdefault(_key(titles(name)[lang]), (name, lang))
    return idx


def column_of(title: str) -> tuple[str, str] | None:
    """(column name, language) of a header cell, or None."""
    return _title_index().get(_key(title))


def message(lang: str, key: str, **values) -> str:
    return lexicon(lang)["messages"][key].format(**values)


# --- vocabularies and reference data ---------------------------------------------

@lru_cache(maxsize=4)
def status_values(scheme: str) -> dict[str, str]:
    """Every notation and label (any language) of a status scheme → notation."""
    g = ontology_graph()
    out: dict[str, str] = {}
    for c in g.subjects(SKOS.inScheme, VOCAB[scheme]):
        notation = str(g.value(c, SKOS.notation))
        out[_key(notation)] = notation
        for p in (SKOS.prefLabel, SKOS.altLabel):
            for lbl in g.objects(c, p):
                out.setdefault(_key(str(lbl)), notation)
    return out


@lru_cache(maxsize=4)
def status_words(scheme: str) -> tuple[str, ...]:
    """Every notation and label of a status scheme as written (for the CSVW datatype)."""
    g = ontology_graph()
    words: set[str] = set()
    for c in g.subjects(SKOS.inScheme, VOCAB[scheme]):
        words.add(str(g.value(c, SKOS.notation)))
        for p in (SKOS.prefLabel, SKOS.altLabel):
            words.update(str(lbl) for lbl in g.objects(c, p))
    return tuple(sorted(words, key=lambda w: (-len(w), w)))


def status_label(scheme: str, notation: str, lang: str) -> str:
    """A status concept's preferred label in `lang` (what the drop-down lists show)."""
    g = ontology_graph()
    c = VOCAB[f"{scheme}/{notation}"]
    labels = {lbl.language: str(lbl) for lbl in g.objects(c, SKOS.prefLabel)}
    return labels.get(lang) or labels.get("en") or notation


def scheme_label(scheme: str, lang: str) -> str:
    g = ontology_graph()
    labels = {lbl.language: str(lbl) for lbl in g.objects(VOCAB[scheme], SKOS.prefLabel)}
    return labels.get(lang) or labels.get("en") or scheme


def _of_class(iri: URIRef, cls: URIRef) -> bool:
    allowed = subclasses(cls)
    return any(t in allowed for t in reference_graph().objects(iri, RDF.type))


def _resolve(value: str, cls: URIRef) -> URIRef | None:
    v = value.strip()
    if v.startswith(str(ID)):
        iri = URIRef(v)
        return iri if _of_class(iri, cls) else None
    iri = reference.lookup(v)
    return iri if iri is not None and _of_class(iri, cls) else None


def organisation(value: str) -> URIRef | None:
    """A JIU participating organisation by acronym, label (any language) or IRI."""
    return _resolve(value, JIU.ParticipatingOrganization)


def mechanism(value: str) -> URIRef | None:
    """An inter-agency mechanism by acronym, label (any language) or IRI."""
    return _resolve(value, JIU.InterAgencyMechanism)


def org_code(org: URIRef) -> str:
    """The acronym part of an organisation's IRI: id/org/UN-Women → UN-Women."""
    return str(org).rsplit("/", 1)[-1]


# --- reading ------------------------------------------------------------------------

class TemplateRefused(IncompleteDocument):
    """A status template that cannot be taken whole: `errors` holds one message per problem, each
    naming its row and column in the template's language. Nothing is written (and a build meeting
    one refuses, as for any document recognised but not whole)."""

    def __init__(self, name: str, errors: list[str], lang: str = "en"):
        self.errors = errors
        self.lang = lang
        super().__init__(message(lang, "refused", name=name, n=len(errors), errors="; ".join(errors)))


@dataclass
class Row:
    first: int  # line (CSV) or sheet row (XLSX) where the row starts, 1-based
    last: int
    cells: list[str]


@dataclass
class Sheet:
    """A template as read: header, rows, what its metadata says, and the text provenance refers to."""

    name: str
    media_type: str
    header: list[str]
    rows: list[Row]
    source: SourceText
    meta: dict = field(default_factory=dict)  # organization (IRI), report, lang, columns (names)


@dataclass
class StatusRow:
    row: Row
    report: str
    rec: int
    acceptance: str
    implementation: str | None
    responsible: str | None
    assessment: str | None
    mechanism: URIRef | None
    mechanism_text: str | None
    as_of: date


def _is_header(cells: list[str]) -> bool:
    names = {c[0] for c in (column_of(x) for x in cells if x) if c}
    return {"report", "rec"} <= names


def _decode(name: str, data: bytes) -> str:
    try:
        return data.decode("utf-8-sig").replace("\r\n", "\n")
    except UnicodeDecodeError as e:
        raise UnrecognisedDocument(f"{name}: not UTF-8 text ({e.reason} at byte {e.start})") from e


def _metadata_of(data: bytes) -> dict | None:
    """The JSON of a template's CSVW metadata file, or None if `data` is not one."""
    if not data.lstrip().startswith((b"{", b"\xef\xbb\xbf{")):
        return None
    try:
        md = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None
    ctx = md.get("@context") if isinstance(md, dict) else None
    ctx0 = ctx[0] if isinstance(ctx, list) and ctx else ctx
    kind = md.get("dc:type", {}) if isinstance(md, dict) else {}
    if ctx0 != "http://www.w3.org/ns/csvw" or not isinstance(kind, dict) or kind.get("@id") != TEMPLATE_KIND:
        return None
    return md


def sniff(data: bytes) -> str | None:
    """'xlsx', 'csvw' (a template's metadata file) or 'csv' when `data` is a status template, else None."""
    if data[:4] == b"PK\x03\x04":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                return "xlsx" if "xl/workbook.xml" in z.namelist() else None
        except zipfile.BadZipFile:
            return None
    if _metadata_of(data) is not None:
        return "csvw"
    try:
        first = data[:4096].decode("utf-8-sig", errors="ignore").split("\n", 1)[0]
    except Exception:  # noqa: BLE001  (nothing readable: not ours)
        return None
    return "csv" if _delimiter(first) else None


DELIMITERS = (",", ";", "\t")  # a spreadsheet saving CSV in a French or Spanish locale writes ';'


def _delimiter(first_line: str) -> str | None:
    """The delimiter with which the first line is the template's header, if any."""
    for d in DELIMITERS:
        if _is_header(next(csv.reader([first_line], delimiter=d), [])):
            return d
    return None


def _meta_from_csvw(md: dict) -> dict:
    out: dict = {}
    org = md.get(str(JIU.reportingOrganization), {})
    if isinstance(org, dict) and org.get("@id"):
        out["organization"] = org["@id"]
    subject = md.get("dc:subject", {})
    if isinstance(subject, dict) and str(subject.get("@id", "")).startswith(str(ID) + "doc/"):
        out["report"] = str(subject["@id"])[len(str(ID) + "doc/"):]
    if md.get("dc:language") in LANGS:
        out["lang"] = md["dc:language"]
    cols = md.get("tableSchema", {}).get("columns", [])
    out["columns"] = [c.get("name") for c in cols if isinstance(c, dict) and not c.get("virtual")]
    return out


def read_csv(name: str, data: bytes, metadata: dict | None = None) -> Sheet:
    """A template's CSV (header first), with what its metadata says when it has one."""
    text = SourceText(_decode(name, data), name=name)
    reader = csv.reader(io.StringIO(text.raw, newline=""), delimiter=_delimiter(text.raw.split("\n", 1)[0]) or ",")
    header: list[str] | None = None
    rows: list[Row] = []
    line = 0
    try:
        for cells in reader:
            first, line = line + 1, reader.line_num
            if header is None:
                header = cells
                continue
            if not any(c.strip() for c in cells):
                continue
            if len(rows) >= MAX_ROWS:
                raise TemplateRefused(name, [message("en", "too_many_rows", limit=MAX_ROWS)])
            rows.append(Row(first, line, cells))
    except csv.Error as e:
        raise UnrecognisedDocument(f"{name}: not a readable CSV file (line {reader.line_num}: {e})") from e
    meta = _meta_from_csvw(metadata) if metadata else {}
    return Sheet(name, CSV_TYPE, header or [], rows, text, meta)


def _cell_text(v) -> str:
    if v is None:
        return ""
    if isinstance(v, datetime):
        return v.date().isoformat() if v.time() == datetime.min.time() else v.isoformat()
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def read_xlsx(name: str, data: bytes) -> Sheet:
    """The status sheet of a template workbook (the sheet whose first row is the header) and its
    hidden `jiukg` sheet. The source text provenance refers to is the sheet one JSON array a row."""
    import openpyxl

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            unpacked = sum(i.file_size for i in z.infolist())
        if unpacked > MAX_UNPACKED:
            raise TemplateRefused(name, [message("en", "too_large", limit=MAX_UNPACKED // 2**20)])
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except TemplateRefused:
        raise
    except Exception as e:  # openpyxl raises many kinds for a broken workbook; all mean the same
        raise UnrecognisedDocument(f"{name}: " + message("en", "not_a_workbook", value=type(e).__name__)) from e
    try:
        meta: dict = {}
        if META_SHEET in wb.sheetnames:
            for key, value, *_ in wb[META_SHEET].iter_rows(min_row=1, max_row=20, max_col=2, values_only=True):
                if key in ("organization", "report", "lang", "template") and value:
                    meta[key] = str(value)
        if meta.pop("template", TEMPLATE_KIND) != TEMPLATE_KIND:
            meta = {}
        for ws in wb.worksheets:
            if ws.title == META_SHEET:
                continue
            lines, rows, header = [], [], None
            for n, values in enumerate(ws.iter_rows(max_col=MAX_COLUMNS, values_only=True), start=1):
                if n > 4 * MAX_ROWS:  # empty rows too: a sheet claiming a million rows is not a template
                    raise TemplateRefused(name, [message("en", "too_many_rows", limit=MAX_ROWS)])
                cells = [_cell_text(v) for v in values]
                if n == 1:
                    if not _is_header(cells):
                        break
                    header = cells
                elif any(c.strip() for c in cells):
                    if len(rows) >= MAX_ROWS:
                        raise TemplateRefused(name, [message("en", "too_many_rows", limit=MAX_ROWS)])
                    rows.append(Row(n, n, cells))
                lines.append(json.dumps(cells, ensure_ascii=False))
            if header is not None:
                text = SourceText("\n".join(lines), name=name)
                return Sheet(name, XLSX_TYPE, header, rows, text, meta)
    finally:
        wb.close()
    raise UnrecognisedDocument(f"{name}: " + message("en", "header", expected=",".join(COLUMNS), found="-"))


def read(path: Path, data: bytes) -> Sheet:
    """Whichever form `data` is: XLSX, CSV (with the CSVW metadata beside it, if any) or the
    metadata file (with the CSV it names beside it)."""
    kind = sniff(data)
    if kind == "xlsx":
        return read_xlsx(path.name, data)
    if kind == "csvw":
        md = _metadata_of(data)
        url = str(md.get("url", ""))
        csv_path = path.parent / url
        if not url or "/" in url or "\\" in url or ":" in url or not csv_path.is_file():
            lang = md.get("dc:language") if md.get("dc:language") in LANGS else "en"
            raise UnrecognisedDocument(f"{path.name}: " + message(lang, "metadata_csv", value=url))
        return read_csv(csv_path.name, csv_path.read_bytes(), md)
    if kind == "csv":
        md = None
        for candidate in (path.parent / f"{path.name}-metadata.json", path.parent / "csv-metadata.json"):
            if candidate.is_file() and candidate != path:
                found = _metadata_of(candidate.read_bytes())
                if found is not None and found.get("url") == path.name:
                    md = found
                    break
        return read_csv(path.name, data, md)
    raise UnrecognisedDocument(f"{path.name}: not a status template")


# --- checking -------------------------------------------------------------------------

def _date(v: str, *, serials: bool = False) -> date | None:
    """A date cell: ISO 8601, a date as the text layer reads them (2025年6月30日, 30 June 2025), or with
    `serials` a workbook's day number (a date typed into a cell not formatted as a date)."""
    s = to_halfwidth(v).strip()
    if serials and re.fullmatch(r"\d{5}(\.0+)?", s):
        from openpyxl.utils.datetime import from_excel

        return from_excel(float(s)).date()
    try:
        return date.fromisoformat(s[:10]) if len(s) >= 10 and s[10:11] in ("", "T", " ") else date.fromisoformat(s)
    except ValueError:
        from .text import parse_date

        return parse_date(s)


def _int(v: str) -> int | None:
    s = to_halfwidth(v).strip()
    if re.fullmatch(r"\d+(\.0+)?", s):
        n = int(float(s))
        return n if n >= 1 else None
    return None


def _literal_lang(text: str, lang: str) -> str:
    """The language tag of free text a focal point typed: Chinese when it is Chinese, else the
    template's language (English when the template is Chinese)."""
    if is_cjk_text(text):
        return "zh"
    return lang if lang != "zh" else "en"


def check(sheet: Sheet, *, org: str | None = None, lang: str | None = None,
          known: Callable[[str], set[int] | None] | None = None,
          today: date | None = None) -> tuple[URIRef, str, str, list[StatusRow], list[LoadWarning]]:
    """Every row checked against the schemes and the reference data: (organisation, language,
    report, rows, warnings), or TemplateRefused listing every error by row and column.

    `org` is the organisation the submitter speaks for (command line, request, write token): a file
    whose metadata names another is refused. `known(report)` gives the recommendation numbers the
    store holds for a report (None: not checked)."""
    header_langs = [c[1] for c in (column_of(x) for x in sheet.header if x) if c]
    lang = lang if lang in LANGS else sheet.meta.get("lang") or next((x for x in header_langs if x != "en"), "en")
    errors: list[str] = []

    def cell_error(row: int, name: str | None, key: str, **values) -> None:
        text = message(lang, key, **values)
        if name is None:
            errors.append(message(lang, "row", row=row, message=text))
        else:
            errors.append(message(lang, "row_column", row=row, column=titles(name).get(lang, name), message=text))

    # the header
    positions: dict[str, int] = {}
    for i, title in enumerate(sheet.header):
        if not title.strip():
            continue
        found = column_of(title)
        if found is None:
            cell_error(1, None, "unknown_column", value=title)
        elif found[0] in positions:
            cell_error(1, None, "duplicate_column", value=title)
        else:
            positions[found[0]] = i
    for name in COLUMNS:
        if name not in positions:
            cell_error(1, None, "missing_column", value=titles(name)[lang])
    md_cols = sheet.meta.get("columns")
    if md_cols and [n for n in sorted(positions, key=positions.get) if n in COLUMNS] != list(md_cols):
        cell_error(1, None, "metadata_mismatch", expected=",".join(md_cols))
    if errors:
        raise TemplateRefused(sheet.name, errors, lang)

    # the organisation
    file_org = organisation(sheet.meta["organization"]) if sheet.meta.get("organization") else None
    given = organisation(org) if org else None
    if org and given is None:
        raise TemplateRefused(sheet.name, [message(lang, "file", name=sheet.name, message=message(
            lang, "unknown_org", value=org))], lang)
    if given is not None and file_org is not None and given != file_org:
        raise TemplateRefused(sheet.name, [message(lang, "org_mismatch", file_org=org_code(file_org),
                                                   org=org_code(given))], lang)
    who = given or file_org
    if who is None:
        raise TemplateRefused(sheet.name, [message(lang, "no_org")], lang)

    report = normalize_symbol(sheet.meta["report"]) if sheet.meta.get("report") else None
    today = today or datetime.now(timezone.utc).date()
    out: list[StatusRow] = []
    warnings: list[LoadWarning] = []
    seen: dict[int, int] = {}
    held: dict[str, set[int] | None] = {}  # the store's recommendation numbers, asked once
    for row in sheet.rows:
        def get(name: str) -> str:
            i = positions[name]
            return row.cells[i].strip() if i < len(row.cells) else ""

        n0 = len(errors)
        for name in COLUMNS:
            if len(get(name)) > MAX_CELL:
                cell_error(row.first, name, "too_long", limit=MAX_CELL)
        if len(errors) > n0:
            continue
        if not any(get(c) for c in EDITABLE):
            warnings.append(LoadWarning(sheet.name, row.first, message(lang, "empty_row")))
            continue
        # report and recommendation
        rep = normalize_symbol(get("report")) if get("report") else ""
        if not rep:
            cell_error(row.first, "report", "required")
        elif not JIU_PUBLICATION.match(rep):
            cell_error(row.first, "report", "bad_report", value=get("report"))
        elif report is None:
            report = rep
        elif rep != report:
            cell_error(row.first, "report", "other_report", value=get("report"), report=report)
        rec = _int(get("rec")) if get("rec") else None
        if not get("rec"):
            cell_error(row.first, "rec", "required")
        elif rec is None:
            cell_error(row.first, "rec", "bad_rec", value=get("rec"))
        elif rep == report and report is not None:
            if report not in held:
                held[report] = known(report) if known else None
            numbers = held[report]
            if numbers is not None and rec not in numbers:
                cell_error(row.first, "rec", "unknown_rec", value=rec, report=report)
            elif rec in seen:
                cell_error(row.first, "rec", "duplicate_rec", value=rec, first=seen[rec])
            else:
                seen[rec] = row.first
        # statuses
        acc = impl = None
        for scheme in ("acceptance", "implementation"):
            v = get(scheme)
            if not v:
                continue
            notation = status_values(scheme).get(_key(v))
            if notation is None:
                allowed = lexicon(lang)["messages"]["list_separator"].join(
                    status_label(scheme, x, lang) for x in SCHEME_ORDER[scheme])
                cell_error(row.first, scheme, "unknown_status", value=v, scheme=scheme_label(scheme, lang),
                           allowed=allowed)
            elif scheme == "acceptance":
                acc = notation
            else:
                impl = notation
        if not get("acceptance"):
            cell_error(row.first, "acceptance", "acceptance_missing")
        elif acc is not None and impl is not None and acc != "accepted":
            cell_error(row.first, "implementation", "implementation_not_accepted",
                       value=status_label("acceptance", acc, lang))
        mech = None
        if get("mechanism"):
            mech = mechanism(get("mechanism"))
            if mech is None:
                cell_error(row.first, "mechanism", "unknown_mechanism", value=get("mechanism"))
        as_of = None
        if not get("asOf"):
            cell_error(row.first, "asOf", "as_of_missing")
        else:
            as_of = _date(get("asOf"), serials=sheet.media_type == XLSX_TYPE)
            if as_of is None:
                cell_error(row.first, "asOf", "bad_date", value=get("asOf"))
            elif as_of > today:
                cell_error(row.first, "asOf", "future_date", value=as_of.isoformat())
        if len(errors) == n0:
            out.append(StatusRow(row, rep, rec, acc, impl, get("responsible") or None, get("assessment") or None,
                                 mech, get("mechanism") or None, as_of))
    if not errors and not out:
        errors.append(message(lang, "file", name=sheet.name, message=message(lang, "no_rows")))
    if errors:
        raise TemplateRefused(sheet.name, errors, lang)
    return who, lang, report, out, warnings


# --- RDF ---------------------------------------------------------------------------------

def to_graph(sheet: Sheet, org: URIRef, lang: str, report: str, rows: list[StatusRow],
             warnings: list[LoadWarning] | None = None) -> Extraction:
    """The submission as one named graph: the jiu:StatusSubmission document and one dated status
    statement per row, each derived from its row's passage, as progress reports' statements are."""
    code = org_code(org)
    issued = max(r.as_of for r in rows)
    sym = submission_symbol(code, report, issued)
    g = new_graph()
    title = lexicon(lang)["instructions"]["title"].format(org=code, report=report)
    d = document(g, sym, JIU.StatusSubmission, KIND, lang=lang, title=title, issued=issued, source=sheet.source)
    g.add((d, JIU.preparedBy, org))
    g.add((d, DCTERMS.references, doc_iri(report)))
    g.add((d, DCTERMS["format"], Literal(sheet.media_type)))
    counts = {"status": 0, "deferral": 0}
    for r in rows:
        st = status_iri(report, r.rec, code, sym)
        g.add((st, RDF.type, JIU.StatusStatement))
        g.add((st, JIU.aboutRecommendation, URIRef(f"{doc_iri(report)}/rec/{r.rec}")))
        g.add((st, JIU.reportingOrganization, org))
        g.add((st, JIU.asOf, date_literal(r.as_of)))
        g.add((st, JIU.reportedIn, d))
        g.add((st, JIU.acceptance, VOCAB[f"acceptance/{r.acceptance}"]))
        if r.implementation:
            g.add((st, JIU.implementation, VOCAB[f"implementation/{r.implementation}"]))
        if r.responsible:
            g.add((st, JIU.responsibleOfficial, Literal(r.responsible, lang=_literal_lang(r.responsible, lang))))
        if r.assessment:
            g.add((st, JIU.managementAssessment, Literal(r.assessment, lang=_literal_lang(r.assessment, lang))))
        if r.mechanism is not None:
            g.add((st, JIU.deferredTo, r.mechanism))
            # the focal point's own words are the evidence: the organisation itself says so
            g.add((st, JIU.deferralEvidence, Literal(r.mechanism_text, lang=_literal_lang(r.mechanism_text, lang))))
            counts["deferral"] += 1
        derived(g, st, sheet.source, sym, r.row.first, r.row.last, lang)
        counts["status"] += 1
    from collections import Counter

    return Extraction(symbol=sym, kind=KIND, graph=g, records=Counter(counts), warnings=list(warnings or []),
                      data=rows)


def load(path: Path, data: bytes, *, org: str | None = None, lang: str | None = None,
         known: Callable[[str], set[int] | None] | None = None) -> Extraction:
    """Read, check and emit one template file (any form). Raises TemplateRefused (row and column
    errors) or UnrecognisedDocument; never returns part of a file."""
    sheet = read(Path(path), data)
    who, lang, report, rows, warnings = check(sheet, org=org, lang=lang, known=known)
    return to_graph(sheet, who, lang, report, rows, warnings)


def graph_of(ex: Extraction) -> URIRef:
    return graph_iri(ex.symbol)
