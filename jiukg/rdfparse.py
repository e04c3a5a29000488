"""The one place jiukg parses RDF it did not write: files to load and request bodies.

Why a module of its own: rdflib's parsers will reach out if the data asks them to.
The JSON-LD parser fetches any `@context` or `@import` that is a URL or a local
path, and RDF/XML goes through an XML parser that knows DTDs and entities (a
615-byte entity bomb held a thread for a minute). Here nothing is fetched:

* JSON-LD contexts and imports come only from a bundled allow-list (jiukg's own
  context); any other reference is refused before rdflib sees the document.
* RDF/XML with a DOCTYPE (so any DTD or entity declaration) is refused; expat
  decides, so no spelling or encoding walks past the check.
* While a parse runs, its thread may open no socket and no data file (an audit
  hook), so a parser path missed above still fetches nothing.
* What the store cannot hold (N3 formulas and variables, literals as subjects)
  is refused with a message, not left to fail deep in the store.

Every refusal is `RDFRefused`, a ValueError whose message names the problem.
"""

from __future__ import annotations

import copy
import json
import sys
import threading
import xml.parsers.expat
from contextlib import contextmanager

import pyoxigraph as ox
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.graph import QuotedGraph

from jiukg.namespaces import BASE

#: the RDF syntaxes jiukg reads, by rdflib's format name
FORMATS = ("turtle", "nt", "json-ld", "trig", "nquads", "xml", "n3")
QUAD_FORMATS = ("trig", "nquads")


class RDFRefused(ValueError):
    """The data asks for something jiukg never does (a fetch, a DTD) or holds what no store can."""


def allowed_contexts() -> dict[str, dict]:
    """JSON-LD contexts a document may name: jiukg's own (its canonical IRI; the service publishes it
    at /context.jsonld). Bundled, so reading one never leaves the process."""
    from jiukg.results import jsonld_context

    ctx = jsonld_context()
    return {f"{BASE}context.jsonld": ctx, f"{BASE}context": ctx}


# ---------------------------------------------------------------------------- no fetch, whatever the parser

_guard = threading.local()
_CODE = (".py", ".pyc", ".so", ".pth")


def _audit(event: str, args: tuple) -> None:
    if not getattr(_guard, "on", False):
        return
    if event in ("socket.connect", "socket.getaddrinfo", "socket.gethostbyname", "urllib.Request"):
        raise RDFRefused(f"the parser tried to reach the network ({event}); jiukg never fetches while parsing")
    if event == "open" and args and isinstance(args[0], (str, bytes)):
        path = args[0].decode(errors="replace") if isinstance(args[0], bytes) else args[0]
        if not path.endswith(_CODE):  # lazily imported parser plugins are code, not data
            raise RDFRefused(f"the parser tried to open {path!r}; jiukg never reads other files while parsing")


_hook_lock = threading.Lock()
_hooked = False


@contextmanager
def no_fetch():
    """In this block, this thread can neither connect anywhere nor open a data file."""
    global _hooked
    with _hook_lock:
        if not _hooked:
            sys.addaudithook(_audit)  # process-wide and permanent, but inert outside this block
            _hooked = True
    was = getattr(_guard, "on", False)
    _guard.on = True
    try:
        yield
    finally:
        _guard.on = was


# ---------------------------------------------------------------------------- format-specific checks

def _inline_contexts(doc, allowed: dict[str, dict]):
    """The JSON-LD document with every context reference (`@context` strings, `@import`) replaced
    by the allow-listed context it names; RDFRefused for any other reference."""

    def resolve(ref) -> dict:
        if not isinstance(ref, str):
            raise RDFRefused("a JSON-LD @import must be an IRI")
        if ref not in allowed:
            raise RDFRefused(f"JSON-LD context {ref!r} is not one jiukg bundles, and jiukg never fetches "
                             f"contexts; embed it in the document or use {next(iter(allowed))}")
        return copy.deepcopy(allowed[ref]["@context"])

    def context(value):
        if isinstance(value, str):
            return resolve(value)
        if isinstance(value, list):
            return [context(v) for v in value]
        if isinstance(value, dict):
            out = {k: walk(v) for k, v in value.items() if k != "@import"}
            if "@import" in value:
                imported = resolve(value["@import"])
                out = {**imported, **out} if isinstance(imported, dict) else out
            return out
        return value  # null

    def walk(node):
        if isinstance(node, list):
            return [walk(v) for v in node]
        if isinstance(node, dict):
            return {k: context(v) if k == "@context" else walk(v) for k, v in node.items()}
        return node

    return walk(doc)


def _refuse_doctype(data: bytes) -> None:
    """RDF/XML may not have a DOCTYPE: DTDs and entities are what fetch files and expand into bombs.
    expat reads just far enough to tell (it stops at the first element)."""

    class Stop(Exception):
        pass

    p = xml.parsers.expat.ParserCreate()

    def doctype(*_):
        raise RDFRefused("RDF/XML with a DOCTYPE (DTD or entity declarations) is refused: "
                         "jiukg never expands entities or reads external DTDs")

    def element(*_):
        raise Stop

    p.StartDoctypeDeclHandler = doctype
    p.EntityDeclHandler = doctype
    p.StartElementHandler = element
    try:
        p.Parse(data, True)
    except Stop:
        return
    except xml.parsers.expat.ExpatError as e:
        raise RDFRefused(f"not well-formed XML: {e}") from None


def _check_terms(triples, what: str, graphs=()) -> None:
    """Refuse what an RDF store cannot hold: N3 formulas and variables, literals as subjects, and IRIs that
    are not IRIs. rdflib keeps an IRI whose escapes spell `>` or a space (`<http://e/o\u003E … >`) and only
    warns; written into a query or an update, such a name would end its brackets."""
    iris = set()
    for s, p, o in triples:
        for term in (s, p, o):
            if isinstance(term, QuotedGraph):
                raise RDFRefused(f"{what} holds an N3 formula ({{ ... }}), which is not RDF: "
                                 "jiukg stores RDF triples only")
            if not isinstance(term, (URIRef, BNode, Literal)):
                raise RDFRefused(f"{what} holds {type(term).__name__} {term}, which is not an RDF term "
                                 "(N3 variables and rules are not stored)")
            if isinstance(term, URIRef):
                iris.add(term)
            elif isinstance(term, Literal) and term.datatype is not None:
                iris.add(term.datatype)
        if isinstance(s, Literal) or not isinstance(p, URIRef):
            raise RDFRefused(f"{what} has a triple an RDF store cannot hold (a literal as subject or a "
                             f"non-IRI predicate): {s} {p} {o}")
    iris.update(g for g in graphs if isinstance(g, URIRef))
    for iri in iris:
        try:
            ox.NamedNode(str(iri))
        except ValueError as e:
            raise RDFRefused(f"{what} holds {str(iri)!r}, which is not an IRI ({e})") from None


# ---------------------------------------------------------------------------- the entry point

def parse(data: bytes, fmt: str, *, what: str = "the data") -> Graph | Dataset:
    """Parse `data` (rdflib format name `fmt`) with nothing fetched: a Dataset for TriG and N-Quads,
    a Graph otherwise. RDFRefused for a reference jiukg does not follow or data no store can hold;
    rdflib's own exceptions for data that does not parse."""
    if fmt not in FORMATS:
        raise RDFRefused(f"unknown RDF format {fmt!r}; jiukg reads {', '.join(FORMATS)}")
    if fmt == "json-ld":
        try:
            doc = json.loads(data)
        except (UnicodeDecodeError, json.JSONDecodeError) as e:
            raise RDFRefused(f"not valid JSON: {e}") from None
        data = json.dumps(_inline_contexts(doc, allowed_contexts())).encode("utf-8")
    elif fmt == "xml":
        _refuse_doctype(data)
    target: Graph | Dataset = Dataset() if fmt in QUAD_FORMATS else Graph()
    with no_fetch():
        target.parse(data=data, format=fmt)
    if fmt in QUAD_FORMATS:
        _check_terms(((s, p, o) for s, p, o, _ in target.quads()), what,
                     [g.identifier for g in target.graphs() if str(g.identifier) != "urn:x-rdflib:default"])
    else:
        _check_terms(target, what)
    return target
