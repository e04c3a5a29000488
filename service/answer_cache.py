"""Answers kept per store write generation: a query asked again before any write is answered from memory.

Why: a profile of one `/sparql` lookup (docs/benchmarks.md, "The HTTP path") shows the engine's own
work is a small part of the request; the rest is the path that keeps the guarantees: the keyword
scan, the guard's verdict, a thread, and the hop to a worker process (a pickle over a pipe each way)
that can be killed at the time limit. The data changes only on writes, and every write through jiukg
bumps the store's generation (`Store.generation()`, the same tag the pages' ETags use), so an answer
computed at one generation is the answer to the same request until the next write. Serving it again
costs a dictionary lookup on the event loop, and none of the guarantees is touched: no query runs on
a hit, so there is nothing to time out, no lane to hold and no snapshot to read; a miss takes the
whole path as before, with its checks, lanes and limits.

The key is everything the answer depends on: the generation, the query text, the dataset
(default-graph-uri, named-graph-uri), the formats asked for, the base IRI and the lane. Only
successful answers are kept, and only of queries without a volatile function (NOW(), RAND()...:
VOLATILE, which the ETags also honour); refusals, syntax errors and timeouts are not: each is computed again,
so a changed limit or guard applies at once). Bounded in entries and in bytes; an answer larger
than `max_entry_bytes` is not kept; entries of an older generation are dropped as soon as a newer
one is seen. Only stores whose generation is a local counter (the base implementation: the
embedded stores) are cached: a remote store's generation asks the server, which must not happen
on the event loop, and other processes may write it.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from dataclasses import replace

from jiukg.store import QueryResult, RawResult
from jiukg.store.base import Store

#: functions whose value differs on every run: a query naming one is never kept (the catalogue's
#: "today" is bound into the query text, so it changes the key). Escapes (\\u) could spell one: such
#: a query is not kept either. The ETags (service/webconv.py) use the same test.
VOLATILE = re.compile(r"\b(NOW|RAND|UUID|STRUUID|BNODE)\s*\(|\\[uU]", re.I)

DEFAULT_ENTRIES = 4096
DEFAULT_BYTES = 64 * 1024 * 1024
DEFAULT_ENTRY_BYTES = 1024 * 1024


def _size(answer) -> int:
    """Bytes an answer holds, roughly (for a parsed result: the text of its terms)."""
    if isinstance(answer, RawResult):
        return len(answer.data) + 64
    n = 64
    for row in answer.rows:
        n += 16 + sum(len(k) + len(v) + 48 for k, v in row.items())
    for t in answer.triples:
        n += 144 + sum(len(x) for x in t)
    return n


def _copy(answer):
    """A parsed result is handed out as a fresh object (new lists), so a caller that reorders its
    rows never changes the kept one; the terms themselves are immutable."""
    if isinstance(answer, QueryResult):
        return replace(answer, variables=list(answer.variables), rows=list(answer.rows),
                       triples=list(answer.triples))
    return answer  # RawResult: immutable bytes


class AnswerCache:
    """A bounded LRU of query answers for one store, valid for one write generation at a time."""

    def __init__(self, max_entries: int = DEFAULT_ENTRIES, max_bytes: int = DEFAULT_BYTES,
                 max_entry_bytes: int = DEFAULT_ENTRY_BYTES):
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.max_entry_bytes = min(max_entry_bytes, max_bytes)
        self._lock = threading.Lock()
        self._entries: OrderedDict[tuple, tuple[object, int]] = OrderedDict()
        self._bytes = 0
        self._generation: str | None = None
        self.hits = self.misses = 0

    @staticmethod
    def generation(store) -> str:
        """The store's write generation now (a local counter: cheap, on the event loop too)."""
        return store.generation().tag

    def get(self, generation: str, key: tuple):
        with self._lock:
            if generation != self._generation:
                self._reset(generation)
            hit = self._entries.get(key)
            if hit is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return _copy(hit[0])

    def put(self, generation: str, key: tuple, answer) -> None:
        """Keep `answer`, computed from the store as it was at `generation` (read before the query ran,
        so an answer never sits under a generation newer than its data)."""
        size = _size(answer)
        if size > self.max_entry_bytes:
            return
        with self._lock:
            if generation != self._generation:
                return  # a write came meanwhile: this answer belongs to a generation already gone
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= old[1]
            self._entries[key] = (_copy(answer), size)
            self._bytes += size
            while len(self._entries) > self.max_entries or self._bytes > self.max_bytes:
                _, (_, n) = self._entries.popitem(last=False)
                self._bytes -= n

    def _reset(self, generation: str) -> None:
        self._entries.clear()
        self._bytes = 0
        self._generation = generation

    def stats(self) -> dict:
        with self._lock:
            return {"entries": len(self._entries), "bytes": self._bytes, "hits": self.hits, "misses": self.misses}


def reusable(sparql: str) -> bool:
    """Whether the answer to `sparql` is the same on every run over the same data."""
    return VOLATILE.search(sparql) is None


def generation_is_local(store) -> bool:
    """Whether store.generation() is the base implementation, a local write counter: cheap enough to
    read on the event loop (a remote store's may ask its server)."""
    return type(store).generation is Store.generation


def configure(store, max_entries: int, max_bytes: int) -> None:
    """Size the cache of `store` (the service's settings); 0 entries or bytes turns it off."""
    if max_entries <= 0 or max_bytes <= 0:
        try:
            store.answer_cache = False
            store._answer_cache = None
        except AttributeError:
            pass
        return
    if generation_is_local(store):
        store.answer_cache = True
        store._answer_cache = AnswerCache(max_entries, max_bytes)


def for_store(store) -> AnswerCache | None:
    """The cache of `store`, made on first use and kept on the store (so it goes when the store goes);
    None for a store that is not cached: its generation() is not the local write counter, or it opts
    out with `answer_cache = False`."""
    cache = getattr(store, "_answer_cache", None)
    if cache is not None:
        return cache
    if not generation_is_local(store) or getattr(store, "answer_cache", True) is False:
        return None
    with _lock:
        cache = getattr(store, "_answer_cache", None)
        if cache is None:
            cache = AnswerCache()
            store._answer_cache = cache
    return cache


_lock = threading.Lock()
