"""What publishers and crawlers look for: releases (/releases/), sitemap.xml, robots.txt and
/.well-known/void (the VoID description's well-known address, RFC 8615 and VoID section 7)."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote
from xml.sax.saxutils import escape

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, PlainTextResponse, Response
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF
from starlette.concurrency import run_in_threadpool

from jiukg import results as R
from jiukg.namespaces import BASE, DCAT
from jiukg.release import DESCRIPTION_FILES, VERSION, list_releases, read_description
from service.linkeddata import choose, render
from service.deps import public_base
from service.querying import ServiceError, run_query

router = APIRouter(tags=["Publishing"])

SITEMAP_LIMIT = 50_000  # URLs in one sitemap (sitemaps.org)
CATALOG_IRI = URIRef(BASE + "releases")


def releases_dir(request: Request) -> Path:
    from jiukg.paths import DEFAULT_RELEASES

    return Path(request.app.state.settings.releases or DEFAULT_RELEASES)


def _public(request: Request, path: str) -> str:
    return public_base(request.scope) + "/" + path.lstrip("/")


# --- releases --------------------------------------------------------------------------

@router.get("/releases", include_in_schema=False)
@router.get("/releases/", summary="The releases: a page, or a DCAT catalogue (Turtle, JSON-LD) by Accept")
async def releases_index(request: Request):
    media = choose(request, [R.HTML, R.TURTLE, R.JSONLD])
    folders = await run_in_threadpool(list_releases, releases_dir(request))
    found = [await run_in_threadpool(read_description, f) for f in folders]
    if media != R.HTML:
        g = Graph()
        g += [(CATALOG_IRI, RDF.type, DCAT.Catalog),
              (CATALOG_IRI, DCTERMS.title, Literal("Releases of the JIU knowledge graph", lang="en"))]
        for r in found:
            g += [(CATALOG_IRI, DCAT.dataset, URIRef(r["iri"])), (URIRef(r["iri"]), RDF.type, DCAT.Dataset),
                  (URIRef(r["iri"]), DCAT.version, Literal(r["version"])),
                  (URIRef(r["iri"]), DCAT.landingPage, URIRef(_public(request, f"releases/{r['version']}/")))]
        return Response(R.serialize_graph(g, media), media_type=R.content_type(media),
                        headers={"Vary": "Accept", "Cache-Control": "no-cache"})
    return render(request, "releases.html", {"title": "Releases", "releases": found, "release": None})


def _release_folder(request: Request, version: str) -> Path:
    folder = releases_dir(request) / version
    if not VERSION.fullmatch(version) or ".." in version or not (folder / "dcat.ttl").is_file():
        raise ServiceError(404, f"No release {version!r}; the releases are listed at /releases/.")
    return folder


@router.get("/releases/{version}", include_in_schema=False)
@router.get("/releases/{version}/", summary="One release: its files (page) or its DCAT description (Turtle, JSON-LD)")
async def release_page(request: Request, version: str):
    folder = _release_folder(request, version)
    media = choose(request, [R.HTML, R.TURTLE, R.JSONLD])
    if media != R.HTML:
        name = next(n for n, m in DESCRIPTION_FILES.items() if m == media)
        return _file(request, folder / name, media, {"Vary": "Accept"})
    return render(request, "releases.html", {"title": f"Release {version}", "releases": [],
                                             "release": await run_in_threadpool(read_description, folder)})


_FILE = re.compile(r"(?:graphs/)?[A-Za-z0-9][A-Za-z0-9._-]*")
_MEDIA = {".gz": "application/gzip", ".ttl": R.TURTLE, ".jsonld": R.JSONLD}


@router.get("/releases/{version}/{name:path}", summary="A file of a release (immutable)")
async def release_file(request: Request, version: str, name: str):
    folder = _release_folder(request, version)
    path = folder / name
    if not _FILE.fullmatch(name) or ".." in name or not path.is_file():
        raise ServiceError(404, f"Release {version} has no file {name!r}; its files are listed at "
                                f"/releases/{version}/.")
    return _file(request, path, _MEDIA.get(path.suffix, "application/octet-stream"))


def _file(request: Request, path: Path, media: str, headers: dict | None = None) -> Response:
    """A release file: immutable, so caches keep it for a year; its ETag answers If-None-Match."""
    ctype = R.content_type(media) if media != "application/gzip" else media
    resp = FileResponse(path, media_type=ctype, stat_result=path.stat(), headers={
        "Cache-Control": "public, max-age=31536000, immutable", **(headers or {})})
    if path.suffix == ".gz":
        resp.headers["Content-Disposition"] = f'attachment; filename="{path.name}"'
    inm = request.headers.get("if-none-match")
    etag = resp.headers.get("etag")
    if inm and etag and any(t.strip().removeprefix("W/") == etag.removeprefix("W/") for t in inm.split(",")):
        keep = {k: v for k, v in resp.headers.items() if k in ("etag", "last-modified", "cache-control", "vary")}
        return Response(status_code=304, headers=keep)
    return resp


# --- sitemap, robots, well-known --------------------------------------------------------

@router.get("/sitemap.xml", summary="Every resource's page, for crawlers (sitemaps.org)")
async def sitemap(request: Request):
    timeout = request.app.state.settings.query_timeout
    r = await run_query(request.app.state.store, f"""SELECT DISTINCT ?s WHERE {{ ?s ?p ?o
        FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{BASE}")) }} ORDER BY ?s LIMIT {SITEMAP_LIMIT + 1}""",
                        timeout=timeout, check=False)
    pages = ["", "dataset", "ontology", "queries", "releases/", "browse"]
    seen = set(pages)
    for row in r.rows:
        local = str(row["s"])[len(BASE):].split("#", 1)[0]
        if local not in seen:
            seen.add(local)
            pages.append(local)
    urls = [_public(request, quote(p, safe="/:@!$&'()*+,;=-._~%")) for p in pages[:SITEMAP_LIMIT]]
    body = ('<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
            + "".join(f"<url><loc>{escape(u)}</loc></url>\n" for u in urls) + "</urlset>\n")
    return Response(body.encode("utf-8"), media_type="application/xml")


@router.get("/robots.txt", summary="What crawlers may fetch: pages yes; queries, searches and dumps no")
async def robots(request: Request):
    disallow = ["/sparql", "/search", "/validate", "/dump", "/queries/", "/data", "/update", "/store"]
    body = "User-agent: *\n" + "".join(f"Disallow: {p}\n" for p in disallow) + "Allow: /\n" \
        + f"\nSitemap: {_public(request, 'sitemap.xml')}\n"
    return PlainTextResponse(body, headers={"Cache-Control": "public, max-age=86400"})


@router.get("/.well-known/void", summary="The VoID description of the dataset (as /dataset)")
async def well_known_void(request: Request):
    from service.linkeddata import dataset, dataset_triples, rdf_response

    if not request.query_params.get("format") and request.headers.get("accept", "*/*").strip() in ("", "*/*"):
        return rdf_response(await dataset_triples(request), R.TURTLE)  # a machine's address: RDF unless asked
    return await dataset(request)

