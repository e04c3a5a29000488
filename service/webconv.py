"""The web's conventions, as ASGI middlewares around the routes: CORS on the read routes,
validators (ETag, Last-Modified) keyed on the store's write generation with 304 answers,
compression, a true `Allow`; and the one triple count every page and description gives.

Why middlewares: each convention then holds for every route, present and future, without
each route remembering it. Order, outermost first (create_app adds them):
CORS (so preflights and 304s carry its headers) -> Allow -> HEAD as GET -> gzip -> validators.
"""

from __future__ import annotations

import hashlib
import re
from collections import OrderedDict
from datetime import datetime, timezone
from email.utils import format_datetime, parsedate_to_datetime
from urllib.parse import unquote_plus

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers, MutableHeaders
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.routing import Match

from jiukg.store import StoreError
from service.answer_cache import VOLATILE, generation_is_local

#: routes anyone may read from another site's page (a YASGUI elsewhere, a JSON-LD processor)
READ_ROUTES = ("/sparql", "/id", "/vocab", "/graph", "/ontology", "/shapes", "/dataset", "/dump", "/queries",
               "/releases", "/.well-known", "/sitemap.xml", "/robots.txt", "/context.jsonld", "/examples.json")
#: routes that change the store: cross-origin only for origins configured for them
WRITE_ROUTES = ("/data", "/update", "/store")
#: routes with validators of their own (files) or none worth having
NOT_CONDITIONAL = ("/static", "/releases", "/healthz", "/robots.txt")
#: routes whose answers also depend on the date (catalogue queries default to "today")
DAILY = ("/queries",)

READ_METHODS = ["GET", "HEAD", "POST", "OPTIONS"]  # POST: queries on /sparql
READ_HEADERS = ["Accept", "Accept-Language", "Content-Type", "If-None-Match", "If-Modified-Since", "Cache-Control"]
EXPOSED = ["ETag", "Last-Modified", "Content-Disposition", "Content-Length", "Content-Language", "Link"]


def _under(path: str, prefixes: tuple[str, ...]) -> bool:
    return any(path == p or path.startswith(p if p.endswith("/") else p + "/") for p in prefixes)


def origins(value: str | None) -> list[str]:
    """A setting's origins: comma- or space-separated; '*' for any; empty for none."""
    return [o.strip().rstrip("/") for o in (value or "").replace(",", " ").split() if o.strip()]


# --- CORS ------------------------------------------------------------------------

class CorsByRoute:
    """Starlette's CORSMiddleware, but only where it belongs: read routes get the read origins
    (default any), write routes the write origins (default none), other routes nothing."""

    def __init__(self, app, read_origins: list[str], write_origins: list[str], max_age: int = 86400):
        self.app = app
        self.read = CORSMiddleware(app, allow_origins=read_origins, allow_methods=READ_METHODS,
                                   allow_headers=READ_HEADERS, expose_headers=EXPOSED,
                                   max_age=max_age) if read_origins else None
        self.write = CORSMiddleware(app, allow_origins=write_origins,
                                    allow_methods=["GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS"],
                                    allow_headers=READ_HEADERS + ["Authorization"], expose_headers=EXPOSED,
                                    max_age=max_age) if write_origins else None

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            path = scope["path"]
            if self.read is not None and _under(path, READ_ROUTES):
                return await self.read(scope, receive, send)
            if self.write is not None and _under(path, WRITE_ROUTES):
                return await self.write(scope, receive, send)
        await self.app(scope, receive, send)


# --- Allow and OPTIONS -------------------------------------------------------------

METHODS = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"]


def _routes(scope):
    return getattr(getattr(scope.get("app"), "router", None), "routes", [])


def _answers(scope, method: str) -> bool:
    probe = dict(scope, method=method)
    return any(route.matches(probe)[0] == Match.FULL for route in _routes(scope))


def allowed_methods(scope) -> list[str]:
    """Every method some route at this path answers (HEAD with GET, OPTIONS always), or [] if none.
    Asked of the routes themselves (included routers match as a whole), one method at a time."""
    methods = [m for m in METHODS if m not in ("HEAD", "OPTIONS") and _answers(scope, m)]
    if not methods:
        return []
    if "GET" in methods:
        methods.insert(methods.index("GET") + 1, "HEAD")
    return methods + ["OPTIONS"]


class AllowHeader:
    """A 405 lists every method the path takes (the router names only its first route's), and a
    plain OPTIONS answers 204 with that list (a CORS preflight was answered outside)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        if scope["method"] == "OPTIONS" and not _answers(scope, "OPTIONS"):
            methods = allowed_methods(scope)
            if methods:
                await send({"type": "http.response.start", "status": 204,
                            "headers": [(b"allow", ", ".join(methods).encode())]})
                await send({"type": "http.response.body", "body": b""})
                return

        async def fix_allow(message):
            if message["type"] == "http.response.start" and message["status"] == 405:
                methods = allowed_methods(scope)
                if methods:
                    headers = MutableHeaders(scope=message)
                    headers["Allow"] = ", ".join(methods)
            await send(message)

        await self.app(scope, receive, fix_allow)


# --- validators and 304 ----------------------------------------------------------------

def http_date(dt) -> str:
    return format_datetime(dt.replace(microsecond=0), usegmt=True)


def _etag_matches(header: str, etag: str) -> bool:
    """If-None-Match uses the weak comparison (RFC 9110 13.1.2)."""
    if header.strip() == "*":
        return True
    bare = etag.removeprefix("W/")
    return any(t.strip().removeprefix("W/") == bare for t in header.split(","))


def _volatile(scope) -> bool:
    """A /sparql query whose answer changes on every run (NOW(), RAND()...): no validator holds."""
    if not _under(scope["path"], ("/sparql",)):
        return False
    return bool(VOLATILE.search(unquote_plus(scope.get("query_string", b"").decode("latin-1"))))


class ConditionalGet:
    """GET answers carry an ETag and Last-Modified derived from the store's write generation
    (Store.generation) and the request's variant (path, query, Accept, Accept-Language, host),
    and Cache-Control; a request whose If-None-Match (or, without it, If-Modified-Since) still
    holds gets 304. The generation is read before the route runs, so a write racing the answer
    can only make its validator older, never claim newer content than it has."""

    REMEMBER = 4096  # Vary of the latest ETags given out, so a 304 can repeat it without running the route

    def __init__(self, app, max_age: int = 0):
        self.app = app
        # no-cache: a cache may keep the answer but asks (If-None-Match) before each reuse, so a write
        # shows at once; a max-age spares those questions for that long, at the price of staleness
        self.cache_control = f"public, max-age={int(max_age)}" if max_age > 0 else "public, no-cache"
        self._vary: OrderedDict[str, str] = OrderedDict()

    def _remember(self, etag: str, vary: str) -> None:
        self._vary[etag] = vary
        self._vary.move_to_end(etag)
        while len(self._vary) > self.REMEMBER:
            self._vary.popitem(last=False)

    async def __call__(self, scope, receive, send):
        store = getattr(getattr(scope.get("app"), "state", None), "store", None)
        if scope["type"] != "http" or scope["method"] != "GET" or store is None \
                or _under(scope["path"], NOT_CONDITIONAL) or _volatile(scope):
            return await self.app(scope, receive, send)
        try:  # a local write counter is read here; a remote store's generation may ask its server
            gen = store.generation() if generation_is_local(store) else await run_in_threadpool(store.generation)
        except StoreError:
            return await self.app(scope, receive, send)  # the route will say the store is unavailable
        modified, day = gen.modified, ""
        if _under(scope["path"], DAILY):
            midnight = datetime.now(timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0)
            modified, day = max(modified, midnight), midnight.date().isoformat()
        req = Headers(scope=scope)
        variant = "\0".join([gen.tag, day, scope.get("root_path", ""), scope["path"],
                             scope.get("query_string", b"").decode("latin-1"), req.get("accept", ""),
                             req.get("accept-language", ""), req.get("host", ""), scope.get("scheme", ""),
                             req.get("x-forwarded-host", ""), req.get("x-forwarded-proto", "")])
        etag = 'W/"' + hashlib.sha1(variant.encode("utf-8", "surrogatepass")).hexdigest()[:24] + '"'
        validators = {"ETag": etag, "Last-Modified": http_date(modified), "Cache-Control": self.cache_control}
        inm, ims = req.get("if-none-match"), req.get("if-modified-since")
        if inm is not None:
            fresh = _etag_matches(inm, etag)
        elif ims is not None:
            try:
                fresh = modified.replace(microsecond=0) <= parsedate_to_datetime(ims)
            except (TypeError, ValueError):
                fresh = False
        else:
            fresh = False
        if fresh and etag in self._vary:
            headers = [(k.lower().encode(), v.encode()) for k, v in validators.items()]
            if self._vary[etag]:
                headers.append((b"vary", self._vary[etag].encode()))
            await send({"type": "http.response.start", "status": 304, "headers": headers})
            await send({"type": "http.response.body", "body": b""})
            return

        state = {"not_modified": False}

        async def with_validators(message):
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if message["status"] == 200 and "etag" not in headers:
                    for k, v in validators.items():
                        if k != "Cache-Control" or "cache-control" not in headers:
                            headers[k] = v
                    self._remember(etag, headers.get("vary", ""))
                    if fresh:  # the route had to run (its Vary was forgotten): send the 304 now
                        state["not_modified"] = True
                        message["status"] = 304
                        for h in ("content-length", "content-type", "content-disposition"):
                            if h in headers:
                                del headers[h]
            elif message["type"] == "http.response.body" and state["not_modified"]:
                if message.get("more_body", False):
                    return
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        await self.app(scope, receive, with_validators)


# --- setup ------------------------------------------------------------------------------

def add_inner(app, settings) -> None:
    """Validators innermost (they see routes' own answers), gzip around them (304s stay empty)."""
    app.add_middleware(ConditionalGet, max_age=settings.cache_max_age)
    if settings.gzip_min_size >= 0:
        app.add_middleware(GZipMiddleware, minimum_size=settings.gzip_min_size, compresslevel=6)


def add_outer(app, settings) -> None:
    """Allow, then CORS outermost, so preflights never reach the routes."""
    app.add_middleware(AllowHeader)
    app.add_middleware(CorsByRoute, read_origins=origins(settings.cors_origins),
                       write_origins=origins(settings.cors_write_origins))


# --- one triple count -----------------------------------------------------------------

_counts: dict[int, tuple[str, int]] = {}  # id(store) -> (generation tag, distinct triples)

DISTINCT_TRIPLES = "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }"


async def triple_count(store, timeout: float) -> int:
    """Distinct triples of the union default graph: what `SELECT * { ?s ?p ?o }` means by the
    RDF merge, and the count /dataset, the service description and the home page give. A triple
    held by two graphs counts once (Store.count() counts it once per graph: quads). Reused until
    the next write."""
    from service.querying import run_query

    gen = await run_in_threadpool(store.generation)
    hit = _counts.get(id(store))
    if hit and hit[0] == gen.tag:
        return hit[1]
    r = await run_query(store, DISTINCT_TRIPLES, timeout=timeout, check=False)
    n = int(r.rows[0]["n"]) if r.rows and "n" in r.rows[0] else 0
    _counts[id(store)] = (gen.tag, n)
    return n
