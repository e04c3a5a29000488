"""Whole responses kept per store write generation, sent by the HTTP parser before any app code runs.

Why: with answers cached (service/answer_cache.py) the engine is no longer the cost of a repeated
lookup; the Python around it is: uvicorn's ASGI cycle (a task per request), the middlewares (CORS,
Allow, HEAD, security headers, gzip, validators), routing and content negotiation, ≈ 0.4 ms a request
on one core (docs/benchmarks.md, "The HTTP path"). A GET whose complete response (status line,
headers, body) the full path has already produced at the current write generation is the same
bytes next time, so the parser can write those bytes itself: `FastHttpProtocol`, a subclass of
uvicorn's httptools protocol, looks the request up when its headers are parsed and, on a hit,
writes the stored response straight to the socket: no task, no middleware, no query, nothing to
time out, no lane, no snapshot. A miss, and every request that is not plainly cacheable, takes the
full path unchanged (limits, lanes, snapshots, body limits, the guard).

What is kept, and under which key. The full path fills the cache: `Recorder`, the app's outermost
middleware, copies a response only if the protocol marked its request as eligible and the response
is one the app itself declares a function of the write generation and the request: status 200 with
the validators `ConditionalGet` gives (an ETag, so not volatile: no NOW()/RAND()..., which get none),
on a read route (CACHED_ROUTES), not HTML (pages carry a fresh CSP nonce that must never be reused),
no Set-Cookie, no `no-store`/`private`, a Content-Length equal to its body, at most
`max_entry_bytes`; and a 304 whose ETag is that of a 200 kept for the same request. The key is the
local address and scheme the request came in on (absolute URLs are built from them), the request
target as sent, and every request header except those that shape nothing (IGNORED), so Accept,
Accept-Encoding, Accept-Language, Origin, Host, X-Forwarded-*, If-None-Match... all count;
a response whose Vary names an ignored header is not kept. Requests are eligible only as GET over
HTTP/1.1 with keep-alive and without Authorization, Cookie, a body, ranges or date conditions
(REFUSED): those always take the full path.

Coherence. The generation (the store's write tag, plus the UTC day: catalogue queries default to
"today") is read when the request's headers are parsed, before the app runs, and a response is
filed under that generation only if it is still the current one; any newer generation empties the
cache on its first lookup. So a write through jiukg is seen by the very next request, and an answer
is never filed under a generation newer than its data. Only stores whose generation is a local
counter are cached (as for the answer cache): a remote store may be written by others.

The Date header is the server's current one on every response, hit or not; the access log gets the
same line for a hit as for a miss.
"""

from __future__ import annotations

import time
from collections import OrderedDict

from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

from service.answer_cache import generation_is_local

#: request headers that change nothing in a response (so two clients differing only there share it)
IGNORED = frozenset({b"user-agent", b"connection", b"referer", b"dnt", b"sec-fetch-site", b"sec-fetch-mode",
                     b"sec-fetch-dest", b"sec-fetch-user", b"priority", b"pragma", b"cache-control"})
#: request headers that send a request down the full path, always: credentials, bodies, ranges,
#: time-dependent conditions, protocol changes
REFUSED = frozenset({b"authorization", b"cookie", b"content-length", b"transfer-encoding", b"expect", b"upgrade",
                     b"range", b"if-range", b"if-match", b"if-unmodified-since", b"if-modified-since",
                     b"proxy-authorization"})
#: routes whose answers are kept (reads whose ETag says they depend on the store and the request alone)
CACHED_ROUTES = (b"/sparql", b"/id/", b"/vocab/", b"/ontology", b"/dataset", b"/queries/")

DEFAULT_ENTRIES = 4096
DEFAULT_BYTES = 64 * 1024 * 1024
DEFAULT_ENTRY_BYTES = 1024 * 1024
SCOPE_KEY = "jiukg.fastpath"  # the protocol's note to Recorder: (key, generation) of an eligible request


def _etag_matches(header: bytes, etag: bytes) -> bool:
    bare = etag.removeprefix(b"W/")
    return any(t.strip().removeprefix(b"W/") == bare for t in header.split(b","))


class ResponseCache:
    """Complete responses (status line and app headers, then body; no Date, no Server) for one
    store, valid for one generation at a time; a bounded LRU. Runs on the event loop only."""

    def __init__(self, store, max_entries: int = DEFAULT_ENTRIES, max_bytes: int = DEFAULT_BYTES,
                 max_entry_bytes: int = DEFAULT_ENTRY_BYTES):
        self.store = store
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.max_entry_bytes = min(max_entry_bytes, max_bytes)
        self._entries: OrderedDict[tuple, tuple[int, bytes, bytes, bytes | None]] = OrderedDict()
        self._sizes: dict[tuple, int] = {}  # what each entry counts against max_bytes
        self._bytes = 0
        self._generation: tuple | None = None
        self.hits = self.misses = 0

    def generation(self) -> tuple:
        """The store's write tag and the UTC day, read now (a local counter: cheap)."""
        return self.store.generation().tag, int(time.time() // 86400)

    def lookup(self, key: tuple):
        """(generation, entry or None). Entries of an older generation are dropped here."""
        gen = self.generation()
        if gen != self._generation:
            self._entries.clear()
            self._sizes.clear()
            self._bytes = 0
            self._generation = gen
        entry = self._entries.get(key)
        if entry is None:
            self.misses += 1
        else:
            self._entries.move_to_end(key)
            self.hits += 1
        return gen, entry

    def get(self, key: tuple):
        return self._entries.get(key)

    def put(self, gen: tuple, key: tuple, status: int, head: bytes, body: bytes, etag: bytes | None) -> None:
        # the key counts too: it holds the request's headers, which a client may make as large as it likes
        size = len(head) + len(body) + 200 + _size(key)
        if size > self.max_entry_bytes or gen != self._generation or gen != self.generation():
            return  # too large, or a write came while the full path answered: its data may be older
        if self._entries.pop(key, None) is not None:
            self._bytes -= self._sizes.pop(key)
        self._entries[key] = (status, head, body, etag)
        self._sizes[key] = size
        self._bytes += size
        while len(self._entries) > self.max_entries or self._bytes > self.max_bytes:
            oldest, _ = self._entries.popitem(last=False)
            self._bytes -= self._sizes.pop(oldest)

    def stats(self) -> dict:
        return {"entries": len(self._entries), "bytes": self._bytes, "hits": self.hits, "misses": self.misses}


def _size(key) -> int:
    """Bytes a cache key holds (its target and headers), for the byte bound."""
    if isinstance(key, (bytes, str)):
        return len(key)
    if isinstance(key, tuple):
        return sum(_size(k) for k in key)
    return 8


def configure(app, store, max_entries: int, max_bytes: int) -> ResponseCache | None:
    """Give `app` its response cache (app.state.response_cache) and the Recorder that fills it;
    None (no cache) for 0 entries or bytes, or a store whose generation is not a local counter."""
    cache = None
    if max_entries > 0 and max_bytes > 0 and generation_is_local(store):
        cache = ResponseCache(store, max_entries, max_bytes)
    app.state.response_cache = cache
    app.add_middleware(Recorder)
    return cache


def request_key(target: bytes, headers: list[tuple[bytes, bytes]], where: tuple = ()) -> tuple | None:
    """The cache key of a GET for `target` with these (lower-cased) headers, received `where` (the
    local address and scheme: absolute URLs are built from them when no base URL is set): that, the
    target, the headers that may shape the answer (sorted, so their order does not count) and
    If-None-Match apart; None if the request must take the full path."""
    path = target.split(b"?", 1)[0]
    if not path.startswith(CACHED_ROUTES):
        return None
    kept, inm = [], None
    for name, value in headers:
        if name in IGNORED:
            continue
        if name in REFUSED:
            return None
        if name == b"if-none-match":
            if inm is not None:
                return None
            inm = value
        else:
            kept.append((name, value))
    kept.sort()
    return where, target, tuple(kept), inm


class Recorder:
    """The app's outermost middleware: copies the response to a request the protocol marked eligible
    into the response cache, when the app declared it cacheable (see the module's docstring)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        note = scope.get(SCOPE_KEY) if scope["type"] == "http" else None
        cache = getattr(getattr(scope.get("app"), "state", None), "response_cache", None) if note else None
        if cache is None:
            return await self.app(scope, receive, send)
        key, gen = note
        seen: dict = {}

        async def record(message):
            await send(message)
            if seen.get("skip"):
                return
            if message["type"] == "http.response.start":
                entry = _start(cache, key, message)
                if entry is None:
                    seen["skip"] = True
                else:
                    seen.update(entry, body=[], size=0)
            elif message["type"] == "http.response.body":
                body = message.get("body", b"")
                seen["size"] += len(body)
                if seen["size"] > cache.max_entry_bytes:
                    seen["skip"] = True
                    return
                seen["body"].append(body)
                if not message.get("more_body", False):
                    body = b"".join(seen["body"])
                    if seen["length"] == len(body):
                        cache.put(gen, key, seen["status"], seen["head"], body, seen["etag"])
                    seen["skip"] = True

        await self.app(scope, receive, record)


def _start(cache: ResponseCache, key: tuple, message) -> dict | None:
    """The kept form of a response's start, or None if it must not be kept."""
    status = message["status"]
    headers = [(n.lower(), v) for n, v in message.get("headers", [])]
    names = {n for n, _ in headers}
    etag = next((v for n, v in headers if n == b"etag"), None)
    if etag is None or b"set-cookie" in names or b"content-security-policy" in names:
        return None
    for n, v in headers:
        if n == b"content-type" and v.lower().startswith(b"text/html"):
            return None
        if n == b"cache-control" and (b"no-store" in v.lower() or b"private" in v.lower()):
            return None
        if n == b"vary" and any(t.strip().lower() in IGNORED or t.strip() == b"*" for t in v.split(b",")):
            return None
        if n == b"connection":
            return None
    if status == 200:
        length = next((v for n, v in headers if n == b"content-length"), None)
        if length is None or not length.isdigit():
            return None
        length = int(length)
    elif status == 304 and key[-1] is not None:
        # a 304 only for a request whose answer without If-None-Match is a kept 200 with this ETag
        full = cache.get(key[:-1] + (None,))
        if full is None or full[3] is None or not _etag_matches(key[-1], full[3]):
            return None
        length = 0
    else:
        return None
    head = b"".join(n + b": " + v + b"\r\n" for n, v in headers)  # as uvicorn writes them, after its own
    return {"status": status, "head": head, "etag": etag, "length": length}


class FastHttpProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol, answering a request whose response is kept before any ASGI
    work; every other request goes on exactly as in uvicorn."""

    cache: ResponseCache | None = None  # set on the subclass protocol_for() makes
    _served = False

    def on_message_begin(self) -> None:
        self._served = False
        super().on_message_begin()

    def on_headers_complete(self) -> None:
        cache = self.cache
        if cache is None or self.parser.get_method() != b"GET" or self.parser.get_http_version() != "1.1" \
                or not self.parser.should_keep_alive():
            return super().on_headers_complete()
        key = request_key(self.url, self.headers, (self.server, self.scheme))
        if key is None:
            return super().on_headers_complete()
        gen, entry = cache.lookup(key)
        idle = (self.cycle is None or self.cycle.response_complete) and not self.pipeline
        if entry is None or not idle or self.flow.write_paused or self.transport.is_closing():
            self.scope[SCOPE_KEY] = (key, gen)
            return super().on_headers_complete()
        status, head, body, _ = entry
        out = [STATUS_LINE[status]]
        for name, value in self.server_state.default_headers:
            out += [name, b": ", value, b"\r\n"]
        out += [head, b"\r\n", body]
        self.transport.write(b"".join(out))
        self._served = True
        if self.access_log:
            client = "%s:%d" % self.client if self.client else "-"
            self.access_logger.info('%s - "%s %s HTTP/%s" %d', client, "GET", self.url.decode("latin-1"), "1.1",
                                    status)
        self.server_state.total_requests += 1
        self._unset_keepalive_if_required()
        self.timeout_keep_alive_task = self.loop.call_later(self.timeout_keep_alive, self.timeout_keep_alive_handler)

    def on_body(self, body: bytes) -> None:
        if not self._served:
            super().on_body(body)

    def on_message_complete(self) -> None:
        if not self._served:
            super().on_message_complete()


def protocol_for(app) -> type:
    """The protocol class serving `app`'s response cache (uvicorn.Config(http=...)), or uvicorn's
    own choice when `app` has no cache."""
    cache = getattr(getattr(app, "state", None), "response_cache", None)
    if cache is None:
        return "auto"
    return type("FastHttpProtocol", (FastHttpProtocol,), {"cache": cache})
