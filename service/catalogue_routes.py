"""The query catalogue over HTTP: GET /queries (the list) and GET /queries/{name} (run one).

Parameters come from the URL query string and are bound by jiukg.catalogue as
RDF terms, never pasted into SPARQL. Results as SPARQL JSON, CSV or an HTML
table, by `Accept` or `?format=json|csv|html`.
"""

from __future__ import annotations

import html
import json
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from rdflib import BNode, URIRef

from jiukg import catalogue
from service.conneg import negotiate
from service.deps import get_store, public_base
from service.linkeddata import local_href
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


_STYLE = """table.results{border-collapse:collapse} table.results td,table.results th{border:1px solid #ccc;
padding:.2em .5em;vertical-align:top;text-align:left} form.params label{margin-right:1em}"""


def _page(request: Request, title: str, body: str, status: int = 200):
    from service.linkeddata import render

    return render(request, "fragment.html", {"title": title, "body": body, "style": _STYLE}, status)


def _form(q: catalogue.Query, values: dict[str, str]) -> str:
    fields = []
    for p in q.params:
        value = values.get(p.name, q.example.get(p.name, "" if p.default in ("", catalogue.REQUIRED) else p.default))
        req = " required" if p.required else ""
        fields.append(f'<label>{html.escape(p.name)} <input name="{html.escape(p.name)}" '
                      f'value="{html.escape(value)}" title="{html.escape(p.type + ": " + p.description)}"{req}>'
                      f"</label>")
    fields.append('<input type="hidden" name="format" value="html"><button type="submit">Run</button>')
    return f'<form class="params" method="get" action="/queries/{html.escape(q.name)}">{"".join(fields)}</form>'


@router.get("/queries", summary="List the catalogue of named queries")
async def list_queries(request: Request):
    media = _format(request, ["application/json", "text/html"], {"json": "application/json", "html": "text/html"})
    queries = catalogue.load_catalogue()
    if media == "application/json":
        base = public_base(request.scope)
        items = [dict(q.as_dict(), url=f"{base}/queries/{q.name}") for q in queries]
        return Response(json.dumps(items, ensure_ascii=False, indent=1), media_type="application/json")
    items = []
    for q in queries:
        params = ", ".join(html.escape(f"{p.name} ({p.type}{', required' if p.required else ''})") for p in q.params)
        example = urlencode(dict(q.example, format="html"))
        items.append(f'<li><a href="/queries/{html.escape(q.name)}?{html.escape(example)}">'
                     f"<strong>{html.escape(q.name)}</strong></a>: {html.escape(q.title)}"
                     f"<br><small>{html.escape(q.description)}</small>"
                     + (f"<br><small>parameters: {params}</small>" if params else "") + "</li>")
    body = (f"<h1>Query catalogue</h1><p>{len(queries)} named queries; each runs with its parameters "
            "bound as RDF terms. Also as JSON: <a href=\"/queries?format=json\">/queries?format=json</a>.</p>"
            f"<ul class=\"catalogue\">{''.join(items)}</ul>")
    return _page(request, "Query catalogue", body)


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
        return _page(request, q.title, _result_html(request, q, values, result, text))
    return Response(json.dumps(catalogue.to_json(result), ensure_ascii=False).encode("utf-8"),
                    media_type="application/sparql-results+json")


def _cell_html(request: Request, term) -> str:
    if term is None:
        return ""
    if isinstance(term, URIRef):
        href = local_href(request, term)  # None for javascript:, data: ...: shown as text
        text = html.escape(str(term))
        return f'<a href="{html.escape(href)}">{text}</a>' if href else f'<span class="nolink">{text}</span>'
    if isinstance(term, BNode):
        return html.escape(f"_:{term}")
    lang = f' lang="{html.escape(term.language)}"' if getattr(term, "language", None) else ""
    return f"<span{lang}>{html.escape(str(term))}</span>"


def _result_html(request: Request, q: catalogue.Query, values: dict[str, str], result, text: str) -> str:
    head = "".join(f"<th>{html.escape(v)}</th>" for v in result.variables)
    rows = "".join("<tr>" + "".join(f"<td>{_cell_html(request, row.get(v))}</td>" for v in result.variables)
                   + "</tr>" for row in result.rows)
    other = urlencode(values)
    sep = "&" if other else ""
    links = (f'<a href="/queries/{html.escape(q.name)}?{html.escape(other + sep)}format=csv">CSV</a> · '
             f'<a href="/queries/{html.escape(q.name)}?{html.escape(other + sep)}format=json">JSON</a>')
    return (f"<h1>{html.escape(q.title)}</h1><p>{html.escape(q.description)}</p>{_form(q, values)}"
            f"<p>{len(result.rows)} row{'s' if len(result.rows) != 1 else ''} · {links}</p>"
            f'<table class="results"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>'
            f"<details><summary>SPARQL</summary><pre>{html.escape(text)}</pre></details>")
