"""SPARQL 1.1 Update, evaluated on a copy and written through the gate.

An update is run by pyoxigraph on an in-memory copy of the store, in a worker
process that is killed past the time limit (`_update_worker.py`); what it
changed comes back as whole graphs, which the caller hands to the write
pipeline (scope check, SHACL gate, catalogue record, one replace). So an
update that breaks the shapes, or touches a graph its token may not write,
changes nothing, and every backend gets the same semantics.

The default graph: the copy's starts as the union of all named graphs, as on
the query endpoint, so WHERE patterns without GRAPH see all the data; triples
an update inserts into the default graph go to the named graph
`graph/default` (jiukg keeps every triple in a named graph), and triples it
deletes from the default graph are deleted from that graph only.
"""

from __future__ import annotations

import pickle
import re
import subprocess
import sys
from pathlib import Path

from rdflib import Graph, URIRef

from jiukg.namespaces import DEFAULT_GRAPH, written_by_jiukg
from jiukg.store import QueryRefused, QuerySyntaxError, QueryTimeout, StoreError
from jiukg.store.sparql import _TOKEN, from_ox, syntax_error

WORKER = Path(__file__).with_name("_update_worker.py")
NEVER = {"LOAD": "LOAD is refused: this service never fetches documents from elsewhere",
         "SERVICE": "SERVICE (federated query) is refused: this service never reaches other servers",
         "DEFINE": "DEFINE pragmas are refused"}


_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


class UpdateError(ValueError):
    """The request cannot be run as given (e.g. using-graph-uri with USING or WITH); a 400."""


def _tokens(text: str):
    for m in _TOKEN.finditer(text):
        if m.lastgroup not in ("ws", "comment"):
            yield m


def check_update(text: str) -> None:
    """Refuse what never runs here, deciding on tokens outside strings, IRIs and comments. A prefixed name
    whose prefix is such a keyword (`SERVICE:x`) is refused too: one token to a scanner, it may be a
    keyword to another parser."""
    if not text.strip():
        raise QuerySyntaxError("SPARQL syntax error at line 1, column 1: the update is empty")
    # SPARQL 1.1 lets \u escapes stand anywhere (19.2); scanned as the keywords they may spell
    text = _ESCAPE.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), text)
    for m in _tokens(text):
        kind, word = m.lastgroup, m.group()
        if kind == "pname":
            word = word.split(":", 1)[0]
        elif kind != "word":
            continue
        why = NEVER.get(word.upper())
        if why:
            raise QueryRefused(why)


def with_dataset(text: str, using: list[str], using_named: list[str]) -> str:
    """The update with the protocol's using-graph-uri / using-named-graph-uri as USING clauses of each
    DELETE/INSERT … WHERE operation (SPARQL 1.1 Protocol 2.2.3). An update that names its own dataset
    (USING, WITH) cannot take them: UpdateError. The WHERE of an operation is the only WHERE outside
    braces, and every DELETE/INSERT … WHERE operation has one.

    >>> with_dataset('INSERT { GRAPH <g> { ?s a <C> } } WHERE { ?s a <D> }', ['http://a'], [])
    'INSERT { GRAPH <g> { ?s a <C> } } USING <http://a> WHERE { ?s a <D> }'
    """
    if not using and not using_named:
        return text
    clauses = "".join(f"USING <{g}> " for g in using) + "".join(f"USING NAMED <{g}> " for g in using_named)
    out, depth, last, at = [], 0, None, 0
    for m in _tokens(text):
        tok, kind = m.group(), m.lastgroup
        if kind == "other" and tok == "{":
            depth += 1
        elif kind == "other" and tok == "}":
            depth -= 1
        elif kind == "word" and depth == 0:
            w = tok.upper()
            if w in ("USING", "WITH"):
                raise UpdateError(f"The update has its own {w} clause, so using-graph-uri and "
                                  "using-named-graph-uri cannot also be given (SPARQL 1.1 Protocol 2.2.3).")
            if w == "WHERE":
                if last == "DELETE":
                    raise UpdateError("using-graph-uri and using-named-graph-uri cannot apply to DELETE WHERE; "
                                      "write it as DELETE { … } WHERE { … }.")
                out.append(text[at:m.start()] + clauses)
                at = m.start()
        last = tok.upper() if kind == "word" else tok
    out.append(text[at:])
    return "".join(out)


def _checked_iri(g: str) -> str:
    import pyoxigraph as ox

    try:
        return ox.NamedNode(g).value
    except ValueError:
        raise UpdateError(f"using-graph-uri and using-named-graph-uri take absolute IRIs; {g!r} is not one.") from None


def evaluate(store, text: str, *, base_iri: str | None = None, using: list[str] = (), using_named: list[str] = (),
             timeout: float = 30.0) -> dict[URIRef, Graph]:
    """The graphs the update changes, with their new content (an empty graph: removed). The store is not
    touched. Raises QueryRefused, QuerySyntaxError, UpdateError, QueryTimeout or StoreError."""
    import pyoxigraph as ox

    check_update(text)
    text = with_dataset(text, [_checked_iri(g) for g in using], [_checked_iri(g) for g in using_named])
    req = {"nquads": store.export("nquads"), "update": text, "base_iri": base_iri,
           "default_graph": str(DEFAULT_GRAPH), "exclude": [str(g) for g in store.graphs() if written_by_jiukg(g)]}
    try:
        proc = subprocess.run([sys.executable, str(WORKER)], input=pickle.dumps(req), capture_output=True,
                              timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        raise QueryTimeout(f"the update ran past its {timeout:g} s time limit and was stopped; "
                           "nothing was written") from None
    except OSError as e:
        raise StoreError(f"cannot start the update worker: {e}") from e
    try:
        answer = pickle.loads(proc.stdout)
    except Exception:
        raise StoreError("the update worker failed: " + proc.stderr.decode("utf-8", "replace")[-500:]) from None
    if answer[0] == "err":
        if answer[1] == "syntax":
            raise syntax_error(SyntaxError(answer[2]))
        raise StoreError(f"the update failed: {answer[2]}")
    _, changed, data = answer
    graphs = {URIRef(g): Graph(identifier=URIRef(g)) for g in changed}
    if data:
        for q in ox.parse(data, format=ox.RdfFormat.N_QUADS):
            graphs[URIRef(q.graph_name.value)].add((from_ox(q.subject), from_ox(q.predicate), from_ox(q.object)))
    return graphs

