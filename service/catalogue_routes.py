"""The query catalogue over HTTP: GET /queries (the list) and GET /queries/{name} (run one).

Parameters come from the URL query string and are bound by jiukg.catalogue as
RDF terms, never pasted into SPARQL. Results as SPARQL JSON, CSV or an HTML
table, by `Accept` or `?format=json|csv|html`.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from jiukg import catalogue
from service.conneg import negotiate
from service.deps import get_store, public_base
from service import summaries
from service.i18n import query_description, query_title, request_lang
from service.linkeddata import render
from service.querying import ServiceError, run_query

router = APIRouter(tags=["Query catalogue"])

RESULT_TYPES = {"json": "application/sparql-results+json", "csv": "text/csv", "html": "text/html"}
_RESULT_OFFERS = ["application/sparql-results+json", "application/json", "text/csv", "text/html"]


def _format(request: Request, offers: list[str], by_name: dict[str, str]) -> str:
    """The media type asked for by ?format= (wins) or by Accept; 406 if none is acceptable."""
    fmt = request.query_params.get("format")
    if fmt:
        if fmt not in by_name:
            raise ServiceError(400, f"Unknown format {fmt!r}; use one of: {', '.join(by_name)}.")
        return by_name[fmt]
    media = negotiate(request.headers.get("accept"), offers)
    if media is None:
        raise ServiceError(406, "None of the requested media types is available; this resource offers: "
                                + ", ".join(offers) + ".")
    return "application/sparql-results+json" if media == "application/json" and "csv" in by_name else media


def _get(name: str) -> catalogue.Query:
    try:
        return catalogue.get_query(name)
    except catalogue.UnknownQuery as e:
        raise ServiceError(404, str(e)) from None


@router.get("/queries", summary="List the catalogue of named queries")
async def list_queries(request: Request):
    media = _format(request, ["application/json", "text/html"], {"json": "application/json", "html": "text/html"})
    queries = catalogue.load_catalogue()
    if media == "application/json":
        base = public_base(request.scope)
        items = [dict(q.as_dict(), url=f"{base}/queries/{q.name}") for q in queries]
        return Response(json.dumps(items, ensure_ascii=False, indent=1), media_type="application/json")
    lang = request_lang(request)
    items = [{"name": q.name, "title": query_title(q.name, q.title, lang),
              "description": query_description(q.name, q.description, lang),
              "href": f"/queries/{q.name}?" + urlencode(dict(q.example, format="html", lang=lang)),
              "params": q.params} for q in queries]
    return render(request, "queries.html", {"title": request.app.state.strings[lang]["queries"], "queries": items})


@router.get("/queries/{name}", summary="Run a named query with parameters from the query string")
async def run_named_query(name: str, request: Request, store=Depends(get_store)):
    q = _get(name)
    media = _format(request, _RESULT_OFFERS, RESULT_TYPES)
    values = {k: v for k, v in request.query_params.items() if k not in catalogue.RESERVED}
    try:
        bindings = catalogue.bind(q, values)
        text = catalogue.bound_text(q, bindings)
    except catalogue.CatalogueError as e:
        raise ServiceError(400, str(e)) from None
    timeout = getattr(getattr(request.app.state, "settings", None), "query_timeout", None) or 30.0
    # an organisation, body, mechanism or report the store does not know: 400 naming the known ones
    for param, ask, known in catalogue.value_checks(q, bindings):
        if not (await run_query(store, ask, timeout=timeout)).boolean:
            names = [str(r["name"]) for r in (await run_query(store, known, timeout=timeout)).rows]
            raise ServiceError(400, str(catalogue.unknown_value(q, param, values.get(param, ""), names)))
    result = await run_query(store, text, timeout=timeout)
    if media == "text/csv":
        return Response(catalogue.to_csv(result).encode("utf-8"), media_type="text/csv; charset=utf-8")
    if media == "text/html":
        return await _result_page(request, q, values, result, text)
    return Response(json.dumps(catalogue.to_json(result), ensure_ascii=False).encode("utf-8"),
                    media_type="application/sparql-results+json")


async def _result_page(request: Request, q: catalogue.Query, values: dict[str, str], result, text: str):
    """The result as a page: a readable table (and a chart for a distribution), CSV / JSON / share links."""
    lang = request_lang(request)
    if q.name == "ceb-deferrals":  # the flagship: rows link to their recommendation and source passage
        table = (await summaries.flagship(request, lang, values.get("org") or "WIPO", result))["table"]
    else:
        table = await summaries.result_table(request, list(result.variables), result.rows, lang)
    here = f"/queries/{q.name}?" + urlencode(values)
    sep = "&" if values else ""
    fields = [{"name": p.name, "required": p.required, "hint": f"{p.type}: {p.description}",
               # what the query ran with: the value given, else its default (never an example it did not use)
               "value": values.get(p.name, "" if p.default in ("", catalogue.REQUIRED, "today") else p.default)}
              for p in q.params]
    return render(request, "query.html", {
        "title": query_title(q.name, q.title, lang), "q": q, "fields": fields,
        "description": query_description(q.name, q.description, lang), "table": table, "sparql": text,
        "csv": here + sep + "format=csv", "json": here + sep + "format=json",
        "share": public_base(request.scope) + here + sep + f"format=html&lang={lang}"})
