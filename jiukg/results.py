"""Serialise a QueryResult ourselves, so every store backend gives identical bytes.

SELECT/ASK: SPARQL 1.1 Query Results JSON, XML, CSV and TSV. CONSTRUCT/DESCRIBE
and resource descriptions: Turtle, N-Triples, JSON-LD, RDF/XML, TriG, N-Quads.
"""

from __future__ import annotations

import csv
import io
import json
from xml.sax.saxutils import escape, quoteattr

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import XSD

from jiukg.namespaces import PREFIXES

JSON = "application/sparql-results+json"
XML = "application/sparql-results+xml"
CSV = "text/csv"
TSV = "text/tab-separated-values"
TURTLE = "text/turtle"
NTRIPLES = "application/n-triples"
JSONLD = "application/ld+json"
RDFXML = "application/rdf+xml"
TRIG = "application/trig"
NQUADS = "application/n-quads"
HTML = "text/html"

SELECT_TYPES = [JSON, XML, CSV, TSV, "application/json"]
GRAPH_TYPES = [TURTLE, NTRIPLES, JSONLD, RDFXML, TRIG, NQUADS, "text/plain", "application/json"]
RDF_TYPES = [TURTLE, NTRIPLES, JSONLD, RDFXML]

#: ?format= short names
FORMAT_ALIASES = {
    "json": JSON, "srj": JSON, "xml": XML, "srx": XML, "csv": CSV, "tsv": TSV,
    "ttl": TURTLE, "turtle": TURTLE, "nt": NTRIPLES, "ntriples": NTRIPLES, "n-triples": NTRIPLES,
    "jsonld": JSONLD, "json-ld": JSONLD, "rdf": RDFXML, "rdfxml": RDFXML, "xml-rdf": RDFXML,
    "trig": TRIG, "nq": NQUADS, "nquads": NQUADS, "n-quads": NQUADS, "html": HTML,
}

#: what the W3C calls each format (for the service description)
FORMAT_IRIS = {
    JSON: "http://www.w3.org/ns/formats/SPARQL_Results_JSON",
    XML: "http://www.w3.org/ns/formats/SPARQL_Results_XML",
    CSV: "http://www.w3.org/ns/formats/SPARQL_Results_CSV",
    TSV: "http://www.w3.org/ns/formats/SPARQL_Results_TSV",
    TURTLE: "http://www.w3.org/ns/formats/Turtle",
    NTRIPLES: "http://www.w3.org/ns/formats/N-Triples",
    JSONLD: "http://www.w3.org/ns/formats/JSON-LD",
    RDFXML: "http://www.w3.org/ns/formats/RDF_XML",
    TRIG: "http://www.w3.org/ns/formats/TriG",
    NQUADS: "http://www.w3.org/ns/formats/N-Quads",
}


def jsonld_context() -> dict:
    """The JSON-LD context published at /context.jsonld and embedded in JSON-LD answers."""
    return {"@context": dict(sorted(PREFIXES.items()))}


# --- terms ------------------------------------------------------------------

def _esc_string(s: str) -> str:
    return (s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
            .replace("\t", "\\t"))


def _esc_iri(s: str) -> str:
    out = []
    for ch in s:
        if ord(ch) <= 0x20 or ch in '<>"{}|^`\\':
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    return "".join(out)


def nt_term(t) -> str:
    """A term in N-Triples syntax (xsd:string left implicit)."""
    if isinstance(t, URIRef):
        return f"<{_esc_iri(str(t))}>"
    if isinstance(t, BNode):
        return f"_:{t}"
    if isinstance(t, Literal):
        s = f'"{_esc_string(str(t))}"'
        if t.language:
            return s + "@" + t.language
        if t.datatype and t.datatype != XSD.string:
            return s + f"^^<{_esc_iri(str(t.datatype))}>"
        return s
    raise TypeError(f"not an RDF term: {t!r}")


def term_json(t) -> dict:
    if isinstance(t, URIRef):
        return {"type": "uri", "value": str(t)}
    if isinstance(t, BNode):
        return {"type": "bnode", "value": str(t)}
    d = {"type": "literal", "value": str(t)}
    if t.language:
        d["xml:lang"] = t.language
    elif t.datatype and t.datatype != XSD.string:
        d["datatype"] = str(t.datatype)
    return d


# --- SELECT / ASK -------------------------------------------------------------

def json_dict(r) -> dict:
    """SPARQL 1.1 Query Results JSON as a dict."""
    if r.kind == "ask":
        return {"head": {}, "boolean": bool(r.boolean)}
    return {"head": {"vars": list(r.variables)},
            "results": {"bindings": [{v: term_json(row[v]) for v in r.variables if v in row} for row in r.rows]}}


def results_json(r) -> bytes:
    return json.dumps(json_dict(r), ensure_ascii=False, indent=1).encode("utf-8")


def results_xml(r) -> bytes:
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           '<sparql xmlns="http://www.w3.org/2005/sparql-results#">', "<head>"]
    if r.kind == "ask":
        out += ["</head>", f"<boolean>{'true' if r.boolean else 'false'}</boolean>", "</sparql>"]
        return ("\n".join(out) + "\n").encode("utf-8")
    out += [f"<variable name={quoteattr(v)}/>" for v in r.variables]
    out += ["</head>", "<results>"]
    for row in r.rows:
        out.append("<result>")
        for v in r.variables:
            if v not in row:
                continue
            t = row[v]
            if isinstance(t, URIRef):
                val = f"<uri>{escape(str(t))}</uri>"
            elif isinstance(t, BNode):
                val = f"<bnode>{escape(str(t))}</bnode>"
            else:
                attr = ""
                if t.language:
                    attr = f" xml:lang={quoteattr(t.language)}"
                elif t.datatype and t.datatype != XSD.string:
                    attr = f" datatype={quoteattr(str(t.datatype))}"
                val = f"<literal{attr}>{escape(str(t))}</literal>"
            out.append(f"<binding name={quoteattr(v)}>{val}</binding>")
        out.append("</result>")
    out += ["</results>", "</sparql>"]
    return ("\n".join(out) + "\n").encode("utf-8")


def results_csv(r) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    if r.kind == "ask":
        w.writerow(["_askResult"])
        w.writerow(["true" if r.boolean else "false"])
    else:
        w.writerow(r.variables)
        for row in r.rows:
            w.writerow([("_:" + str(row[v])) if isinstance(row.get(v), BNode) else str(row[v]) if v in row else ""
                        for v in r.variables])
    return buf.getvalue().encode("utf-8")


def results_tsv(r) -> bytes:
    if r.kind == "ask":
        return f"?_askResult\n{'true' if r.boolean else 'false'}\n".encode()
    lines = ["\t".join("?" + v for v in r.variables)]
    for row in r.rows:
        lines.append("\t".join(nt_term(row[v]) if v in row else "" for v in r.variables))
    return ("\n".join(lines) + "\n").encode("utf-8")


# --- graphs -------------------------------------------------------------------

def ntriples(triples) -> bytes:
    """Sorted N-Triples: the same set of triples always gives the same bytes."""
    lines = sorted({f"{nt_term(s)} {nt_term(p)} {nt_term(o)} ." for s, p, o in triples})
    return ("\n".join(lines) + ("\n" if lines else "")).encode("utf-8")


def nquads(quads) -> bytes:
    lines = sorted({f"{nt_term(s)} {nt_term(p)} {nt_term(o)}" + (f" {nt_term(g)}" if g is not None else "") + " ."
                    for s, p, o, g in quads})
    return ("\n".join(lines) + ("\n" if lines else "")).encode("utf-8")


def _graph(triples) -> Graph:
    g = Graph()
    for p, ns in PREFIXES.items():
        g.bind(p, ns, replace=True)
    for t in triples:
        g.add(t)
    return g


def serialize_graph(triples, media: str) -> bytes:
    """Triples (a list or a Graph) in the asked RDF syntax."""
    triples = list(triples)
    if media in (NTRIPLES, "text/plain"):
        return ntriples(triples)
    if media == NQUADS:
        return nquads((s, p, o, None) for s, p, o in triples)
    g = _graph(triples)
    if media == TURTLE:
        return g.serialize(format="turtle", encoding="utf-8")
    if media == TRIG:
        return g.serialize(format="trig", encoding="utf-8")
    if media in (JSONLD, "application/json"):
        return g.serialize(format="json-ld", context=jsonld_context()["@context"], auto_compact=True,
                           encoding="utf-8")
    if media == RDFXML:
        return g.serialize(format="xml", encoding="utf-8")
    raise ValueError(f"cannot serialise a graph as {media}")


def serialize_result(r, media: str) -> bytes:
    if r.kind == "graph":
        return serialize_graph(r.triples, media)
    if media in (JSON, "application/json"):
        return results_json(r)
    if media == XML:
        return results_xml(r)
    if media == CSV:
        return results_csv(r)
    if media == TSV:
        return results_tsv(r)
    raise ValueError(f"cannot serialise results as {media}")


def content_type(media: str) -> str:
    if media.startswith("text/") or media in (JSON, XML, JSONLD, NTRIPLES, TRIG, NQUADS, RDFXML, "application/json"):
        return f"{media}; charset=utf-8"
    return media
