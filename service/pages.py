"""The web pages: the home page with the SPARQL editor, search by label, and a class browser."""

from __future__ import annotations

import logging
import re
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from jiukg.namespaces import SPARQL_PREFIXES
from service.describe import curie
from service import summaries
from service.i18n import pick, query_title, request_lang
from service.linkeddata import class_counts, class_labels, last_build, local_href, render
from service.querying import run_query, sparql_iri, sparql_string
from service.webconv import triple_count

router = APIRouter(tags=["Pages"])
log = logging.getLogger("jiukg.service")

_COMMENT = re.compile(r"^\s*#\s?(.*)$")


def examples() -> list[dict]:
    """The catalogue's example queries: jiukg.catalogue if present, else the queries/*.rq texts."""
    try:
        from jiukg import catalogue

        out = []
        for q in catalogue.load_catalogue():
            try:  # the editor shows the query with its example parameters bound
                text = catalogue.bound_text(q, catalogue.bind(q, dict(q.example or {})))
            except Exception:
                text = q.text
            out.append({"name": q.name, "title": q.title or q.name, "text": text,
                        "description": getattr(q, "description", "")})
        if out:
            return out
    except Exception:  # the catalogue is written by another part; fall back to the files
        pass
    from jiukg.paths import QUERIES_DIR

    out = []
    for f in sorted(QUERIES_DIR.glob("*.rq")) if QUERIES_DIR.is_dir() else []:
        text = f.read_text(encoding="utf-8")
        title = f.stem
        for line in text.splitlines():
            m = _COMMENT.match(line)
            if not m:
                break
            body = m.group(1).strip()
            if body.lower().startswith(("title:", "label:")):
                title = body.split(":", 1)[1].strip()
                break
            if body and title == f.stem and ":" not in body[:12]:
                title = body
        out.append({"name": f.stem, "title": title, "text": text})
    return out


#: The editor's own starters, before the catalogue: one that links to resource pages, one that charts.
EDITOR_EXAMPLES = [
    {"name": "recommendations", "title": "Recommendations, with links to their pages", "text": """\
# Every JIU recommendation in the graph: follow a link to read its text, each
# organisation's status and the CEB comments, with the source passages.
PREFIX jiu: <https://w3id.org/jiukg/ontology#>
SELECT ?recommendation ?report (STR(?n) AS ?number) (SAMPLE(?t) AS ?text)
WHERE {
  ?recommendation a jiu:Recommendation ;
                  jiu:inPublication/jiu:symbol ?report ;
                  jiu:recommendationNumber ?n .
  OPTIONAL { ?recommendation jiu:recommendationText ?t }
}
GROUP BY ?recommendation ?report ?n
ORDER BY DESC(?report) ?n
LIMIT 500
"""},
    {"name": "classes", "title": "Resources per class (chart)", "text": """\
SELECT ?class (COUNT(DISTINCT ?s) AS ?count)
WHERE { ?s a ?class }
GROUP BY ?class
ORDER BY DESC(?count)
LIMIT 30
"""},
]


@router.get("/", summary="Home page: what the dataset holds, the SPARQL editor, search")
async def home(request: Request):
    lang = request_lang(request)
    store = request.app.state.store
    timeout = request.app.state.settings.query_timeout
    counts = await class_counts(store, timeout)
    labels = await class_labels(store, [c for c, _ in counts], timeout)
    r = await run_query(store, SPARQL_PREFIXES + """
        SELECT ?d ?sym (SAMPLE(?ti) AS ?title) (SAMPLE(?is) AS ?issued) (SAMPLE(?ki) AS ?kind) WHERE {
          ?d jiu:sourceChecksum ?sum ; jiu:symbol ?sym .
          OPTIONAL { ?d dcterms:title ?ti } OPTIONAL { ?d dcterms:issued ?is }
          OPTIONAL { ?d dcterms:type ?k . ?k skos:prefLabel ?ki FILTER(LANG(?ki) = "%s") }
        } GROUP BY ?d ?sym ORDER BY ?sym""" % lang, timeout=timeout, check=False)
    sources = [{"href": local_href(request, row["d"]), "symbol": str(row["sym"]),
                "title": str(row.get("title", "")), "issued": str(row.get("issued", "")),
                "kind": str(row.get("kind", ""))} for row in r.rows]
    exs = [dict(e, title=query_title(e["name"], e["title"], lang)) for e in EDITOR_EXAMPLES + examples()]
    try:
        flag = await summaries.flagship(request, lang)
    except Exception as e:  # the catalogue is another part's: the home page still opens without it
        log.warning("the flagship answer failed: %s", e)
        flag = None
    return render(request, "index.html", {
        "flagship": flag, "flagship_href": f"/queries/ceb-deferrals?org=WIPO&format=html&lang={lang}",
        "title": request.app.state.strings[lang]["site"],
        "classes": [{"href": local_href(request, c), "curie": curie(c), "iri": str(c),
                     "label": str(pick(labels.get(c, []), lang) or curie(c)), "n": n} for c, n in counts],
        "triples": await triple_count(store, timeout), "graphs": len(await run_in_threadpool(store.graphs)),
        "built": await last_build(store, timeout), "sources": sources, "examples": exs})


@router.get("/examples.json", summary="The example queries offered in the editor")
async def examples_json():
    return JSONResponse(EDITOR_EXAMPLES + examples())


SEARCH_PROPS = "skos:prefLabel rdfs:label skos:altLabel jiu:acronym jiu:symbol dcterms:title"


@router.get("/search", summary="Search resources by label (Chinese or English)")
async def search(request: Request, q: str = Query("", description="words of a label, symbol or acronym"),
                 limit: int = Query(100, ge=1, le=500)):
    lang = request_lang(request)
    hits = []
    q = q.strip()
    if q:
        r = await run_query(request.app.state.store, SPARQL_PREFIXES + f"""
            SELECT ?s (SAMPLE(?l) AS ?label) (SAMPLE(?c) AS ?type) WHERE {{
              VALUES ?p {{ {SEARCH_PROPS} }}
              ?s ?p ?l FILTER(isLiteral(?l) && CONTAINS(LCASE(STR(?l)), LCASE({sparql_string(q)})))
              OPTIONAL {{ ?s a ?c }}
            }} GROUP BY ?s ORDER BY STRLEN(STR(?label)) ?s LIMIT {int(limit)}""",
            timeout=request.app.state.settings.query_timeout, check=False)
        hits = [{"href": local_href(request, row["s"]), "iri": str(row["s"]), "label": str(row["label"]),
                 "type": curie(row["type"]) if row.get("type") else ""} for row in r.rows]
    if "application/json" in request.headers.get("accept", "") and "text/html" not in request.headers.get("accept", ""):
        return JSONResponse({"q": q, "results": hits})
    return render(request, "search.html", {"title": request.app.state.strings[lang]["search"], "q": q, "hits": hits})


@router.get("/browse", summary="Instances of one class; without `class`, the classes with their instance counts")
async def browse(request: Request, cls: str | None = Query(None, alias="class", description="a class IRI"),
                 limit: int = Query(500, ge=1, le=5000)):
    lang = request_lang(request)
    timeout = request.app.state.settings.query_timeout
    if not cls:
        return await class_index(request, lang, timeout)
    r = await run_query(request.app.state.store, SPARQL_PREFIXES + f"""
        SELECT ?s (SAMPLE(?l) AS ?label) WHERE {{ ?s a {sparql_iri(cls)}
          OPTIONAL {{ VALUES ?p {{ skos:prefLabel rdfs:label jiu:symbol }} ?s ?p ?l
                     FILTER(LANG(?l) = "" || LANGMATCHES(LANG(?l), "{lang}")) }} }}
        GROUP BY ?s ORDER BY ?s LIMIT {int(limit)}""", timeout=timeout, check=False)
    labels = await class_labels(request.app.state.store, [cls], timeout)
    from rdflib import URIRef

    clabel = pick(labels.get(URIRef(cls), []), lang)
    items = [{"href": local_href(request, row["s"]), "label": str(row["label"]) if row.get("label") else curie(row["s"]),
              "curie": curie(row["s"])} for row in r.rows]
    return render(request, "browse.html", {"title": str(clabel or curie(cls)), "cls": cls,
                                           "cls_href": local_href(request, cls), "items": items})


async def class_index(request: Request, lang: str, timeout: float):
    """/browse without a class: where to start browsing, every class with its number of instances."""
    store = request.app.state.store
    counts = await class_counts(store, timeout)
    labels = await class_labels(store, [c for c, _ in counts], timeout)
    classes = [{"href": local_href(request, c), "curie": curie(c), "n": n,
                "label": str(pick(labels.get(c, []), lang) or curie(c)),
                "browse": "/browse?class=" + quote(str(c), safe="")} for c, n in counts]
    return render(request, "browse.html", {"title": request.app.state.strings[lang]["browse"], "cls": None,
                                           "classes": classes, "items": []})
