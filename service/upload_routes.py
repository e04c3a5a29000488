"""Writes over HTTP: add or replace documents through the same gated pipeline as `jiukg load`.

POST /data  body: a source document (text/plain: a loader recognises its kind)
            or RDF in any syntax named by Content-Type. The data is validated
            with what it refers to; on any violation nothing is written and the
            report comes back (422). Writes need `Authorization: Bearer <token>`
            with the token set in JIUKG_WRITE_TOKEN; without one, writes are off.
"""

from __future__ import annotations

import hmac
import tempfile
from functools import partial
from pathlib import Path

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, PlainTextResponse

from jiukg import pipeline
from loaders import UnrecognisedDocument
from service.bodywork import parse_body, run_body_work
from service.deps import get_store
from service.validation_routes import RDF_TYPES, SUFFIX

router = APIRouter(tags=["writes"])
SOURCE_TYPES = {"text/plain", "text/markdown"}


def _authorised(request: Request) -> PlainTextResponse | None:
    token = getattr(request.app.state.settings, "write_token", None)
    if not token:
        return PlainTextResponse("403: writes are disabled on this service (set JIUKG_WRITE_TOKEN to enable them)\n",
                                 status_code=403)
    given = request.headers.get("authorization", "")
    if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        return PlainTextResponse("401: send Authorization: Bearer <the write token>\n", status_code=401,
                                 headers={"WWW-Authenticate": "Bearer"})
    return None


@router.post("/data", summary="Add or replace documents (source text or RDF); validated first, all or nothing")
async def upload(request: Request, store=Depends(get_store)):
    refused = _authorised(request)
    if refused is not None:
        return refused
    ctype = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
    if ctype in SOURCE_TYPES:
        suffix = ".txt"
    elif ctype in RDF_TYPES:
        suffix = SUFFIX[RDF_TYPES[ctype]]
    else:
        return PlainTextResponse(f"415: send a source text (text/plain) or RDF ({', '.join(sorted(RDF_TYPES))})\n",
                                 status_code=415)
    body = await request.body()  # at most Settings.max_body_bytes: FastAPI answers 413 beyond
    name = Path(request.query_params.get("name") or "upload").name
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / (Path(name).stem + suffix)
        path.write_bytes(body)
        try:
            parse = partial(parse_body, timeout=request.app.state.settings.body_timeout)
            summary = await run_body_work(pipeline.load, store, [path], parse=parse)
        except pipeline.RefusedRDF as e:  # a fetch, a DTD, an N3 formula: the request itself is refused
            return PlainTextResponse(f"400: {e}; nothing was written\n", status_code=400)
        except UnrecognisedDocument as e:
            return PlainTextResponse(f"422: {e}; nothing was written\n", status_code=422)
        except pipeline.WriteRefused as e:
            return JSONResponse({"written": False, "message": str(e), "report": e.report.to_json()}, status_code=422)
        # a StoreError goes to create_app's handler: 503 with Retry-After when the store cannot be reached
    return JSONResponse({
        "written": True,
        "documents": summary.documents,
        "records": dict(summary.records),
        "triples": summary.triples,
        "warnings": [str(w) for w in summary.warnings],
        "validation": summary.validation.to_json() if summary.validation is not None else None,
    })
