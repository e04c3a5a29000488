"""Run a query against the store: guards, threadpool, time limit, error mapping.

The store layer refuses SERVICE/LOAD/updates by their keywords, bounds nesting and
stops slow queries. Queries people write (lane "user") are also parsed here and
refused if the parse holds a SERVICE in any spelling (jiukg.store.sparql.refuse_federation),
whatever the backend. All of it runs on a worker thread, never on the event loop.
This module adds a last-resort time limit and maps store errors to HTTP codes.
"""

from __future__ import annotations

import asyncio
import re
import time

from starlette.concurrency import run_in_threadpool

from jiukg.store import (
    QueryRefused,
    QueryResult,
    QuerySyntaxError,
    QueryTimeout,
    RawResult,
    ResultTooLarge,
    StoreError,
    StoreUnavailable,
)
from jiukg.store import sparql as guards
from service import answer_cache


class ServiceError(Exception):
    """An answer other than 200, with a message meant for the person who asked."""

    def __init__(self, status: int, message: str, headers: dict | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


# Strings, IRIs and comments are data: blank them before looking for keywords.
_LEXEMES = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n\r]|\\.)*"'
    r"|'(?:[^'\\\n\r]|\\.)*'"
    r'|<[^<>"{}|^`\\\x00-\x20]*>'
    r"|#[^\n\r]*",
    re.S,
)
_WORD = re.compile(r"(?<![\w?$:.\-@])([A-Za-z]+)(?![\w:\-])")
_UPDATE_WORDS = {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"}
_QUERY_WORDS = {"SELECT", "CONSTRUCT", "ASK", "DESCRIBE"}
_PROLOGUE = {"PREFIX", "BASE"}


def keywords(sparql: str) -> list[str]:
    """The bare keywords of a SPARQL text, upper-cased, outside strings, IRIs and comments."""
    blanked = _LEXEMES.sub(lambda m: " " if m.group(0).startswith("#") else ' "" ', sparql)
    return [m.group(1).upper() for m in _WORD.finditer(blanked)]


def check_query(sparql: str, *, parse: bool = False, timeout: float = 10.0) -> None:
    """Refuse what a read-only, local endpoint never runs: updates (named as such), then the store's
    checks (SERVICE, LOAD, nesting); with `parse`, SERVICE found in the parsed query (in a guard
    process, within `timeout`). Blocks: call it off the event loop."""
    words = keywords(sparql)
    first = next((w for w in words if w not in _PROLOGUE), None)
    if first in _UPDATE_WORDS:
        raise ServiceError(400, f"This endpoint is read-only: {first} is a SPARQL Update operation, "
                                "and updates are not accepted here.")
    try:
        guards.check_query(sparql)
        if parse:
            guards.refuse_federation(sparql, timeout)
    except StoreError as e:
        raise store_error(e, timeout) from None


_POS = re.compile(r"(?:line\s*(\d+)\D+column\s*(\d+))|(?:\bat\s+(\d+):(\d+))|(?:\b(\d+):(\d+)\b)", re.I)


def syntax_message(msg: str) -> str:
    """The parser's message, with its position spelled out as line and column."""
    m = _POS.search(msg)
    if m:
        line, col = next((m.group(i), m.group(i + 1)) for i in (1, 3, 5) if m.group(i))
        if f"line {line}" not in msg.lower():
            return f"Malformed query: {msg} (line {line}, column {col})"
    return f"Malformed query: {msg}"


async def run_query(store, sparql: str, *, timeout: float, default_graph: list[str] | None = None,
                    named_graphs: list[str] | None = None, check: bool = True,
                    lane: str = "internal", base_iri: str | None = None,
                    formats: tuple[str, str] | None = None) -> QueryResult | RawResult:
    """Run one query in a worker thread so a slow one never blocks other users.

    `lane` is the store's worker pool: "user" for queries people write (/sparql), "internal" (the
    default) for the service's own pages, linked data and catalogue, so that slow user queries
    never hold them up. `base_iri` resolves the query's relative IRIs. With `formats` (a SPARQL
    results and an RDF media type), the answer comes already serialised (RawResult), as the store
    wrote it: a big result is never turned into Python terms here, and the embedded store stops one
    larger than its max_result_bytes."""
    base = {"base_iri": base_iri} if base_iri else {}
    for g in (default_graph or []) + (named_graphs or []):
        if not _IRI_OK.match(g):
            raise ServiceError(400, f"default-graph-uri and named-graph-uri take absolute IRIs; {g!r} is not one.")

    def call():
        deadline = time.monotonic() + timeout
        if check:
            check_query(sparql, parse=lane == "user", timeout=timeout)
        left = max(0.05, deadline - time.monotonic())  # checking and running share one time limit
        if formats:
            return store.query_raw(sparql, select_format=formats[0], graph_format=formats[1],
                                   default_graph=default_graph or None, named_graphs=named_graphs or None,
                                   timeout=left, lane=lane, **base)
        return store.query(sparql, default_graph=default_graph or None, named_graphs=named_graphs or None,
                           timeout=left, lane=lane, **base)

    # An answer computed since the last write is the answer (service/answer_cache.py): served without
    # a thread or a worker. The generation is read before the query runs, never after.
    cache = answer_cache.for_store(store) if answer_cache.reusable(sparql) else None
    if cache is not None:
        generation = cache.generation(store)
        key = (sparql, tuple(default_graph or ()), tuple(named_graphs or ()), formats, base_iri, lane, check)
        hit = cache.get(generation, key)
        if hit is not None:
            return hit
    try:
        # The store stops the query at `timeout`; the extra second only guards a store that does not.
        result = await asyncio.wait_for(run_in_threadpool(call), timeout + 1.0)
    except asyncio.TimeoutError:
        raise ServiceError(*_timed_out(timeout)) from None
    except StoreError as e:
        raise store_error(e, timeout) from None
    if cache is not None:
        cache.put(generation, key, result)
    return result


def _timed_out(timeout: float | None) -> tuple[int, str, dict]:
    limit = f"the {timeout:g} s limit" if timeout else "its time limit"
    return (503, f"The query ran longer than {limit} and was stopped. "
                 "Narrow it (add LIMIT, more specific patterns) and try again.", {"Retry-After": "5"})


def store_error(e: StoreError, timeout: float | None = None) -> ServiceError:
    """The answer for a store error, wherever it was raised: the message names the store and what failed."""
    if isinstance(e, QueryTimeout):
        return ServiceError(*_timed_out(timeout))
    if isinstance(e, QuerySyntaxError):
        return ServiceError(400, syntax_message(str(e)))
    if isinstance(e, QueryRefused):
        return ServiceError(400, f"Query refused: {e}")
    if isinstance(e, ResultTooLarge):
        return ServiceError(400, f"Query stopped: {e}")
    if isinstance(e, StoreUnavailable):
        return ServiceError(503, f"The store is unavailable now: {e}. Try again later.", {"Retry-After": "30"})
    return ServiceError(500, f"The store failed: {e}")


def sparql_string(value: str) -> str:
    """A Python string as a SPARQL string literal: parameter values stay data."""
    out = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    return f'"{out}"'


_IRI_OK = re.compile(r'^[A-Za-z][A-Za-z0-9+.\-]*:[^<>"{}|^`\\\x00-\x20]*$')


def sparql_iri(value: str) -> str:
    """An IRI as <...>, or a 400 if it could break out of the brackets."""
    if not _IRI_OK.match(value):
        raise ServiceError(400, f"Not an absolute IRI: {value!r}")
    return f"<{value}>"
