"""Namespaces and IRI minting: the one place where identifiers are made.

Every IRI in the graph derives from an official symbol or acronym, so the same
recommendation met in two documents is one resource (see docs/iri-policy.md).
"""

from __future__ import annotations

import re
from urllib.parse import quote

from rdflib import Namespace
from rdflib.namespace import DCTERMS, OWL, PROV, QB, RDF, RDFS, SKOS, TIME, XSD, ORG, FOAF

BASE = "https://w3id.org/jiukg/"
JIU = Namespace(BASE + "ontology#")
VOCAB = Namespace(BASE + "vocab/")
ID = Namespace(BASE + "id/")
GRAPH = Namespace(BASE + "graph/")
SH = Namespace("http://www.w3.org/ns/shacl#")
VOID = Namespace("http://rdfs.org/ns/void#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
OA = Namespace("http://www.w3.org/ns/oa#")
LANG = Namespace("http://id.loc.gov/vocabulary/iso639-1/")

PREFIXES: dict[str, str] = {
    "jiu": str(JIU),
    "jiuv": str(VOCAB),
    "id": str(ID),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "xsd": str(XSD),
    "skos": str(SKOS),
    "dcterms": str(DCTERMS),
    "org": str(ORG),
    "prov": str(PROV),
    "qb": str(QB),
    "time": str(TIME),
    "foaf": str(FOAF),
    "sh": str(SH),
    "void": str(VOID),
    "dcat": str(DCAT),
    "oa": str(OA),
}

SPARQL_PREFIXES = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())

# Concept schemes of ontology/vocabularies.ttl: VOCAB[f"{scheme}/{notation}"].
SCHEMES = ("acceptance", "implementation", "addressee", "stance", "document-kind")


def concept(scheme: str, notation: str):
    """IRI of a controlled-vocabulary concept, e.g. concept('acceptance', 'accepted')."""
    if scheme not in SCHEMES:
        raise ValueError(f"unknown concept scheme {scheme!r}")
    return VOCAB[f"{scheme}/{notation}"]


# --- official symbols -------------------------------------------------------

_SPACES = re.compile(r"\s+")


def normalize_symbol(symbol: str) -> str:
    """Canonical form of a UN document symbol.

    Revisions, addenda and corrigenda become path segments; full-width forms and stray
    spaces are removed, so the same symbol printed two ways mints one IRI.

    >>> normalize_symbol("JIU/NOTE/2022/1 Rev.1")
    'JIU/NOTE/2022/1/Rev.1'
    >>> normalize_symbol("WO/PBC/37/6 Rev.")
    'WO/PBC/37/6/Rev.'
    >>> normalize_symbol("A／80／263/Add. 1")
    'A/80/263/Add.1'
    """
    s = symbol.strip().replace("／", "/").replace("．", ".")
    s = re.sub(r"\s*/\s*", "/", s)
    s = re.sub(r"\s+(Rev|Add|Corr)\b", r"/\1", s)
    s = re.sub(r"\b(Rev|Add|Corr)\.?\s*(\d+)", r"\1.\2", s)
    return _SPACES.sub("", s)


def _path(symbol: str) -> str:
    return quote(normalize_symbol(symbol), safe="/.-")


def doc_iri(symbol: str):
    """A document by its official symbol.

    >>> str(doc_iri("JIU/REP/2024/4"))
    'https://w3id.org/jiukg/id/doc/JIU/REP/2024/4'
    """
    return ID["doc/" + _path(symbol)]


def rec_iri(report_symbol: str, number: int | str):
    """Recommendation N of a JIU report or note: the same IRI from every document that quotes it.

    >>> rec_iri("JIU/NOTE/2022/1 Rev.1", 4) == rec_iri("JIU/NOTE/2022/1/Rev.1", "4")
    True
    >>> str(rec_iri("JIU/REP/2024/4", 2))
    'https://w3id.org/jiukg/id/doc/JIU/REP/2024/4/rec/2'
    """
    return ID[f"doc/{_path(report_symbol)}/rec/{number}"]


def slug(text: str) -> str:
    """A path segment from a symbol or acronym.

    >>> slug("WO/PBC/38/2"), slug("A/80/263/Add.1")
    ('WO-PBC-38-2', 'A-80-263-Add.1')
    """
    return re.sub(r"[^A-Za-z0-9.]+", "-", normalize_symbol(text)).strip("-")


def status_iri(report_symbol: str, number: int | str, org: str, reporting_symbol: str):
    """One organisation's status of one recommendation as reported in one document: reloading the
    document replaces exactly its statements, and history is never overwritten.

    >>> str(status_iri("JIU/REP/2024/4", 2, "WIPO", "WO/PBC/38/2"))
    'https://w3id.org/jiukg/id/doc/JIU/REP/2024/4/rec/2/status/WIPO/WO-PBC-38-2'
    """
    return ID[f"doc/{_path(report_symbol)}/rec/{number}/status/{slug(org)}/{slug(reporting_symbol)}"]


def comment_iri(report_symbol: str, number: int | str | None, note_symbol: str):
    """A CEB comment in a note: on recommendation N, or on the report (number None)."""
    target = f"rec/{number}" if number is not None else "general"
    return ID[f"doc/{_path(report_symbol)}/ceb-comment/{target}/{slug(note_symbol)}"]


def org_iri(acronym: str):
    """An organisation, body or mechanism by acronym: id/org/WIPO, id/org/HLCM-DTN."""
    return ID["org/" + slug(acronym)]


def review_iri(code: str):
    """A JIU review project by its A-number: id/review/A474."""
    return ID["review/" + slug(code)]


def resolution_iri(symbol: str):
    """A resolution or decision by symbol: 'A/RES/75/243' -> id/doc/A/RES/75/243."""
    return doc_iri(symbol)


def session_iri(body: str, number: int | str):
    """Session N of a body (acronym or its id/org IRI): id/session/WIPO-PBC/38."""
    b = str(body)
    if b.startswith(str(ID) + "org/"):
        b = b[len(str(ID) + "org/"):]
    return ID[f"session/{slug(b)}/{number}"]


def instant_iri(day):
    """A day as a time:Instant (for session beginnings and ends): id/instant/2025-05-19; also a
    year or day given as an ISO string ('2010', '2021-06-30'), for reference periods."""
    return ID[f"instant/{day if isinstance(day, str) else day.isoformat()}"]


def listing_iri(reporting_symbol: str, report_symbol: str):
    """One row of a progress report's list of active JIU reports:
    id/doc/WO/PBC/38/2/listing/JIU-REP-2024-4."""
    return ID[f"doc/{_path(reporting_symbol)}/listing/{slug(report_symbol)}"]


def followup_iri(report_symbol: str, resolution_symbol: str, occurrence: int | None = None):
    """A report's follow-up row on a resolution: id/doc/A/76/644/follow-up/A-RES-75-242A;
    with `occurrence` (the resolution is reported on in several rows) .../A-RES-75-253A/3."""
    tail = f"/{occurrence}" if occurrence is not None else ""
    return ID[f"doc/{_path(report_symbol)}/follow-up/{slug(resolution_symbol)}{tail}"]


def dataset_iri(report_symbol: str, name: str):
    """A qb:DataSet of figures printed in a report: id/doc/A/76/644/dataset/oios."""
    return ID[f"doc/{_path(report_symbol)}/dataset/{slug(name)}"]


def observation_iri(dataset, period_key: str, category: str):
    """A qb:Observation of a dataset, keyed by its period and category notation."""
    return type(dataset)(f"{dataset}/obs/{period_key.replace('/', '_')}/{slug(category)}")


def period_iri(begin: str, end: str):
    """A time:ProperInterval by its ISO 8601 bounds ('2010', '2021-06-30'): id/period/2010/2021-06-30;
    a single year is id/period/2018."""
    return ID["period/" + (begin if begin == end else f"{begin}/{end}")]


def passage_iri(doc_symbol: str, start_line: int, end_line: int):
    """A passage of a source document by line range (1-based, inclusive)."""
    return ID[f"doc/{_path(doc_symbol)}/passage/L{start_line}-L{end_line}"]


def submission_symbol(org: str, report_symbol: str, as_of) -> str:
    """The identifier jiukg gives an organisation's status submission on the template: the UN prints
    no symbol for it, so it is derived from the organisation, the report and the latest date of its
    rows; resubmitting a corrected copy replaces exactly that submission.

    >>> submission_symbol("ILO", "JIU/REP/2024/4", "2025-03-31")
    'JIUKG/STATUS/ILO/JIU/REP/2024/4/2025-03-31'
    """
    day = as_of if isinstance(as_of, str) else as_of.isoformat()
    return f"JIUKG/STATUS/{slug(org)}/{normalize_symbol(report_symbol)}/{day}"


def graph_iri(doc_symbol: str):
    """The named graph holding exactly one document's statements."""
    return GRAPH[_path(doc_symbol)]


REFERENCE_GRAPH = GRAPH["reference"]
ONTOLOGY_GRAPH = GRAPH["ontology"]
CATALOGUE_GRAPH = GRAPH["catalogue"]  # when and how each named graph was written
DEFAULT_GRAPH = GRAPH["default"]  # the Graph Store's default graph for writes (SPARQL Update, Graph Store Protocol)
STATUS_ORDER_GRAPHS = str(GRAPH["status-order/"])  # each organisation's statements in order (jiukg/status_order.py)


def is_status_order_graph(graph) -> bool:
    return str(graph).startswith(STATUS_ORDER_GRAPHS)


def written_by_jiukg(graph) -> bool:
    """The graphs jiukg derives itself on every write (the catalogue, the status order): never loaded or
    written from outside."""
    return str(graph) == str(CATALOGUE_GRAPH) or is_status_order_graph(graph)


def write_iri(when, nonce: str):
    """One write made through the service (a prov:Activity in the catalogue graph): time and a random part,
    as a write has no official symbol. write_iri(datetime(2026, 12, 5, 13, 0, 1), "a1b2") -> id/write/20261205T130001Z-a1b2"""
    return ID[f"write/{when.strftime('%Y%m%dT%H%M%SZ')}-{slug(nonce)}"]


def token_iri(name: str):
    """A write token as a PROV agent acting on behalf of its organisation: id/token/{name}."""
    return ID["token/" + slug(name)]
