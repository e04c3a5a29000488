"""The FastAPI application and `run` (what `jiukg serve` calls).

The app keeps no state of its own apart from the store it is given, so any
number of replicas can serve the same store.
"""

from __future__ import annotations

import logging
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import PlainTextResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from jiukg import __version__
from jiukg.config import Settings
from service.conneg import negotiate
from service.i18n import STRINGS, request_lang
from service.querying import ServiceError

HERE = Path(__file__).resolve().parent
log = logging.getLogger("jiukg.service")

DESCRIPTION = """A knowledge graph of JIU recommendations, organisations' reported status and CEB comments.

* `/sparql`: SPARQL 1.1 Protocol endpoint (read-only, time-limited).
* `/id/...`, `/ontology`, `/vocab/...`: every IRI of the graph, as HTML or RDF by `Accept`.
* `/dataset`: VoID + DCAT description; `/dump`: the whole graph.
"""


def create_app(store, settings: Settings | None = None, *, query_timeout: float | None = None) -> FastAPI:
    """The app serving `store`; `query_timeout` overrides the settings (tests)."""
    settings = settings or Settings()
    if query_timeout is not None:
        settings = settings.model_copy(update={"query_timeout": query_timeout})
    app = FastAPI(title="jiukg", version=__version__, description=DESCRIPTION)
    app.state.store = store
    app.state.settings = settings
    app.state.strings = STRINGS
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    app.state.templates = templates

    @app.exception_handler(ServiceError)
    async def service_error(request: Request, exc: ServiceError):
        wants = negotiate(request.headers.get("accept"), ["text/plain", "text/html"])
        if wants == "text/html" and not request.url.path.startswith("/sparql"):
            lang = request_lang(request)
            return templates.TemplateResponse(
                request, "error.html", {"status": exc.status, "message": exc.message, "title": str(exc.status),
                                        "lang": lang, "t": STRINGS[lang]}, status_code=exc.status, headers=exc.headers)
        return PlainTextResponse(exc.message + "\n", status_code=exc.status, headers=exc.headers)

    from service import catalogue_routes, linkeddata, pages, sparql, upload_routes, validation_routes

    for module in (sparql, pages, linkeddata, catalogue_routes, validation_routes, upload_routes):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")

    @app.get("/healthz", include_in_schema=False)
    async def healthz():
        return Response("ok\n", media_type="text/plain")

    return app


def ensure_built(store) -> None:
    """On a fresh clone the store is empty: build the bundled corpus into it once."""
    if store.count() == 0:
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


def run(store: str | None = None, update_url: str | None = None, gsp_url: str | None = None,
        host: str | None = None, port: int | None = None) -> None:
    """Open the store, build it if empty, and serve with uvicorn until stopped."""
    import uvicorn

    from jiukg.config import settings as make_settings, store_options
    from jiukg.store import open_store

    s = make_settings(store=store, update_url=update_url, gsp_url=gsp_url, host=host, port=port)
    st = open_store(s.store, **store_options(s))
    try:
        ensure_built(st)
        app = create_app(st, s)
        uvicorn.run(app, host=s.host, port=s.port, log_level="info", proxy_headers=True)
    finally:
        st.close()
