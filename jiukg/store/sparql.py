"""What every backend checks before running a user's query (term conversions: terms.py).

The query endpoint is read-only and never reaches the network. pyoxigraph and
most servers would happily follow `SERVICE` (and Virtuoso runs updates, LOAD and
`DEFINE get:soft` sponging from its query endpoint), so `check_query` refuses
those before anything runs. It scans tokens, skipping strings, comments and
IRIs, so `"SERVICE"` in a literal or `ex:load` as a name are fine. The same scan
measures nesting: deeply nested or very long chains of groups crash the engine's
recursive evaluator (a worker died on 1,000 OPTIONALs), so they are refused first.

A scan sees spellings, not meaning: `SERVICE:x` with `PREFIX : <http://...>` is
one prefixed name to a scanner and a federated call to the engine. So queries
people write (the service's /sparql) also pass `refuse_federation`, which parses
them (rdflib's SPARQL grammar, in a guard process that is killed at the query's
time limit) and refuses any SERVICE in the parse tree. Syntax
errors are still reported by the engine that runs the query (pyoxigraph in the
worker or this process; the server for a remote store): pyoxigraph has no
parse-only call and starts evaluating aggregates inside `query()`, even on an
empty store.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox

from .base import QueryRefused, QuerySyntaxError, QueryTimeout, StoreError
from .terms import RDF_LANGSTRING, XSD_STRING, from_json, from_ox, nt, results_term, to_ox  # noqa: F401 (re-exported)

# Keywords that only exist in SPARQL Update, plus SERVICE/LOAD (network) and DEFINE (Virtuoso pragmas).
REFUSED = {
    "SERVICE": "SERVICE (federated query) is refused: this endpoint never reaches other servers",
    "LOAD": "LOAD is refused: this endpoint is read-only and never fetches documents",
    "DEFINE": "DEFINE pragmas are refused: they are not SPARQL 1.1 and can make a server fetch documents",
}
UPDATE_WORDS = {"INSERT", "DELETE", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"}

#: deepest nesting of { ( [ and most groups { } in one query: far beyond any real query, well below
#: what crashes pyoxigraph's evaluator (1,000 chained OPTIONALs) or rdflib's parser (recursion)
MAX_DEPTH = 32
MAX_GROUPS = 400

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<comment>\#[^\n\r]*)
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*'''
               |"(?:[^"\\\n\r]|\\.)*"|'(?:[^'\\\n\r]|\\.)*')
  | (?P<var>[?$][\w\u00B7-\uFFFF]+)
  | (?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
  | (?P<bnode>_:[\w\-.\u00B7-\uFFFF]*)
  | (?P<pname>(?:[A-Za-z\u00C0-\uFFFF][\w\-.\u00B7-\uFFFF]*)?:(?:[\w\-.:%\\\u00B7-\uFFFF]*[\w\-:%\u00B7-\uFFFF])?)
  | (?P<word>[A-Za-z_][\w]*)
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)


@dataclass
class Scan:
    """What a token scan learnt about a query."""

    form: str | None = None  # SELECT, ASK, CONSTRUCT, DESCRIBE
    words: set[str] = field(default_factory=set)  # bare keywords, upper case
    has_dataset: bool = False  # FROM / FROM NAMED in the query itself
    prologue_end: int = 0  # offset just after the last PREFIX/BASE declaration
    distinct: bool = False  # the query is SELECT DISTINCT (its top-level projection)
    depth: int = 0  # deepest nesting of { ( [
    groups: int = 0  # number of { (group patterns, sub-queries, templates)


def scan(sparql: str) -> Scan:
    out = Scan()
    expect = 0  # expect: tokens still belonging to a PREFIX/BASE declaration
    in_prologue = True
    just_selected = False
    level = 0
    for m in _TOKEN.finditer(sparql):
        kind = m.lastgroup
        if kind in ("ws", "comment"):
            continue
        text = m.group()
        if kind == "other":
            if text in "{([":
                level += 1
                out.depth = max(out.depth, level)
                out.groups += text == "{"
            elif text in "})]":
                level -= 1
        if in_prologue:
            if expect:
                expect -= 1
                if expect == 0:
                    out.prologue_end = m.end()
                continue
            if kind == "word" and text.upper() == "PREFIX":
                expect = 2
                continue
            if kind == "word" and text.upper() == "BASE":
                expect = 1
                continue
            in_prologue = False
        if just_selected:
            out.distinct = kind == "word" and text.upper() == "DISTINCT"
            just_selected = False
        if kind == "word":
            w = text.upper()
            out.words.add(w)
            if out.form is None and w in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE"):
                out.form = w
                just_selected = w == "SELECT"
            if w == "FROM":
                out.has_dataset = True
    return out


def without_dataset(sparql: str) -> str:
    """The query without its FROM / FROM NAMED clauses, for a protocol request that gives the dataset:
    the SPARQL 1.1 Protocol says default-graph-uri and named-graph-uri then replace the query's own
    dataset, and some servers (Virtuoso) merge the two instead. FROM appears in no other place of the
    grammar, and the token scan skips strings, comments and IRIs.

    >>> " ".join(without_dataset('SELECT * FROM <http://a> FROM NAMED ex:b WHERE { ?s ?p "FROM <x>" }').split())
    'SELECT * WHERE { ?s ?p "FROM <x>" }'
    """
    out, skip = [], 0
    for m in _TOKEN.finditer(sparql):
        kind, text = m.lastgroup, m.group()
        if skip and kind not in ("ws", "comment"):
            if kind == "word" and text.upper() == "NAMED":
                continue
            if kind in ("iri", "pname"):
                skip = 0
                continue
        if kind == "word" and text.upper() == "FROM":
            skip = 1
            continue
        out.append(text)
    return "".join(out)


_parser_store = ox.Store()  # always empty: used to parse, never to hold data


def syntax_error(e: SyntaxError) -> QuerySyntaxError:
    """pyoxigraph says 'error at 3:18: expected ...'; keep its words, name line and column."""
    msg = str(e)
    m = re.match(r"error at (\d+):(\d+): (.*)", msg, re.DOTALL)
    if m:
        err = QuerySyntaxError(f"SPARQL syntax error at line {m[1]}, column {m[2]}: {m[3]}")
        err.line, err.column = int(m[1]), int(m[2])
        return err
    return QuerySyntaxError(f"SPARQL syntax error: {msg}")


@lru_cache(maxsize=256)
def _scan_kept(sparql: str) -> Scan:
    return scan(sparql)


def check_query(sparql: str) -> Scan:
    """Refuse what the read-only endpoint never does. A linear token scan: nothing runs. The scans of short
    texts are kept (a scan is a function of the text, and the catalogue's and the service's own queries come
    again and again: at 1M quads it was half of jiukg's cost over a lookup's); the Scan returned may be
    shared, so it is read, never changed."""
    if not isinstance(sparql, str) or not sparql.strip():
        raise QuerySyntaxError("SPARQL syntax error at line 1, column 1: the query is empty")
    s = _scan_kept(sparql) if len(sparql) <= 16_384 else scan(sparql)
    if s.depth > MAX_DEPTH:
        raise QueryRefused(f"the query nests {s.depth} levels deep (brackets and groups); this endpoint runs "
                           f"queries nested at most {MAX_DEPTH} deep")
    if s.groups > MAX_GROUPS:
        raise QueryRefused(f"the query has {s.groups} group patterns ({{ ... }}); this endpoint runs queries "
                           f"with at most {MAX_GROUPS}")
    for word, why in REFUSED.items():
        if word in s.words:
            raise QueryRefused(why)
    updates = sorted(s.words & UPDATE_WORDS)
    if updates:
        raise QueryRefused(f"{updates[0]} is refused: the query endpoint is read-only (SPARQL Update is not accepted)")
    return s


GUARD = Path(__file__).with_name("_guard.py")
GUARD_PROCESSES = 2
_guard_lock = threading.Lock()
_guard_pool = None
_clean: OrderedDict[str, None] = OrderedDict()  # queries found clean lately (people re-run theirs)


def refuse_federation(sparql: str, timeout: float = 10.0) -> None:
    """Refuse a query whose parse tree holds a SERVICE, however it is spelt (prefixed names, escapes,
    BASE-relative IRIs, inside sub-queries, OPTIONAL or EXISTS). The parse runs in a guard process
    (_guard.py) killed past `timeout` (QueryTimeout). Run `check_query` first: it bounds the nesting
    the parser recurses into. A query rdflib cannot parse is left to the engine's syntax check,
    unless "service" appears in it outside strings, IRIs and comments."""
    global _guard_pool
    if sparql in _clean:
        return
    if _guard_pool is None:
        from .embedded import QueryPool

        with _guard_lock:
            if _guard_pool is None:
                _guard_pool = QueryPool(GUARD_PROCESSES, "the query guard", "guard", script=GUARD)
    try:
        answer = _guard_pool.run({"query": sparql}, timeout)
    except QueryTimeout:
        raise
    except StoreError as e:  # the guard died (it is replaced): refuse rather than run unchecked
        raise QueryRefused(f"the query could not be checked ({e})") from None
    if answer[0] != "ok":
        raise QueryRefused(f"the query could not be checked ({answer[-1]})")
    verdict = answer[1]
    if verdict == "service":
        raise QueryRefused(REFUSED["SERVICE"])
    if verdict == "too_deep":
        raise QueryRefused("the query nests too deeply for this endpoint")
    if verdict == "unparsable":
        # Fail closed: pyoxigraph reads `SERVICEx:y {...}` and `SERVICESILENT <...>` as SERVICE; rdflib
        # does not read them at all. So "service" anywhere outside strings, IRIs and comments refuses.
        for m in _TOKEN.finditer(sparql):
            if m.lastgroup not in ("string", "iri", "comment", "ws") and "SERVICE" in m.group().upper():
                raise QueryRefused(REFUSED["SERVICE"])
        return  # not SPARQL rdflib reads: the engine reports the syntax error
    if len(sparql) > 65_536:
        return  # not worth keeping: the cache stays small
    with _guard_lock:
        _clean[sparql] = None
        while len(_clean) > 256:
            _clean.popitem(last=False)


def local_syntax_error(sparql: str) -> QuerySyntaxError | None:
    """pyoxigraph's parser message (line, column) for a query a server rejected, or None if
    pyoxigraph accepts it. Only for queries already rejected: pyoxigraph has no parse-only call,
    and `query()` may start evaluating (on this always-empty store) when parsing succeeds."""
    try:
        _parser_store.query(sparql)
    except SyntaxError as e:
        return syntax_error(e)
    except Exception:
        return None
    return None
