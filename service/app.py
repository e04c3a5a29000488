"""The FastAPI application and `run` (what `jiukg serve` calls).

The app keeps no state of its own apart from the store it is given, so any
number of replicas can serve the same store.
"""

from __future__ import annotations

import logging
import secrets
import signal
from pathlib import Path
from urllib.parse import urlsplit

import jinja2
from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler, request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, PlainTextResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException

from jiukg import __version__
from jiukg.config import Settings
from jiukg.store import StoreError, StoreUnavailable
from service import answer_cache, fastpath
from service.conneg import negotiate
from service.deps import public_base
from service.i18n import STRINGS, request_lang
from service.querying import ServiceError, store_error

HERE = Path(__file__).resolve().parent
log = logging.getLogger("jiukg.service")

DESCRIPTION = """A knowledge graph of JIU recommendations, organisations' reported status and CEB comments.

* `/sparql`: SPARQL 1.1 Protocol endpoint (read-only, time-limited).
* `/id/...`, `/ontology`, `/vocab/...`: every IRI of the graph, as HTML or RDF by `Accept`.
* `/dataset`: VoID + DCAT description; `/dump`: the whole graph.
"""


class HeadAsGet:
    """HEAD is GET without the body (RFC 9110 9.3.2). FastAPI routes answer GET only, so every GET
    route (pages, linked data, /sparql, dumps, static files) gets HEAD here, with GET's status and headers."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def send_headers_only(message):
            if message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        await self.app(dict(scope, method="GET"), receive, send_headers_only)


class SecurityHeaders:
    """Every HTML page gets a Content-Security-Policy: scripts only from this service or inline with
    the request's nonce (request.state.csp_nonce), so neither a `javascript:` link from data nor
    injected markup can run; nothing is loaded from or sent to another site. Styles may be inline:
    YASGUI adds <style> elements as it runs (checked in Chromium: tests/test_service_no_script.py)."""

    POLICY = ("default-src 'self'; script-src 'self' 'nonce-{nonce}'; style-src 'self' 'unsafe-inline'; "
              "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; "
              "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        nonce = secrets.token_urlsafe(16)
        scope.setdefault("state", {})["csp_nonce"] = nonce

        async def send_with_policy(message):
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                ctype = next((v for k, v in headers if k.lower() == b"content-type"), b"")
                if ctype.startswith(b"text/html"):
                    headers.append((b"content-security-policy", self.POLICY.format(nonce=nonce).encode()))
                headers = [(k, self._location(scope, v)) if k.lower() == b"location" else (k, v) for k, v in headers]
                headers.append((b"x-content-type-options", b"nosniff"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_policy)

    @staticmethod
    def _location(scope, value: bytes) -> bytes:
        """A redirect Starlette built from the Host header (a trailing slash) points at the public base."""
        host = next((v for k, v in scope.get("headers", []) if k == b"host"), None)
        parts = urlsplit(value.decode("latin-1"))
        if not parts.netloc or host is None or parts.netloc.encode("latin-1") != host:
            return value
        return (public_base(scope) + parts.path[len(scope.get("root_path", "")):]
                + (f"?{parts.query}" if parts.query else "")).encode("latin-1")


@jinja2.pass_context
def site_path(context, name: str, **path_params) -> str:
    """The templates' url_for: a path below the app's root, never a URL built from the Host header."""
    request = context["request"]
    return request.scope.get("root_path", "") + str(request.app.url_path_for(name, **path_params))


def wants_html(request: Request) -> bool:
    """Whether an error goes out as a page: ?format=html wins over Accept; SPARQL clients get text."""
    if (request.query_params.get("format") or "").lower() == "html":
        return True
    if request.url.path.startswith("/sparql"):
        return False
    return negotiate(request.headers.get("accept"), ["text/plain", "text/html"]) == "text/html"


def error_response(request: Request, status: int, message: str, headers: dict | None = None) -> Response:
    headers = {"Vary": "Accept", **(headers or {})}
    if wants_html(request):
        lang = request_lang(request)
        return request.app.state.templates.TemplateResponse(
            request, "error.html", {"status": status, "message": message, "title": str(status), "lang": lang,
                                    "t": STRINGS[lang]}, status_code=status, headers=headers)
    return PlainTextResponse(message + "\n", status_code=status, headers=headers)


def create_app(store, settings: Settings | None = None, *, query_timeout: float | None = None) -> FastAPI:
    """The app serving `store`; `query_timeout` overrides the settings (tests)."""
    settings = settings or Settings()
    if query_timeout is not None:
        settings = settings.model_copy(update={"query_timeout": query_timeout})
    # Swagger UI is served from /static (no CDN: the docs work offline); ReDoc would need Google fonts.
    # max_body_size: every route's body is cut off at the limit (413); a larger Content-Length is refused unread
    app = FastAPI(title="jiukg", version=__version__, description=DESCRIPTION, docs_url=None, redoc_url=None,
                  max_body_size=settings.max_body_bytes)
    app.state.store = store
    app.state.settings = settings
    answer_cache.configure(store, settings.answer_cache_entries, settings.answer_cache_bytes)
    app.state.strings = STRINGS
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    templates.env.globals["url_for"] = site_path
    app.state.templates = templates

    @app.exception_handler(ServiceError)
    async def service_error(request: Request, exc: ServiceError):
        return error_response(request, exc.status, exc.message, exc.headers)

    @app.exception_handler(RequestValidationError)
    async def bad_parameters(request: Request, exc: RequestValidationError):
        """People get a page saying which parameter is wrong; API clients keep FastAPI's JSON."""
        if not wants_html(request):
            return await request_validation_exception_handler(request, exc)
        problems = "; ".join(f"{'.'.join(str(x) for x in e.get('loc', ())[1:]) or 'request'}: {e.get('msg', '')}"
                             for e in exc.errors())
        return error_response(request, 422, f"Invalid request: {problems}.")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        """Unknown paths and methods: a page for browsers, FastAPI's JSON for API clients."""
        if not wants_html(request):
            return await http_exception_handler(request, exc)
        message = f"Nothing at {request.url.path}." if exc.status_code == 404 else str(exc.detail)
        return error_response(request, exc.status_code, message, getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception):
        """A bug: the reader gets a page (or a line of text), the log the traceback."""
        log.exception("%s %s", request.method, request.url.path)
        return error_response(request, 500, "Internal error: the service could not answer this request.")

    @app.exception_handler(StoreError)
    async def store_failed(request: Request, exc: StoreError):
        """A store call outside run_query (counts, graph lists, dumps, validation): the same answers."""
        err = store_error(exc, settings.query_timeout)
        if isinstance(exc, StoreUnavailable):
            log.warning("%s %s: %s", request.method, request.url.path, exc)
        else:
            log.error("%s %s: %s: %s", request.method, request.url.path, type(exc).__name__, exc)
        return error_response(request, err.status, err.message, err.headers)

    from jiukg.auth import Tokens
    from service import (catalogue_routes, linkeddata, pages, protocols, publishing_routes, sparql, template_routes,
                         upload_routes, validation_routes, webconv)

    app.state.tokens = Tokens.from_settings(settings)  # a malformed token file stops the start, not a write
    for module in (sparql, pages, linkeddata, catalogue_routes, validation_routes, upload_routes, protocols,
                   publishing_routes, template_routes):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")

    @app.get("/docs", include_in_schema=False)
    async def docs(request: Request):
        root = request.scope.get("root_path", "")
        vendor = f"{root}/static/vendor/swagger-ui"
        page = get_swagger_ui_html(openapi_url=root + app.openapi_url, title="jiukg API",
                                   swagger_js_url=f"{vendor}/swagger-ui-bundle.js",
                                   swagger_css_url=f"{vendor}/swagger-ui.css",
                                   swagger_favicon_url=f"{vendor}/favicon-32x32.png",
                                   swagger_ui_parameters={"validatorUrl": None})  # no badge from swagger.io
        # its inline start-up script runs under the page's Content-Security-Policy nonce
        body = page.body.replace(b"<script>", f'<script nonce="{request.state.csp_nonce}">'.encode())
        return HTMLResponse(body)

    @app.get("/healthz", include_in_schema=False)
    async def healthz():
        return Response("ok\n", media_type="text/plain")

    webconv.add_inner(app, settings)  # validators and 304, gzip
    app.add_middleware(HeadAsGet)
    app.add_middleware(SecurityHeaders)
    webconv.add_outer(app, settings)  # Allow, CORS
    # outermost: fills the response cache the HTTP parser answers from (service/fastpath.py)
    fastpath.configure(app, store, settings.response_cache_entries, settings.response_cache_bytes)
    return app


def uvicorn_config(app, **options):
    """The uvicorn configuration `jiukg serve` runs `app` with: uvloop and httptools (uvicorn[standard]),
    and the protocol that answers from the response cache (service/fastpath.py)."""
    import importlib.util

    import uvicorn

    loop = "uvloop" if importlib.util.find_spec("uvloop") else "auto"  # uvloop is not built for Windows
    return uvicorn.Config(app, loop=loop, http=fastpath.protocol_for(app), **options)


def ensure_built(store) -> None:
    """On a fresh clone the store is empty: build the bundled corpus into it once."""
    try:
        empty = store.count() == 0
    except StoreUnavailable as e:
        # serve anyway: every route answers 503 naming the store until it is back
        log.error("cannot tell whether the store is empty (%s); serving without building", e)
        return
    if empty:
        from jiukg import pipeline
        from jiukg.paths import CORPUS_DIR

        log.warning("the store is empty: building the bundled corpus from %s", CORPUS_DIR)
        try:
            summary = pipeline.build(store, CORPUS_DIR)
        except pipeline.WriteRefused as e:
            # serve anyway: the validation page explains; nothing was written
            log.error("the bundled corpus was refused (%s); serving the empty store", e)
            return
        for line in summary.lines():
            log.warning(line)
        return
    from jiukg import status_order

    try:
        if status_order.ensure(store):
            log.warning("the store was written before jiukg kept each organisation's status order: derived it once")
    except StoreError as e:  # serve anyway; the queries that read the order say nothing of what they lack
        log.error("cannot derive the status order (%s)", e)


def run(store: str | None = None, update_url: str | None = None, gsp_url: str | None = None,
        host: str | None = None, port: int | None = None, **overrides) -> None:
    """Open the store, build it if empty, and serve with uvicorn until stopped."""
    import uvicorn

    from jiukg.config import settings as make_settings, store_options
    from jiukg.store import open_store

    s = make_settings(store=store, update_url=update_url, gsp_url=gsp_url, host=host, port=port, **overrides)
    # SIGTERM (and SIGINT) end the process through Python, so `finally` closes the store: query workers
    # stopped, snapshots removed. uvicorn handles the signal first (a graceful shutdown), then raises it
    # again, which lands here instead of killing the process where it stands.
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, _stop)
    st = open_store(s.store, **store_options(s))
    try:
        if getattr(st, "holder", None) is not None:  # other jiukg commands read through this service
            local = "127.0.0.1" if s.host in ("0.0.0.0", "::", "") else s.host
            st.holder.write(url=f"http://{'[' + local + ']' if ':' in local else local}:{s.port}")
        ensure_built(st)
        app = create_app(st, s)
        uvicorn.Server(uvicorn_config(app, host=s.host, port=s.port, log_level="info", proxy_headers=True)).run()
    finally:
        st.close()


def _stop(signum, frame):
    log.warning("stopping on %s", signal.Signals(signum).name)
    raise SystemExit(0)
