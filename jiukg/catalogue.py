"""The catalogue of named SPARQL queries (queries/*.rq): load, bind parameters, run, format.

One source, three uses: the CLI (`jiukg query NAME`), the service (/queries) and
the tests all go through `run`. Parameter values are bound as RDF terms in a
VALUES block built from serialised, validated terms; they are never pasted into
the query text as SPARQL. See queries/README.md for the header format.

Why not pyoxigraph's `substitutions=`: in pyoxigraph 0.5 it refuses any
variable that is not in the SELECT projection (so a query whose columns are
fixed could not take parameters) and it evaluates BOUND()/BIND on substituted
variables as if unbound (tests/test_catalogue.py::test_pyoxigraph_substitutions_limits
measures both). A VALUES block has the same meaning on every store, embedded or
remote.
"""

from __future__ import annotations

import json
import re
import sys
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterable, Iterator

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD

from jiukg.results import json_dict, results_csv
from jiukg.namespaces import BASE, normalize_symbol
from jiukg.paths import QUERIES_DIR
from jiukg.store.base import QueryResult, Store


TYPES = ("string", "integer", "date", "iri", "symbol")
REQUIRED = "(required)"
TODAY = "today"


RESERVED = frozenset({"format", "lang"})  # page options over HTTP, never query parameters


class CatalogueError(ValueError):
    """A request the catalogue cannot run: bad parameter, bad header. The message says why."""


class UnknownQuery(CatalogueError, LookupError):
    """No query of that name in the catalogue."""


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    default: str  # a value, "" (optional: left unbound), "(required)" or "today" (dates)
    description: str = ""

    @property
    def required(self) -> bool:
        return self.default == REQUIRED

    @property
    def variable(self) -> str:
        """The query variable the parameter binds: org -> ?_org."""
        return "_" + self.name

    def as_dict(self) -> dict:
        return {"name": self.name, "type": self.type,
                "default": None if self.default in ("", REQUIRED) else self.default,
                "required": self.required, "description": self.description}


@dataclass(frozen=True)
class Query:
    name: str
    title: str
    description: str
    params: tuple[Param, ...]
    example: dict[str, str]
    text: str
    path: Path | None = None
    tags: tuple[str, ...] = field(default=())

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)

    def as_dict(self) -> dict:
        return {"name": self.name, "title": self.title, "description": self.description,
                "params": [p.as_dict() for p in self.params], "example": self.example, "tags": list(self.tags)}


# --- reading .rq files --------------------------------------------------------

_HEADER = re.compile(r"^#\s*([A-Za-z]+)\s*:\s?(.*)$")


def parse_query(text: str, name: str, path: Path | None = None) -> Query:
    """Read the `# key: value` header lines at the top of a .rq file."""
    title = ""
    description: list[str] = []
    params: list[Param] = []
    example: dict[str, str] = {}
    tags: tuple[str, ...] = ()
    for line in text.splitlines():
        s = line.strip()
        if not s:
            continue
        if not s.startswith("#"):
            break
        m = _HEADER.match(s)
        if not m:
            continue
        key, value = m.group(1).lower(), m.group(2).strip()
        if key == "title":
            title = value
        elif key == "description":
            description.append(value)
        elif key == "param":
            parts = [p.strip() for p in value.split("|")]
            if len(parts) != 4:
                raise CatalogueError(f"{name}: param line needs 'name | type | default | description': {value!r}")
            pname, ptype, pdefault, pdesc = parts
            if not re.fullmatch(r"[a-z][a-z0-9_]*", pname):
                raise CatalogueError(f"{name}: bad parameter name {pname!r}")
            if pname in RESERVED:
                raise CatalogueError(f"{name}: parameter name {pname!r} is reserved (format, lang)")
            if ptype not in TYPES:
                raise CatalogueError(f"{name}: parameter {pname}: unknown type {ptype!r} (one of {', '.join(TYPES)})")
            params.append(Param(pname, ptype, pdefault, pdesc))
        elif key == "example":
            for pair in value.split():
                k, _, v = pair.partition("=")
                example[k] = v
        elif key == "tags":
            tags = tuple(t.strip() for t in value.split(",") if t.strip())
    if not title:
        raise CatalogueError(f"{name}: the header has no '# title:' line")
    q = Query(name, title, " ".join(description), tuple(params), example, text, path, tags)
    for p in q.params:
        if p.variable not in _variables(text):
            raise CatalogueError(f"{name}: parameter {p.name} is never used (no ?{p.variable} in the query)")
    return q


def _variables(text: str) -> set[str]:
    return set(re.findall(r"[?$]([A-Za-z_][A-Za-z0-9_]*)", _strip_comments(text)))


def load_query(path: str | Path) -> Query:
    p = Path(path)
    return parse_query(p.read_text(encoding="utf-8"), p.stem, p)


def load_catalogue(directory: str | Path | None = None) -> list[Query]:
    """Every query of queries/*.rq, sorted by name."""
    d = Path(directory) if directory else QUERIES_DIR
    return [load_query(p) for p in sorted(d.glob("*.rq"))]


def get_query(name: str, directory: str | Path | None = None, *, allow_files: bool = False) -> Query:
    """The catalogue query `name`; with allow_files (the CLI only), also a path to a .rq file."""
    if allow_files and name.endswith(".rq") and Path(name).is_file():
        return load_query(name)
    d = Path(directory) if directory else QUERIES_DIR
    if re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_-]*", name or "") and (d / f"{name}.rq").is_file():
        return load_query(d / f"{name}.rq")
    known = ", ".join(q.name for q in load_catalogue(d))
    raise UnknownQuery(f"no query named {name!r} in the catalogue; known: {known}")


# --- binding parameters as RDF terms -----------------------------------------

_IRI_FORBIDDEN = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_IRI_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def to_term(param: Param, value: str):
    """The RDF term for one parameter value, or CatalogueError saying what is wrong."""
    if param.type == "string":
        return Literal(value)
    if param.type == "symbol":
        s = normalize_symbol(value)
        if not s:
            raise CatalogueError(f"parameter {param.name}: empty document symbol")
        return Literal(s)
    if param.type == "integer":
        if not re.fullmatch(r"[+-]?[0-9]+", value.strip()):
            raise CatalogueError(f"parameter {param.name}: {value!r} is not an integer")
        return Literal(int(value), datatype=XSD.integer)
    if param.type == "date":
        v = date.today().isoformat() if value == TODAY else value.strip()
        try:
            if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", v):
                raise ValueError
            date.fromisoformat(v)
        except ValueError:
            raise CatalogueError(f"parameter {param.name}: {value!r} is not a date YYYY-MM-DD") from None
        return Literal(v, datatype=XSD.date)
    if param.type == "iri":
        v = value.strip()
        if v.startswith("id/"):  # a path of the knowledge graph: id/doc/JIU/REP/2024/4
            v = BASE + v
        if not _IRI_SCHEME.match(v) or _IRI_FORBIDDEN.search(v):
            raise CatalogueError(f"parameter {param.name}: {value!r} is not an absolute IRI "
                                 "(no spaces, newlines or any of <>\"{}|^`\\)")
        return URIRef(v)
    raise CatalogueError(f"parameter {param.name}: unknown type {param.type}")


def bind(query: Query, params: dict[str, str] | None) -> dict[str, object]:
    """Check names and values; apply defaults. Returns {variable: term} for bound parameters."""
    params = dict(params or {})
    unknown = sorted(set(params) - {p.name for p in query.params})
    if unknown:
        known = ", ".join(p.name for p in query.params) or "none"
        raise CatalogueError(f"query {query.name}: unknown parameter {', '.join(unknown)} (parameters: {known})")
    out: dict[str, object] = {}
    for p in query.params:
        value = params.get(p.name)
        if value is None or value == "":
            if p.required:
                raise CatalogueError(f"query {query.name}: parameter {p.name} is required ({p.description})")
            if p.default in ("", REQUIRED):
                continue
            value = p.default
        out[p.variable] = to_term(p, value)
    return out


def _n3(term) -> str:
    if isinstance(term, URIRef):
        s = str(term)
        if _IRI_FORBIDDEN.search(s):  # to_term already refused these; never emit a broken IRI
            raise CatalogueError(f"refused IRI {s!r}")
        return f"<{s}>"
    if isinstance(term, Literal):
        return term.n3()
    raise CatalogueError(f"cannot bind {term!r}")


def _strip_comments(text: str) -> str:
    return "".join(text[a:b] for a, b in _code_spans(text))


def _code_spans(text: str) -> Iterable[tuple[int, int]]:
    """Spans of text outside comments (strings and IRIs are kept whole)."""
    i, start, n = 0, 0, len(text)
    while i < n:
        i = _skip_token(text, i)
        if i < n and text[i] == "#":
            yield start, i
            j = text.find("\n", i)
            i = n if j < 0 else j
            start = i
        else:
            i += 1
    yield start, n


_IRIREF = re.compile(r'<[^<>"{}|^`\\\x00-\x20]*>')


def _skip_token(text: str, i: int) -> int:
    """If a string or IRI starts at i, the index just after it; else i."""
    c = text[i]
    if c in "\"'":
        q3 = c * 3
        if text.startswith(q3, i):
            j = i + 3
            while j < len(text) and not text.startswith(q3, j):
                j += 2 if text[j] == "\\" else 1
            return _skip_token(text, min(j + 3, len(text))) if j + 3 < len(text) else len(text)
        j = i + 1
        while j < len(text) and text[j] != c and text[j] != "\n":
            j += 2 if text[j] == "\\" else 1
        return _skip_token(text, j + 1) if j + 1 < len(text) else len(text)
    if c == "<":
        m = _IRIREF.match(text, i)
        if m:
            return _skip_token(text, m.end()) if m.end() < len(text) else len(text)
    return i


def _code_chars(text: str) -> Iterator[tuple[int, str]]:
    """Each character of the query text outside strings, IRIs and comments, with its index: what the
    scanners below look at."""
    i, n = 0, len(text)
    while i < n:
        j = _skip_token(text, i)
        if j != i:
            i = j
            continue
        c = text[i]
        if c == "#":
            k = text.find("\n", i)
            i = n if k < 0 else k
            continue
        yield i, c
        i += 1


def _where_brace(text: str) -> int:
    """Index of the '{' that opens the query's top-level WHERE group: the first
    top-level brace after the WHERE keyword; without the keyword, the first
    top-level brace (the second in a CONSTRUCT, whose first is the template)."""
    n, depth = len(text), 0
    braces: list[int] = []
    after_where: int | None = None
    for i, c in _code_chars(text):
        if c == "{":
            if depth == 0:
                if after_where is not None:
                    return i
                braces.append(i)
            depth += 1
        elif c == "}":
            depth -= 1
        elif depth == 0 and c in "Ww" and text[i:i + 5].upper() == "WHERE" \
                and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] in "_?$:")) \
                and (i + 5 >= n or not (text[i + 5].isalnum() or text[i + 5] in "_:")):
            after_where = i
    construct = re.search(r"(?i)\bCONSTRUCT\b", _strip_comments(text[:braces[0]])) if braces else None
    if construct and len(braces) > 1:
        return braces[1]
    if braces and not construct:
        return braces[0]
    raise CatalogueError("the query has no WHERE group")


def _subselect_groups(text: str, variables: Iterable[str]) -> tuple[list[tuple[int, int]], dict[str, list[int]]]:
    """The WHERE groups of the sub-selects, as (index of '{', index of its '}'), and where each of
    `variables` is used (outside comments, strings and IRIs)."""
    uses: dict[str, list[int]] = {v: [] for v in variables}
    groups: list[tuple[int, int]] = []
    waiting: list[tuple[int, int]] = []  # (brace depth, paren depth) of a SELECT whose group is still to come
    open_at: list[tuple[int, int]] = []  # (index of '{', brace depth inside it) of the open sub-select groups
    n, depth, parens = len(text), 0, 0
    for i, c in _code_chars(text):
        if c in "?$":
            m = re.match(r"[A-Za-z0-9_]*", text[i + 1:i + 200])
            if m.group(0) in uses:
                uses[m.group(0)].append(i)
        elif c == "(":
            parens += 1
        elif c == ")":
            parens -= 1
        elif c == "{":
            if waiting and waiting[-1] == (depth, parens):
                waiting.pop()
                open_at.append((i, depth + 1))
            depth += 1
        elif c == "}":
            if open_at and open_at[-1][1] == depth:
                groups.append((open_at.pop()[0], i))
            depth -= 1
        elif depth > 0 and c in "Ss" and text[i:i + 6].upper() == "SELECT" \
                and not (text[i - 1].isalnum() or text[i - 1] in "_?$:") \
                and (i + 6 >= n or not (text[i + 6].isalnum() or text[i + 6] in "_:")):
            waiting.append((depth, parens))
    return groups, uses


def bound_text(query: Query, bindings: dict[str, object]) -> str:
    """The query text with a VALUES block of the bound terms opening the WHERE group that uses them: the
    query's own, or, for a parameter used only inside a sub-select, the innermost sub-select holding every
    use of it (a VALUES outside would not bind it inside). A query that aggregates over the rows its
    parameters select (each statement's evidence phrases, sorted, in one cell) walks out from them in a
    sub-select: bound there, the sub-select reads those rows only, not every row of the store (SPARQL has
    no correlated sub-select)."""
    if not bindings:
        return query.text
    text = query.text
    for k, names in _blocks_at(query.text, tuple(sorted(bindings))):
        values = " ".join(_n3(bindings[v]) for v in names)
        block = f"\n  VALUES ({' '.join('?' + v for v in names)}) {{ ({values}) }}\n"
        text = text[:k + 1] + block + text[k + 1:]
    return text


@lru_cache(maxsize=1024)
def _blocks_at(text: str, names: tuple[str, ...]) -> tuple[tuple[int, tuple[str, ...]], ...]:
    """Where the VALUES blocks of these parameters go in the text, last first: the brace each block follows,
    and its names. A scan of the whole text, which costs as much as a lookup itself (0.2 ms at 1M quads);
    the text is fixed, so it is made once per query and set of parameters given."""
    groups, uses = _subselect_groups(text, names)
    top = _where_brace(text)
    at: dict[int, list[str]] = {}
    for v in names:
        holding = [a for a, b in groups if uses[v] and all(a < u < b for u in uses[v])]
        at.setdefault(max(holding) if holding else top, []).append(v)
    return tuple((k, tuple(at[k])) for k in sorted(at, reverse=True))


# --- parameter values the store must know ---------------------------------------
#
# A parameter naming an organisation, an oversight body, a mechanism or a JIU report that the store does
# not know is an error naming the known values, not an empty answer (org=UNICEF when only WIPO reports).
# Each check first resolves the value to resources by their names (a handful of index lookups), then asks
# whether the data uses them; the list of known values is only built for the error message.

_JIU = "PREFIX jiu: <https://w3id.org/jiukg/ontology#>\nPREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n" \
       "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
# param name -> (what it names, the pattern that resolves ?v to ?x, the use that makes ?x known,
#                the pattern listing known names ?name)
KNOWN_VALUES: dict[str, tuple[str, str, str, str]] = {
    "org": ("organisation",
            "?x jiu:acronym ?a . FILTER(LCASE(STR(?a)) = LCASE(STR(?v)))",
            "{ ?s jiu:reportingOrganization ?x } UNION { ?s jiu:concerns ?x } UNION { ?s jiu:preparedBy ?x }",
            "?x jiu:acronym ?name . FILTER(LANGMATCHES(LANG(?name), \"en\"))"),
    "body": ("oversight body",
             "?x jiu:acronym ?a . FILTER(LCASE(STR(?a)) = LCASE(STR(?v)))",
             "?s jiu:oversightBody ?x",
             "?x jiu:acronym ?name . FILTER(LANGMATCHES(LANG(?name), \"en\"))"),
    "mechanism": ("inter-agency mechanism",
                  "{ ?x jiu:acronym ?a } UNION { ?x skos:prefLabel ?a } FILTER(LCASE(STR(?a)) = LCASE(STR(?v)))",
                  "?x a ?k . ?k rdfs:subClassOf* jiu:InterAgencyMechanism",
                  "?x a ?k . ?k rdfs:subClassOf* jiu:InterAgencyMechanism . "
                  "OPTIONAL { ?x jiu:acronym ?acr FILTER(LANGMATCHES(LANG(?acr), \"en\")) } "
                  "OPTIONAL { ?x skos:prefLabel ?pl FILTER(LANGMATCHES(LANG(?pl), \"en\")) } "
                  "BIND(COALESCE(STR(?acr), STR(?pl)) AS ?name) FILTER(BOUND(?name))"),
    # a JIU report for most queries, the SG's report for resolutions-covered: any document by its symbol
    "report": ("document",
               "?x jiu:symbol ?v .",
               "?x a ?type",
               "?x jiu:symbol ?name ."),
}


class UnknownValue(CatalogueError):
    """A parameter value naming something the store does not know."""


def value_checks(query: Query, bindings: dict[str, object]) -> list[tuple[str, str, str]]:
    """(parameter, ASK query that is true when the store knows the value, SELECT of the known names) for
    each bound parameter of a checked kind (KNOWN_VALUES), the value bound as an RDF term."""
    out = []
    for p in query.params:
        spec = KNOWN_VALUES.get(p.name)
        term = bindings.get(p.variable)
        if spec is None or term is None:
            continue
        _, resolve, use, names = spec
        # the use tested per resolved resource (EXISTS): a UNION joined to the resolution would be evaluated
        # whole, every statement of every organisation read (31 ms at 1M quads, as long as the query itself)
        ask = f"{_JIU}ASK {{ VALUES ?v {{ {_n3(term)} }} {resolve} FILTER EXISTS {{ {use} }} }}"
        known = f"{_JIU}SELECT DISTINCT ?name WHERE {{ {names} FILTER EXISTS {{ {use} }} }} ORDER BY ?name"
        out.append((p.name, ask, known))
    return out


def unknown_value(query: Query, param: str, value: str, known: list[str]) -> UnknownValue:
    what = KNOWN_VALUES[param][0]
    shown = ", ".join(known[:60]) + (f" … ({len(known)} in all)" if len(known) > 60 else "")
    return UnknownValue(f"query {query.name}: parameter {param}: no {what} {value!r} in the data; "
                        f"known: {shown or 'none'}")


def check_values(store: Store, query: Query, bindings: dict[str, object], *, timeout: float | None = None,
                 lane: str = "user") -> None:
    """Raise UnknownValue if a checked parameter names nothing the store knows."""
    for name, ask, known in value_checks(query, bindings):
        if not store.query(ask, timeout=timeout, lane=lane).boolean:
            names = [str(r["name"]) for r in store.query(known, timeout=timeout, lane=lane).rows]
            raise unknown_value(query, name, str(bindings[query.param(name).variable]), names)


def run(store: Store, name: str | Query, params: dict[str, str] | None = None, *,
        timeout: float | None = None, lane: str = "user") -> QueryResult:
    """Run a catalogue query with its parameters bound as RDF terms. The service runs them on the
    store's "internal" lane (base.LANES): fixed, reviewed queries that must not wait behind users' own.
    A parameter naming an organisation, body, mechanism or report the store does not know raises
    UnknownValue."""
    query = name if isinstance(name, Query) else get_query(name)
    bindings = bind(query, params)
    check_values(store, query, bindings, timeout=timeout, lane=lane)
    return store.query(bound_text(query, bindings), timeout=timeout, lane=lane)


# --- result formats ------------------------------------------------------------

def _lexical(term) -> str:
    if term is None:
        return ""
    if isinstance(term, BNode):
        return f"_:{term}"
    return str(term)


def to_csv(result: QueryResult) -> str:
    """SPARQL 1.1 Query Results CSV: header of variable names, plain values, CRLF lines."""
    return results_csv(result).decode("utf-8")


to_json = json_dict  # SPARQL 1.1 Query Results JSON


def display_width(s: str) -> int:
    """Columns a string takes in a terminal: wide and full-width characters count two."""
    w = 0
    for ch in s:
        if unicodedata.combining(ch):
            continue
        w += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return w


def _cell(term, limit: int) -> str:
    s = " ".join(_lexical(term).split())  # one line per row
    if limit and display_width(s) > limit:
        out, w = [], 0
        for ch in s:
            cw = display_width(ch)
            if w + cw > limit - 1:
                break
            out.append(ch)
            w += cw
        s = "".join(out) + "…"
    return s


def to_table(result: QueryResult, *, max_width: int = 60) -> str:
    """An aligned text table for terminals (CJK-aware); long cells are cut at max_width columns."""
    if result.kind == "ask":
        return "yes\n" if result.boolean else "no\n"
    cols = list(result.variables)
    cells = [[_cell(row.get(v), max_width) for v in cols] for row in result.rows]
    widths = [max([display_width(c)] + [display_width(r[i]) for r in cells]) for i, c in enumerate(cols)]

    def line(values):
        return "  ".join(v + " " * (widths[i] - display_width(v)) for i, v in enumerate(values)).rstrip()

    out = [line(cols), "  ".join("-" * w for w in widths)]
    out += [line(r) for r in cells]
    out.append(f"({len(cells)} row{'s' if len(cells) != 1 else ''})")
    return "\n".join(out) + "\n"


def listing(queries: list[Query] | None = None) -> str:
    """The catalogue as text: one query per paragraph with its parameters."""
    queries = load_catalogue() if queries is None else queries
    out = []
    for q in queries:
        out.append(f"{q.name}: {q.title}")
        for p in q.params:
            d = "required" if p.required else (f"default {p.default}" if p.default else "optional")
            out.append(f"    --param {p.name}=<{p.type}>  ({d}) {p.description}")
        if q.example:
            out.append("    example: jiukg query " + q.name
                       + "".join(f" --param {k}={v}" for k, v in q.example.items()))
    return "\n".join(out) + "\n"


# --- the command line ------------------------------------------------------------

def cli(name: str, params: list[str], fmt: str, opener: Callable[[], Store], *,
        out=None, err=None) -> int:
    """`jiukg query NAME [--param k=v] --format csv|json|table`. Exit 0 on success, 2 on a
    bad request (unknown query, parameter or format), 1 if the store fails."""
    out = out or sys.stdout
    err = err or sys.stderr
    if name in ("list", "--list", "-l"):
        out.write(listing())
        return 0
    try:
        query = get_query(name, allow_files=True)
    except UnknownQuery as e:
        err.write(f"error: {e}\n\n")
        err.write(listing())
        return 2
    if fmt not in ("csv", "json", "table"):
        err.write(f"error: unknown format {fmt!r} (csv, json or table)\n")
        return 2
    kv: dict[str, str] = {}
    for item in params:
        k, sep, v = item.partition("=")
        if not sep or not k:
            err.write(f"error: --param takes k=v, got {item!r}\n")
            return 2
        kv[k.strip()] = v
    try:
        bindings = bind(query, kv)
    except CatalogueError as e:
        err.write(f"error: {e}\n")
        return 2
    from jiukg.store import StoreError

    try:
        with opener() as store:
            check_values(store, query, bindings)
            result = store.query(bound_text(query, bindings))
    except UnknownValue as e:
        err.write(f"error: {e}\n")
        return 2
    except StoreError as e:
        err.write(f"error: {e}\n")
        return 1
    if fmt == "csv":
        out.write(to_csv(result))
    elif fmt == "json":
        out.write(json.dumps(to_json(result), ensure_ascii=False, indent=1) + "\n")
    else:
        out.write(to_table(result))
    return 0
