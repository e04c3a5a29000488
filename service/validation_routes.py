"""SHACL validation over HTTP: check data before loading it, or the whole store.

POST /validate  body: RDF in any syntax named by Content-Type (Turtle, N-Triples,
                JSON-LD, TriG, N-Quads, RDF/XML); validated as the write gate would,
                with what the store already says about the resources it mentions.
                Nothing is written.
                Or multipart/form-data (the page's upload form): `data` an RDF file (its
                syntax by file name or part type; none: the store is validated), `shapes`
                a steward's shapes file (Turtle or N-Triples; repeatable), added to the
                project's shapes, or instead of them with `only_shapes` set.
GET  /validate  the current store.

The shapes run in a validation process (service/bodywork.py validate), stopped after
Settings.validation_timeout with a 503 that says so: a steward's shapes are hostile input
(a catastrophic sh:pattern, a SPARQL constraint that never ends) and nothing in-process
could interrupt them.

The report comes as JSON (documented in jiukg.validation), Turtle or JSON-LD (the
standard sh:ValidationReport, whose sh:conforms is true only without any result)
or an HTML page for stewards, by Accept. `X-Conforms` and the JSON "conforms" give
jiukg's verdict instead: no violation, what the write gate accepts. `?severity=`
keeps only some severities, `?lang=zh` gives Chinese messages.
"""

from __future__ import annotations

import html
from functools import partial
from pathlib import Path

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from rdflib import URIRef

from jiukg import validation
from jiukg.namespaces import BASE
from service.bodywork import ValidationStopped, parse_body, validate
from service.deps import get_store

router = APIRouter(tags=["validation"])

# Content-Type of the body -> rdflib parser
RDF_TYPES = {
    "text/turtle": "turtle", "application/x-turtle": "turtle", "application/n-triples": "nt",
    "text/plain": "nt", "application/ld+json": "json-ld", "application/json": "json-ld",
    "application/trig": "trig", "application/n-quads": "nquads", "application/rdf+xml": "xml",
    "text/n3": "n3",
}
SUFFIX = {"turtle": ".ttl", "nt": ".nt", "json-ld": ".jsonld", "trig": ".trig", "nquads": ".nq", "xml": ".rdf",
          "n3": ".n3"}
OFFERS = ["application/json", "text/html", "text/turtle", "application/ld+json"]
# Body size: FastAPI's max_body_size answers 413 before a route reads past Settings.max_body_bytes.


def _lang(request: Request) -> str:
    q = request.query_params.get("lang")
    if q in validation.LANGS:
        return q
    al = (request.headers.get("accept-language") or "").lower()
    return "zh" if al.startswith("zh") else "en"


def _severities(request: Request) -> set[str]:
    asked = {s.strip().capitalize() for v in request.query_params.getlist("severity") for s in v.split(",") if s.strip()}
    return (asked & set(validation.SEVERITIES)) or set(validation.SEVERITIES)


def _timeout(request: Request) -> float:
    return request.app.state.settings.validation_timeout


def _stopped(e: ValidationStopped) -> Response:
    """503: the shapes ran past the time limit (or no validation worker came free) and were stopped."""
    return PlainTextResponse(f"503: {e}\n", status_code=503)


def _respond(request: Request, report: validation.ValidationReport, title: str) -> Response:
    from service.conneg import negotiate

    keep = _severities(request)
    if keep != set(validation.SEVERITIES):
        report = validation.ValidationReport(results=[r for r in report.results if r.standard_severity in keep],
                                             labels=report.labels, triples=report.triples, seconds=report.seconds,
                                             shapes=report.shapes, engine=report.engine)
    media = negotiate(request.headers.get("accept"), OFFERS)
    headers = {"Vary": "Accept, Accept-Language", "X-Conforms": "true" if report.conforms else "false"}
    if media == "text/html":
        from service.linkeddata import render

        response = render(request, "fragment.html", render_html(request, report, title, keep))
        response.headers.update(headers)
        return response
    if media == "text/turtle":
        return Response(report.graph().serialize(format="turtle"), media_type="text/turtle; charset=utf-8",
                        headers=headers)
    if media == "application/ld+json":
        return Response(report.graph().serialize(format="json-ld"), media_type="application/ld+json",
                        headers=headers)
    if media is None:
        return PlainTextResponse("406: the report is available as " + ", ".join(OFFERS) + "\n", status_code=406)
    return JSONResponse(report.to_json(), headers=headers)


@router.get("/validate", summary="Validate the whole store against the SHACL shapes")
async def validate_store(request: Request, store=Depends(get_store)) -> Response:
    # the store is read in the body-work slot, the shapes run in a validation process stopped at the limit
    try:
        report = await validate("store", store, timeout=_timeout(request))
    except ValidationStopped as e:
        return _stopped(e)
    return _respond(request, report, "store")


@router.post("/validate", summary="Validate RDF (body, any syntax by Content-Type) as the write gate would; nothing is written")
async def validate_body(request: Request, store=Depends(get_store)) -> Response:
    from starlette.concurrency import run_in_threadpool

    from jiukg.pipeline import prepare_rdf
    from loaders import UnrecognisedDocument

    ctype = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
    if ctype == "multipart/form-data":
        return await _validate_form(request, store)
    fmt = RDF_TYPES.get(ctype)
    if fmt is None:
        return PlainTextResponse(f"415: send RDF with one of the content types {', '.join(sorted(RDF_TYPES))}\n",
                                 status_code=415)
    body = await request.body()
    if not body.strip():
        return PlainTextResponse("400: the body is empty\n", status_code=400)

    # Parsing runs in the parser process (stopped at body_timeout), waited for on a thread; gathering
    # the store's context takes the one body-work slot; the shapes run in a validation process,
    # stopped at validation_timeout. A refused body never waits behind a big one.
    parse = partial(parse_body, timeout=request.app.state.settings.body_timeout)
    try:
        prepared = await run_in_threadpool(prepare_rdf, Path("upload" + SUFFIX[fmt]), body, fmt, parse=parse)
    except UnrecognisedDocument as e:
        return PlainTextResponse(f"400: {e}\n", status_code=400)
    try:
        report = await validate("write", store, prepared.graphs, timeout=_timeout(request))
    except ValidationStopped as e:
        return _stopped(e)
    return _respond(request, report, "upload")


FILE_SUFFIX = {suffix: fmt for fmt, suffix in SUFFIX.items()} | {".jsonld": "json-ld", ".json": "json-ld",
                                                                ".owl": "xml", ".xml": "xml", ".ntriples": "nt"}


class _TooLarge(Exception):
    pass


async def _read_part(part, what: str, limit: int) -> bytes:
    data = await part.read(limit + 1)
    if len(data) > limit:
        raise _TooLarge(f"413: {what} is larger than {limit} bytes")
    return data


async def _validate_form(request: Request, store) -> Response:
    """The upload form: a data file (or none: the store) and a steward's shapes files."""
    from starlette.concurrency import run_in_threadpool
    from starlette.datastructures import UploadFile

    from jiukg.pipeline import prepare_rdf
    from loaders import UnrecognisedDocument

    settings = request.app.state.settings
    limit = settings.max_body_bytes
    parse = partial(parse_body, timeout=settings.body_timeout)
    try:
        form = await request.form(max_files=20, max_fields=20)
    except Exception as e:  # a malformed multipart body
        return PlainTextResponse(f"400: the form could not be read: {e}\n", status_code=400)
    try:
        shapes_parts = [p for p in form.getlist("shapes") if isinstance(p, UploadFile) and p.filename]
        only = str(form.get("only_shapes") or "").lower() in ("1", "on", "true", "yes")
        if only and not shapes_parts:
            return PlainTextResponse("400: only_shapes needs at least one shapes file\n", status_code=400)
        shapes = None
        if shapes_parts:
            files = [(p.filename, await _read_part(p, p.filename, limit)) for p in shapes_parts]
            shapes = await run_in_threadpool(validation.load_shapes, files, project=not only)
            await run_in_threadpool(validation.handover_reasons, shapes)
        data = form.get("data")
        if isinstance(data, UploadFile) and data.filename:
            body = await _read_part(data, data.filename, limit)
            fmt = FILE_SUFFIX.get(Path(data.filename).suffix.lower()) or \
                RDF_TYPES.get((data.content_type or "").split(";")[0].strip().lower())
            if fmt is None:
                return PlainTextResponse(f"415: {data.filename}: name the file .ttl, .nt, .jsonld, .trig, .nq or "
                                         ".rdf (or send its media type)\n", status_code=415)
            if not body.strip():
                return PlainTextResponse(f"400: {data.filename} is empty\n", status_code=400)
            try:
                prepared = await run_in_threadpool(prepare_rdf, Path("upload" + SUFFIX[fmt]), body, fmt, parse=parse)
            except UnrecognisedDocument as e:
                return PlainTextResponse(f"400: {e}\n", status_code=400)
            report = await validate("write", store, prepared.graphs, timeout=_timeout(request), shapes=shapes)
            return _respond(request, report, "upload")
        report = await validate("store", store, timeout=_timeout(request), shapes=shapes)
        return _respond(request, report, "store")
    except ValidationStopped as e:
        return _stopped(e)
    except _TooLarge as e:
        return PlainTextResponse(f"{e}\n", status_code=413)
    except validation.ShapesError as e:  # unreadable shapes, or shapes SHACL says to refuse
        return PlainTextResponse(f"400: shapes: {e}\n", status_code=400)


# --------------------------------------------------------------------------
# the steward's page

TEXT = {
    "en": {"title": "Validation report", "of": {"store": "the store", "upload": "the uploaded data"},
           "focus": "Focus node", "path": "Path", "value": "Value", "message": "Message", "severity": "Severity",
           "shape": "Shape", "show": "Show", "none": "Nothing to report: the data conforms to every shape.",
           "filter": "Apply", "upload": "Validate your own data or shapes", "data": "Data file (none: the store)",
           "shapes": "Shapes files (Turtle), added to the project's", "only": "only these shapes",
           "send": "Validate", "engine": "Engine", "against": "Shapes"},
    "zh": {"title": "验证报告", "of": {"store": "存储", "upload": "上传的数据"},
           "focus": "焦点节点", "path": "路径", "value": "值", "message": "说明", "severity": "严重程度",
           "shape": "形状", "show": "显示", "none": "没有问题：数据符合所有形状。", "filter": "应用",
           "upload": "验证您自己的数据或形状", "data": "数据文件（不选：验证存储）",
           "shapes": "形状文件（Turtle），与本项目的形状一起使用", "only": "只用这些形状", "send": "验证",
           "engine": "引擎", "against": "形状"},
}


def page_link(request: Request, iri) -> str | None:
    """Where the service shows an IRI: the same path below its own base."""
    from service.linkeddata import local_href

    if isinstance(iri, URIRef) and str(iri).startswith(BASE):
        return local_href(request, iri)
    return None


def render_html(request: Request, report: validation.ValidationReport, what: str, keep: set[str]) -> dict:
    """The steward's page as template context: title, body, style and script."""
    lang = _lang(request)
    t = TEXT[lang]
    sev = validation.SEVERITY_LABELS[lang]
    e = html.escape
    groups = report.by_focus()
    rows = []
    for focus, rs in groups:
        link = page_link(request, focus)
        name = e(validation.short(focus))
        label = report.label(focus, lang)
        head = f'<a href="{e(link)}">{name}</a>' if link else name
        if label and label != validation.short(focus):
            head += f' <span class="label">{e(label)}</span>'
        worst = rs[0].standard_severity
        rows.append(f'<section class="focus sev-{worst}" '
                    f'data-severities="{" ".join(sorted({r.standard_severity for r in rs}))}">'
                    f"<h2>{head}</h2><table><thead><tr><th>{t['severity']}</th><th>{t['path']}</th>"
                    f"<th>{t['value']}</th><th>{t['message']}</th><th>{t['shape']}</th></tr></thead><tbody>")
        for r in rs:
            vlink = page_link(request, r.value) if r.value is not None else None
            value = e(validation.show_value(r.value, 80))
            if vlink:
                value = f'<a href="{e(vlink)}">{value}</a>'
            if r.value is None and r.values:  # two texts in one language: both, in full
                value = "<br>".join(f'<span class="conflict">{e(validation.show_value(v, 10_000))}</span>'
                                    for v in r.values)
            path = e(validation.short(r.path)) if isinstance(r.path, URIRef) else ""
            shape = report.shape_name(r.source_shape if r.source_shape is not None else r.shape)
            std = r.standard_severity
            rows.append(f'<tr class="result sev-{std}" data-severity="{std}">'
                        f'<td><span class="badge {std}">{e(sev.get(r.severity) or validation.short(r.severity))}'
                        f"</span></td><td><code>{path}</code></td><td>{value}</td><td>{e(r.message(lang))}</td>"
                        f'<td class="shape"><code>{e(shape)}</code></td></tr>')
        rows.append("</tbody></table></section>")
    boxes = "".join(
        f'<label><input type="checkbox" name="severity" value="{s}"{" checked" if s in keep else ""}> '
        f'<span class="badge {s}">{e(sev[s])}</span> ({report.count(s)})</label> '
        for s in validation.SEVERITIES)
    base = str(request.url.path)
    body = "\n".join(rows) if rows else f"<p>{e(t['none'])}</p>"
    style = """
h1 { font-size: 1.4rem; } section.focus h2 { font-size: 1rem; margin: 0 0 .4rem; word-break: break-all; }
.summary { padding: .6rem .8rem; border-radius: 4px; background: #eef6ee; }
.summary.fails { background: #fbeaea; }
section.focus { border-left: 4px solid #ccc; padding: .5rem .8rem; margin: 1rem 0; background: #fafafa; }
section.sev-Violation { border-color: #b3261e; } section.sev-Warning { border-color: #c77700; } section.sev-Info { border-color: #1f6feb; }
section.focus table { border-collapse: collapse; width: 100%; font-size: .9rem; }
section.focus th, section.focus td { text-align: left; vertical-align: top; padding: .25rem .5rem; border-bottom: 1px solid #e5e5e5; }
section.focus td:nth-child(3) { max-width: 22rem; overflow-wrap: anywhere; }
.badge { display: inline-block; padding: 0 .4rem; border-radius: 3px; color: #fff; font-size: .8rem; }
.badge.Violation { background: #b3261e; } .badge.Warning { background: #c77700; } .badge.Info { background: #1f6feb; }
.label { color: #555; font-weight: normal; } form.filter label { margin-right: 1rem; }
form.upload { margin-top: 2rem; padding: .6rem .8rem; border: 1px solid #ddd; border-radius: 4px; }
form.upload h2 { font-size: 1.05rem; margin: 0 0 .4rem; } .engine { color: #555; font-size: .85rem; }"""
    script = """
// Filter by severity without a round trip; the form works without scripts too.
document.querySelectorAll('form.filter input[type=checkbox]').forEach(function (box) {
  box.addEventListener('change', function () {
    var on = Array.from(document.querySelectorAll('form.filter input:checked')).map(function (b) { return b.value; });
    document.querySelectorAll('tr.result').forEach(function (tr) { tr.hidden = on.indexOf(tr.dataset.severity) < 0; });
    document.querySelectorAll('section.focus').forEach(function (s) {
      s.hidden = !Array.from(s.querySelectorAll('tr.result')).some(function (tr) { return !tr.hidden; });
    });
  });
});"""
    main = f"""<h1>{e(t['title'])}: {e(t['of'][what])}</h1>
<p class="summary{'' if report.conforms else ' fails'}" id="summary">{e(report.summary(lang))}</p>
<form class="filter" method="get" action="{e(base)}"><input type="hidden" name="lang" value="{lang}">
{t['show']}: {boxes}<noscript><button type="submit">{t['filter']}</button></noscript></form>
<div id="results">
{body}
</div>
<p class="engine">{e(t['against'])}: {e(report._shapes().name)} · {e(t['engine'])}: {e(report.engine)}</p>
<form class="upload" method="post" action="{e(base)}?lang={lang}" enctype="multipart/form-data">
<h2>{e(t['upload'])}</h2>
<p><label>{e(t['data'])}: <input type="file" name="data"></label></p>
<p><label>{e(t['shapes'])}: <input type="file" name="shapes" multiple accept=".ttl,.nt,text/turtle"></label>
<label><input type="checkbox" name="only_shapes" value="1"> {e(t['only'])}</label></p>
<p><button type="submit">{e(t['send'])}</button></p>
</form>"""
    return {"title": f"{t['title']}: {t['of'][what]}", "body": main, "style": style, "script": script}
