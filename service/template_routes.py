"""The status-reporting template over HTTP, and who may submit one.

GET /template?org=ILO&report=JIU/REP/2024/4&format=csv|csvw|xlsx&lang=zh
    The template of an organisation for a report (jiukg.template): `csv` with a Link header to its
    CSVW metadata (rel="describedby", as CSVW §5.2 locates metadata), `csvw` the metadata itself
    (application/csvm+json), `xlsx` the workbook. Each comes with the file name the loader expects
    (the metadata's `url` is the CSV's file name), so a focal point saving both gets a pair.

A filled-in copy goes back through POST /data (upload_routes), with `?org=` for a CSV without its
metadata and `?lang=` for the language of the errors. `submission_org` is the one place that
decides which organisation a submission may write: the organisation asked for, checked against
the organisation the write token is scoped to when the service has scoped tokens (issue 13: an
authentication layer that sets `request.state.token_org` to the token's organisation acronym;
until then every write token may submit for any organisation).
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import PlainTextResponse, Response
from starlette.concurrency import run_in_threadpool

from jiukg import template as tpl
from loaders import status_template
from service.deps import get_store

router = APIRouter(tags=["status template"])


def submission_org(request: Request) -> tuple[str | None, PlainTextResponse | None]:
    """(organisation the submission is for, or None if the file must say; refusal or None).

    With a scoped write token (request.state.token_org), a submission is for that organisation:
    asking for another is refused here, and a file naming another is refused by the loader."""
    asked = request.query_params.get("org") or None
    scoped = getattr(request.state, "token_org", None)
    if scoped is None:
        return asked, None
    if asked is not None and status_template.organisation(asked) != status_template.organisation(scoped):
        return None, PlainTextResponse(f"403: this write token submits for {scoped}, not {asked}\n", status_code=403)
    return scoped, None


@router.get("/template", summary="The status-reporting template of an organisation for a JIU report")
async def get_template(request: Request, store=Depends(get_store),
                       org: str = Query(..., description="organisation acronym, e.g. ILO"),
                       report: str = Query(..., description="JIU report or note symbol, e.g. JIU/REP/2024/4"),
                       format: str = Query("csv", pattern="^(csv|csvw|xlsx)$"),  # noqa: A002  (the API's word)
                       lang: str = Query("en", pattern="^(zh|en|fr|es|ru|ar)$")):
    try:
        t = await run_in_threadpool(tpl.build, store, org, report, lang)
    except tpl.TemplateRequestError as e:
        return PlainTextResponse(f"404: {e}\n", status_code=404)
    name = t.file_stem()
    if format == "xlsx":
        body = await run_in_threadpool(tpl.to_xlsx, t)
        return Response(body, media_type=status_template.XLSX_TYPE,
                        headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'})
    if format == "csvw":
        md = tpl.csvw_metadata(t)
        return Response(json.dumps(md, ensure_ascii=False, indent=2).encode("utf-8"), media_type=tpl.CSVW_TYPE,
                        headers={"Content-Disposition": f'attachment; filename="{name}.csv-metadata.json"'})
    link = "template?" + urlencode({"org": org, "report": report, "format": "csvw", "lang": lang})
    return Response(tpl.to_csv(t).encode("utf-8"), media_type="text/csv; charset=utf-8; header=present",
                    headers={"Content-Disposition": f'attachment; filename="{name}.csv"',
                             "Link": f'<{link}>; rel="describedby"; type="{tpl.CSVW_TYPE}"'})
