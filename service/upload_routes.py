"""Writes over HTTP: add or replace documents through the same gated pipeline as `jiukg load`.

POST /data  body: a source document (text/plain: a loader recognises its kind)
            or RDF in any syntax named by Content-Type. The data is validated
            with what it refers to; on any violation nothing is written and the
            report comes back (422). A write that would remove records the store
            holds is refused (409, with the list) unless `?replace=true`.
DELETE /data?document=A/80/263/Add.1 (or ?graph=<IRI>, repeatable): remove whole
            documents, validated like any write.
Writes need `Authorization: Bearer <token>` (service/auth.py); a token may write
its organisation's graphs only (403 otherwise, nothing written), and each write
is recorded in the catalogue graph.
"""

from __future__ import annotations

import tempfile
from functools import partial
from pathlib import Path

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, PlainTextResponse

from jiukg import pipeline
from loaders import UnrecognisedDocument, status_template
from service.auth import writer
from service.bodywork import parse_body, run_body_work
from service.deps import get_store
from service.validation_routes import RDF_TYPES, SUFFIX

router = APIRouter(tags=["writes"])
SOURCE_TYPES = {"text/plain", "text/markdown"}
# filled-in status templates (loaders.status_template recognises them by content, not by type)
TEMPLATE_TYPES = {"text/csv": ".csv", status_template.XLSX_TYPE: ".xlsx"}


@router.post("/data", summary="Add or replace documents (source text or RDF); validated first, all or nothing")
async def upload(request: Request, store=Depends(get_store),
                 replace: bool = Query(False, description="replace documents even where that removes records "
                                                          "the store holds (without it: 409 and the list)")):
    token = writer(request)
    ctype = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
    if ctype in SOURCE_TYPES:
        suffix = ".txt"
    elif ctype in TEMPLATE_TYPES:
        suffix = TEMPLATE_TYPES[ctype]
    elif ctype in RDF_TYPES:
        suffix = SUFFIX[RDF_TYPES[ctype]]
    else:
        return PlainTextResponse(f"415: send a source text (text/plain), a status template (text/csv, XLSX) or RDF "
                                 f"({', '.join(sorted(RDF_TYPES))})\n",
                                 status_code=415)
    from service.template_routes import submission_org

    org, refused = submission_org(request)
    if refused is not None:
        return refused
    lang = request.query_params.get("lang") or None
    body = await request.body()  # at most Settings.max_body_bytes: FastAPI answers 413 beyond
    name = Path(request.query_params.get("name") or "upload").name
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / (Path(name).stem + suffix)
        path.write_bytes(body)
        try:
            activity = pipeline.Activity("upload", token)
            parse = partial(parse_body, timeout=request.app.state.settings.body_timeout)
            summary = await run_body_work(pipeline.load, store, [path], parse=parse, replace=replace,
                                          activity=activity, org=org, lang=lang)
        except pipeline.RefusedRDF as e:  # a fetch, a DTD, an N3 formula: the request itself is refused
            return PlainTextResponse(f"400: {e}; nothing was written\n", status_code=400)
        except status_template.TemplateRefused as e:
            return JSONResponse({"written": False, "message": str(e), "errors": e.errors}, status_code=422)
        except UnrecognisedDocument as e:
            return PlainTextResponse(f"422: {e}; nothing was written\n", status_code=422)
        except pipeline.OutOfScope as e:
            return PlainTextResponse(f"403: {e}\n", status_code=403)
        except pipeline.WouldRemove as e:
            return JSONResponse({"written": False, "message": str(e), "would_remove": e.to_json()}, status_code=409)
        except pipeline.WriteRefused as e:
            return JSONResponse({"written": False, "message": str(e),
                                 "report": e.report.to_json() if e.report is not None else None}, status_code=422)
        # a StoreError goes to create_app's handler: 503 with Retry-After when the store cannot be reached
    return JSONResponse({
        "written": True,
        "documents": summary.documents,
        "records": dict(summary.records),
        "triples": summary.triples,
        "warnings": [str(w) for w in summary.warnings],
        "validation": summary.validation.to_json() if summary.validation is not None else None,
        **activity.to_json(),
    })


@router.delete("/data", summary="Delete whole documents (?document=symbol or ?graph=IRI, repeatable); validated first")
async def delete(request: Request, store=Depends(get_store),
                 document: list[str] = Query([], description="document symbol, e.g. A/80/263/Add.1"),
                 graph: list[str] = Query([], description="named graph IRI")):
    token = writer(request)
    names = document + graph
    if not names:
        return PlainTextResponse("400: name what to delete: ?document=<symbol> or ?graph=<IRI>\n", status_code=400)
    try:
        activity = pipeline.Activity("delete", token)
        report = await run_body_work(pipeline.delete, store, names, activity=activity)
    except pipeline.OutOfScope as e:
        return PlainTextResponse(f"403: {e}\n", status_code=403)
    except pipeline.WriteRefused as e:
        status = 404 if isinstance(e, pipeline.NoSuchGraph) else 422
        return JSONResponse({"written": False, "message": str(e),
                             "report": e.report.to_json() if e.report is not None else None}, status_code=status)
    return JSONResponse({"written": True, "deleted": [str(pipeline.document_graph(n)) for n in names],
                         "validation": report.to_json() if report is not None else None})
