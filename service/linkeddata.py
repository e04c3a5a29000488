"""Linked data: every IRI the graph mints resolves here, below the service's own
base URL (https://w3id.org/jiukg/id/x -> /id/x), as HTML or RDF by Accept; plus
the ontology documentation, the dataset description (VoID + DCAT) and dumps."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import Response
from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD
from starlette.concurrency import run_in_threadpool

from jiukg.namespaces import BASE, CATALOGUE_GRAPH, DCAT, GRAPH, ID, JIU, PREFIXES, SPARQL_PREFIXES, VOCAB, VOID
from jiukg import results as R
from service.conneg import negotiate
from service.deps import public_url
from service.describe import Description, curie, describe
from service.i18n import LANGS, pick, request_lang
from service.querying import ServiceError, run_query, sparql_iri
from service.webconv import triple_count

router = APIRouter(tags=["Linked data"])

RESOURCE_TYPES = [R.HTML, R.TURTLE, R.JSONLD, R.NTRIPLES, R.RDFXML]
DATASET_IRI = URIRef(BASE + "dataset")
ONTOLOGY_IRI = URIRef(BASE + "ontology")
CC_BY = URIRef("https://creativecommons.org/licenses/by/4.0/")
DUMP_FORMATS = {"nquads": R.NQUADS, "trig": R.TRIG, "turtle": R.TURTLE, "nt": R.NTRIPLES, "jsonld": R.JSONLD}


def local_href(request: Request, iri) -> str | None:
    """Where an IRI of ours resolves on this service (a path: never built from the Host header);
    other http(s) IRIs as they are. Any other scheme (javascript:, data:, file:, urn: ...) comes
    from data or a request and must not become a link: None, and the page shows it as text."""
    s = str(iri)
    if s.startswith(BASE):
        path = request.scope.get("root_path", "") + "/" + s[len(BASE):]
        lang = request.query_params.get("lang")  # a reader who chose a language keeps it page to page
        return path + ("&" if "?" in path else "?") + "lang=" + lang if lang in LANGS else path
    return s if s[:8].lower().startswith(("http://", "https://")) else None


def choose(request: Request, offers: list[str]) -> str:
    f = request.query_params.get("format")
    if f:
        media = R.FORMAT_ALIASES.get(f.lower(), f)
        if media in offers:
            return media
        raise ServiceError(406, f"Format {f!r} is not available here; available: {', '.join(offers)}.")
    media = negotiate(request.headers.get("accept"), offers)
    if media is None:
        raise ServiceError(406, f"This resource is available as {', '.join(offers)}.")
    return media


def rdf_response(triples, media: str, filename: str | None = None) -> Response:
    headers = {"Vary": "Accept"}
    if filename:
        headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return Response(R.serialize_graph(triples, media), media_type=R.content_type(media), headers=headers)


def render(request: Request, template: str, context: dict, status: int = 200):
    lang = request_lang(request)
    ctx = {"lang": lang, "t": request.app.state.strings[lang], **context}
    return request.app.state.templates.TemplateResponse(request, template, ctx, status_code=status,
                                                        headers={"Vary": "Accept, Accept-Language"})


# --- views of terms -------------------------------------------------------------

class Viewer:
    """Turns rdflib terms into what the templates show: labels, links, literals."""

    def __init__(self, request: Request, d: Description, lang: str):
        self.request, self.d, self.lang = request, d, lang

    def term(self, t) -> dict:
        if isinstance(t, URIRef):
            return {"iri": str(t), "href": local_href(self.request, t), "label": self.d.label(t, self.lang),
                    "curie": curie(t)}
        if isinstance(t, Literal):
            dt = curie(t.datatype) if t.datatype and t.datatype != XSD.string else None
            out = {"text": str(t), "lang": t.language, "datatype": dt}
            if t.datatype == XSD.anyURI and str(t)[:8].lower().startswith(("http://", "https://")):
                out["href"] = str(t)  # an external link given as a literal (the JIU link): http(s) only
            return out
        return {"text": str(t)}

    def first(self, props: dict, p):
        vals = props.get(p, [])
        if not vals:
            return None
        lits = [v for v in vals if isinstance(v, Literal) and v.language]
        return self.term(pick(lits, self.lang) if lits else sorted(vals)[0])

    def all(self, props: dict, p) -> list[dict]:
        return [self.term(v) for v in sorted(props.get(p, []))]

    def passages(self, props: dict) -> list[dict]:
        out = []
        for pas in sorted(props.get(PROV.wasDerivedFrom, [])):
            pp = self.d.dependents.get(pas, {})
            text = pick(pp.get(JIU.passageText, []), self.lang)
            out.append({"iri": str(pas), "href": local_href(self.request, pas), "text": str(text) if text else "",
                        "start": str(pp.get(JIU.startLine, [""])[0]), "end": str(pp.get(JIU.endLine, [""])[0]),
                        "doc": self.first(pp, PROV.wasQuotedFrom)})
        return out


def resource_context(request: Request, d: Description, lang: str) -> dict:
    v = Viewer(request, d, lang)
    own = defaultdict(list)
    for p, o in d.out:
        own[p].append(o)
    props = []
    for p in sorted(own, key=lambda p: (p != RDF.type, d.label(p, lang).lower())):
        props.append({"p": v.term(p), "values": [v.term(o) for o in sorted(own[p])]})
    incoming = defaultdict(list)
    for s, p in d.incoming:
        incoming[p].append(s)
    inc = [{"p": v.term(p), "subjects": [v.term(s) for s in sorted(incoming[p])]}
           for p in sorted(incoming, key=lambda p: d.label(p, lang).lower())]
    ctx = {"iri": str(d.iri), "label": d.label(d.iri, lang), "curie": curie(d.iri), "properties": props,
           "incoming": inc, "incoming_truncated": d.incoming_truncated, "types": [v.term(t) for t in d.types],
           "passages": v.passages(own), "statuses": [], "comments": [], "rec_text": None}
    if JIU.Recommendation in d.types:
        pubs, nums = own.get(JIU.inPublication, []), own.get(JIU.recommendationNumber, [])
        if pubs and nums and not d.labels.get(d.iri):
            word = request.app.state.strings[lang]["recommendation"]
            ctx["label"] = f"{d.label(sorted(pubs)[0], lang)} · {word} {nums[0]}"
        text = pick(own.get(JIU.recommendationText, []), lang)
        ctx["rec_text"] = {"text": str(text), "lang": text.language} if text is not None else None
        for s, sp in d.dependents.items():
            types = sp.get(RDF.type, [])
            if JIU.StatusStatement in types and d.iri in sp.get(JIU.aboutRecommendation, []):
                ctx["statuses"].append({
                    "iri": v.term(s), "org": v.first(sp, JIU.reportingOrganization),
                    "as_of": str(sp.get(JIU.asOf, [""])[0]), "acceptance": v.first(sp, JIU.acceptance),
                    "implementation": v.first(sp, JIU.implementation), "reported_in": v.first(sp, JIU.reportedIn),
                    "deferred_to": v.all(sp, JIU.deferredTo), "assessment": v.first(sp, JIU.managementAssessment),
                    "passages": v.passages(sp)})
            elif JIU.CEBComment in types and d.iri in sp.get(JIU.commentOn, []):
                ctx["comments"].append({
                    "iri": v.term(s), "stance": v.first(sp, JIU.stance), "text": v.first(sp, JIU.commentText),
                    "reported_in": v.first(sp, JIU.reportedIn), "passages": v.passages(sp)})
        ctx["statuses"].sort(key=lambda x: ((x["org"] or {}).get("label", ""), x["as_of"]))
    return ctx


# --- resources ------------------------------------------------------------------

def _iri_of(request: Request) -> str:
    raw = request.scope.get("raw_path") or request.url.path.encode()
    path = raw.decode("latin-1")
    root = request.scope.get("root_path", "")
    if root and path.startswith(root):
        path = path[len(root):]
    return BASE + path.lstrip("/")


async def resource(request: Request) -> Response:
    iri = _iri_of(request)
    media = choose(request, RESOURCE_TYPES)
    lang = request_lang(request)
    d = await describe(request.app.state.store, iri, request.app.state.settings.query_timeout)
    if not d.exists:
        if media == R.HTML:
            return render(request, "error.html", {"status": 404, "message": f"No resource {iri} in this dataset.",
                                                  "title": "404"}, 404)
        raise ServiceError(404, f"No resource {iri} in this dataset.")
    if media != R.HTML:
        return rdf_response(d.triples(), media)
    ctx = resource_context(request, d, lang)
    from jiukg.ontology import subclasses
    from service import summaries

    ctx["summary"] = None
    if set(d.types) & subclasses(JIU.InterAgencyMechanism):  # a network, committee, task force...
        ctx["summary"] = {"kind": "mechanism"} | await summaries.mechanism(request, iri, lang)
    elif set(d.types) & ORG_TYPES:
        org = await summaries.organisation(request, iri, lang, _date(request.query_params.get("asof")))
        ctx["summary"] = {"kind": "organisation"} | org if org else None
    elif set(d.types) & REPORT_TYPES:
        rep = await summaries.report(request, iri, lang)
        ctx["summary"] = {"kind": "report"} | rep if rep else None
    return render(request, "resource.html", ctx | {"title": ctx["label"]})


ORG = "http://www.w3.org/ns/org#"
ORG_TYPES = {JIU.ParticipatingOrganization, URIRef(ORG + "Organization"), URIRef(ORG + "FormalOrganization")}
REPORT_TYPES = {JIU.JIUReport, JIU.JIUNote, JIU.JIUPublication}


def _date(s: str | None) -> str | None:
    """?asof= as an ISO date, or None (today) when it is not one."""
    try:
        return datetime.strptime((s or "").strip(), "%Y-%m-%d").date().isoformat()
    except ValueError:
        return None


@router.get("/id/{path:path}", summary="A resource of the graph (HTML or RDF by Accept)")
async def id_resource(request: Request, path: str):
    return await resource(request)


@router.get("/vocab/{path:path}", summary="A controlled-vocabulary concept or scheme")
async def vocab_resource(request: Request, path: str):
    return await resource(request)


GRAPH_TYPES = [R.TRIG, R.NQUADS, R.TURTLE, R.NTRIPLES, R.JSONLD, R.RDFXML, R.HTML]
GRAPH_DOWNLOADS = {"TriG": "trig", "N-Quads": "nquads", "Turtle": "ttl", "N-Triples": "nt", "JSON-LD": "jsonld"}
GRAPH_PAGE_LIMIT = 1000  # resources listed on a graph's page; the downloads hold them all


@router.get("/graph/{path:path}", summary="One named graph (a document's statements): RDF, or a page by Accept")
async def named_graph(request: Request, path: str):
    iri = URIRef(_iri_of(request))
    store = request.app.state.store
    media = choose(request, GRAPH_TYPES)
    if iri not in await run_in_threadpool(store.graphs):
        raise ServiceError(404, f"No named graph {iri} in this dataset.")
    if media == R.HTML:
        return render(request, "graph.html", await graph_context(request, iri))
    g = await run_in_threadpool(store.graph, iri)
    headers = {"Vary": "Accept"}
    if media == R.NQUADS:
        return Response(R.nquads((s, p, o, iri) for s, p, o in g), media_type=R.content_type(media), headers=headers)
    if media == R.TRIG:
        for prefix, ns in PREFIXES.items():
            g.bind(prefix, ns, replace=True)
        return Response(g.serialize(format="trig", encoding="utf-8"), media_type=R.content_type(media),
                        headers=headers)
    return rdf_response(list(g), media)


async def graph_context(request: Request, iri: URIRef) -> dict:
    """What a named graph holds, for people: its catalogue entry, size, classes and resources."""
    store, timeout = request.app.state.store, request.app.state.settings.query_timeout
    lang = request_lang(request)
    g = sparql_iri(str(iri))
    entry = await run_query(store, f"SELECT ?p ?o WHERE {{ GRAPH {sparql_iri(str(CATALOGUE_GRAPH))} {{ {g} ?p ?o }} }}",
                            timeout=timeout, check=False)
    size = await run_query(store, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {g} {{ ?s ?p ?o }} }}",
                           timeout=timeout, check=False)
    classes = await run_query(store, f"""SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE {{ GRAPH {g} {{ ?s a ?c }} }}
        GROUP BY ?c ORDER BY DESC(?n) ?c""", timeout=timeout, check=False)
    resources = await run_query(store, SPARQL_PREFIXES + f"""
        SELECT ?s (SAMPLE(?c) AS ?type) (SAMPLE(?l) AS ?label) WHERE {{
          {{ SELECT DISTINCT ?s WHERE {{ GRAPH {g} {{ ?s ?p ?o }} FILTER(isIRI(?s)) }} ORDER BY ?s
             LIMIT {GRAPH_PAGE_LIMIT + 1} }}
          OPTIONAL {{ GRAPH {g} {{ ?s a ?c }} }}
          OPTIONAL {{ VALUES ?lp {{ skos:prefLabel rdfs:label jiu:symbol dcterms:title }} ?s ?lp ?l
                     FILTER(LANG(?l) = "" || LANGMATCHES(LANG(?l), "{lang}")) }}
        }} GROUP BY ?s ORDER BY ?s""", timeout=timeout, check=False)
    own = defaultdict(list)
    for row in entry.rows:
        own[row["p"]].append(row["o"])
    linked = [c for c in (row.get("c") for row in classes.rows) if isinstance(c, URIRef)]
    linked += [o for o in own.get(DCTERMS.source, []) if isinstance(o, URIRef)]
    labels = await class_labels(store, linked, timeout, props=(SKOS.prefLabel, RDFS.label, JIU.symbol))

    def link(x) -> dict:
        return {"href": local_href(request, x), "label": str(pick(labels.get(x, []), lang) or curie(x)),
                "curie": curie(x), "iri": str(x)}

    first = lambda p: str(own[p][0]) if own.get(p) else None  # noqa: E731
    base = request.scope.get("root_path", "") + request.url.path
    rows = resources.rows[:GRAPH_PAGE_LIMIT]
    return {
        "title": curie(iri) if not str(iri).startswith(str(GRAPH)) else "graph/" + str(iri)[len(str(GRAPH)):],
        "iri": str(iri), "written": first(PROV.generatedAtTime), "creator": first(DCTERMS.creator),
        "sources": [link(o) for o in sorted(own.get(DCTERMS.source, []))],
        "triples": int(size.rows[0]["n"]) if size.rows else 0,
        "classes": [link(row["c"]) | {"n": int(row["n"]),
                                      "browse": "/browse?class=" + quote(str(row["c"]), safe="")}
                    for row in classes.rows if isinstance(row.get("c"), URIRef)],
        "resources": [{"href": local_href(request, row["s"]), "curie": curie(row["s"]),
                       "label": str(row["label"]) if row.get("label") else curie(row["s"]),
                       "type": curie(row["type"]) if row.get("type") else ""} for row in rows],
        "truncated": len(resources.rows) > GRAPH_PAGE_LIMIT,
        "downloads": {name: f"{base}?format={fmt}" for name, fmt in GRAPH_DOWNLOADS.items()},
        "catalogue": local_href(request, CATALOGUE_GRAPH),
    }


def _context_headers() -> dict:
    # JSON-LD processors on other sites fetch the context cross-origin; only this route is open to them.
    return {"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Methods": "GET, HEAD, OPTIONS",
            "Access-Control-Allow-Headers": "Accept", "Access-Control-Max-Age": "86400"}


@router.get("/context.jsonld", summary="The JSON-LD context of the JSON-LD answers (CORS: any origin)")
async def context_jsonld():
    return Response(json.dumps(R.jsonld_context(), indent=2).encode(), media_type="application/ld+json",
                    headers=_context_headers())


@router.options("/context.jsonld", include_in_schema=False)
async def context_preflight():
    return Response(status_code=204, headers=_context_headers())


# --- ontology ---------------------------------------------------------------------

def _shape_term(request: Request, x) -> dict:
    """A term a shape names (target, path): our classes and properties link to their entry on this page."""
    s = str(x)
    href = "#" + s[len(str(JIU)):] if s.startswith(str(JIU)) else local_href(request, x) if s.startswith(BASE) else None
    return {"curie": curie(x), "iri": s, "href": href}


def shape_docs(request: Request, lang: str) -> dict:
    """Every shape of shapes/ for the ontology page: target, constraints in words, SPARQL rules with
    their message (in the page's language) and severity, grouped by file; and the link to /shapes."""
    from jiukg.validation import SHAPE_DOC_TEXT, describe_shapes

    text = SHAPE_DOC_TEXT[lang if lang in SHAPE_DOC_TEXT else "en"]
    files: dict[str, list[dict]] = defaultdict(list)
    for s in describe_shapes(lang):
        s["targets"] = [_shape_term(request, t["term"]) | {"kind": t["kind"],
                        "words": text[{"targetClass": "class", "targetSubjectsOf": "subjectsOf",
                                       "targetObjectsOf": "objectsOf", "targetNode": "node_target"}[t["kind"]]]}
                        for t in s["targets"]]
        for p in s["properties"]:
            p["path_link"] = _shape_term(request, URIRef(p["path_iri"])) if p["path_iri"] else None
        files[s["file"]].append(s)
    return {"files": sorted(files.items()), "text": text, "count": sum(len(v) for v in files.values()),
            "turtle": request.scope.get("root_path", "") + "/shapes?format=ttl"}


def shapes_by_class(lang: str) -> dict[URIRef, list[dict]]:
    """The shapes that target each class (sh:targetClass), to link from the class's entry."""
    from jiukg.validation import describe_shapes

    out: dict[URIRef, list[dict]] = defaultdict(list)
    for s in describe_shapes(lang):
        for t in s["targets"]:
            if t["kind"] == "targetClass":
                out[t["term"]].append({"name": s["name"], "id": s["id"], "label": s["label"], "iri": s["iri"],
                                       "severity": s["severity"]})
    return out


def ontology_context(request: Request, lang: str) -> dict:
    from jiukg.ontology import ontology_graph

    g = ontology_graph()

    def lab(x):
        lit = pick(list(g.objects(x, RDFS.label)) + list(g.objects(x, SKOS.prefLabel)), lang)
        return str(lit) if lit is not None else curie(x)

    def both(x, p):
        return {l: str(pick([o for o in g.objects(x, p) if getattr(o, "language", None) == l], l) or "")
                for l in ("en", "zh")}

    def link(x):
        return {"href": local_href(request, x), "label": lab(x), "curie": curie(x), "iri": str(x)}

    def term(x):
        return {"id": str(x).split("#")[-1], "iri": str(x), "curie": curie(x), "label": lab(x),
                "labels": both(x, RDFS.label), "definitions": both(x, SKOS.definition),
                "super": [link(s) for s in sorted(g.objects(x, RDFS.subClassOf)) if isinstance(s, URIRef)]
                + [link(s) for s in sorted(g.objects(x, RDFS.subPropertyOf))],
                "domain": [link(s) for s in sorted(g.objects(x, RDFS.domain)) if isinstance(s, URIRef)],
                "range": [link(s) for s in sorted(g.objects(x, RDFS.range)) if isinstance(s, URIRef)]}

    mine = lambda x: isinstance(x, URIRef) and str(x).startswith(str(JIU))  # noqa: E731
    shapes = shapes_by_class(lang)
    classes = []
    for c in sorted(set(filter(mine, g.subjects(RDF.type, OWL.Class)))):
        t = term(c)
        t["shapes"] = shapes.get(c, [])
        classes.append(t)
    objp = [term(p) for p in sorted(set(filter(mine, g.subjects(RDF.type, OWL.ObjectProperty))))]
    datap = [term(p) for p in sorted(set(filter(mine, g.subjects(RDF.type, OWL.DatatypeProperty))))]
    seen = {x["iri"] for x in objp + datap}
    otherp = [term(p) for p in sorted(set(filter(mine, g.subjects(RDF.type, RDF.Property)))
                                      | set(filter(mine, g.subjects(RDF.type, OWL.AnnotationProperty))))
              if str(p) not in seen]
    schemes = []
    for s in sorted(g.subjects(RDF.type, SKOS.ConceptScheme)):
        concepts = sorted(g.subjects(SKOS.inScheme, s))
        schemes.append({**link(s), "definition": both(s, SKOS.definition),
                        "concepts": [link(c) | {"notation": str(g.value(c, SKOS.notation) or "")} for c in concepts]})
    title = pick(list(g.objects(ONTOLOGY_IRI, DCTERMS.title)), lang)
    desc = pick(list(g.objects(ONTOLOGY_IRI, DCTERMS.description)), lang)
    return {"title": str(title or "Ontology"), "description": str(desc or ""), "classes": classes,
            "object_properties": objp, "datatype_properties": datap, "other_properties": otherp,
            "schemes": schemes, "version": str(g.value(ONTOLOGY_IRI, OWL.versionInfo) or ""),
            "has_shapes": bool(shapes), "shape_docs": shape_docs(request, lang)}


@router.get("/ontology", name="ontology", summary="The ontology: documentation (HTML) or OWL (RDF)")
async def ontology(request: Request):
    from jiukg.ontology import ontology_graph

    media = choose(request, RESOURCE_TYPES)
    if media != R.HTML:
        return rdf_response(list(ontology_graph()), media)
    return render(request, "ontology.html", ontology_context(request, request_lang(request)))


@router.get("/ontology/{version}", summary="A version of the ontology, at its owl:versionIRI")
async def ontology_version(request: Request, version: str):
    """The versionIRI resolves to the ontology while it is the current version; older ones are not kept."""
    from jiukg.ontology import ontology_graph

    current = ontology_graph().value(ONTOLOGY_IRI, OWL.versionIRI)
    if current is None or str(current) != _iri_of(request):
        raise ServiceError(404, f"No ontology version {version!r} here; the current one is "
                                f"{current or ONTOLOGY_IRI}.")
    return await ontology(request)


@router.get("/shapes", summary="The SHACL shapes the data is validated against (RDF), documented on /ontology")
async def shapes(request: Request):
    from fastapi.responses import RedirectResponse

    from jiukg.validation import shapes_graph

    media = choose(request, RESOURCE_TYPES)
    if media == R.HTML:  # people read the shapes beside the classes they constrain
        return RedirectResponse(public_url(request, "ontology"), status_code=303)
    return rdf_response(list(shapes_graph()), media)


# --- dataset and dumps ---------------------------------------------------------------

async def last_build(store, timeout: float) -> str | None:
    """When the data was last written: provenance in the graph, else the embedded store's files."""
    r = await run_query(store, SPARQL_PREFIXES + """SELECT (MAX(STR(?t)) AS ?t) WHERE {
        ?x prov:generatedAtTime|dcterms:modified|prov:endedAtTime ?t }""", timeout=timeout, check=False)
    if r.rows and r.rows[0].get("t"):
        return str(r.rows[0]["t"])
    path = getattr(store, "path", None)
    if path and Path(path).is_dir():
        mtimes = [f.stat().st_mtime for f in Path(path).iterdir() if f.is_file()]
        if mtimes:
            return datetime.fromtimestamp(max(mtimes), timezone.utc).replace(microsecond=0).isoformat()
    return None


async def class_counts(store, timeout: float) -> list[tuple[URIRef, int]]:
    r = await run_query(store, "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c ORDER BY DESC(?n) ?c",
                        timeout=timeout, check=False)
    return [(row["c"], int(row["n"])) for row in r.rows if isinstance(row.get("c"), URIRef)]


def dump_urls(request: Request) -> dict[str, str]:
    base = public_url(request, "dump")
    return {fmt: f"{base}?format={fmt}" for fmt in DUMP_FORMATS}


async def dataset_triples(request: Request) -> list[tuple]:
    store = request.app.state.store
    timeout = request.app.state.settings.query_timeout
    total = await triple_count(store, timeout)  # distinct triples; each graph's own count is in the catalogue
    quads = await run_in_threadpool(store.count)
    graphs = await run_in_threadpool(store.graphs)
    counts = await class_counts(store, timeout)
    built = await last_build(store, timeout)
    ds = DATASET_IRI
    endpoint = URIRef(public_url(request, "sparql_get"))
    t = [(ds, RDF.type, VOID.Dataset), (ds, RDF.type, DCAT.Dataset),
         (ds, DCTERMS.title, Literal("JIU knowledge graph", lang="en")),
         (ds, DCTERMS.title, Literal("联检组知识图谱", lang="zh")),
         (ds, DCTERMS.description, Literal("JIU reports and recommendations, UN-system organisations' reported "
                                           "acceptance and implementation of each, and CEB comments, with "
                                           "provenance to the source passages.", lang="en")),
         (ds, DCTERMS.license, CC_BY), (ds, VOID.triples, Literal(total, datatype=XSD.integer)),
         (ds, VOID.classes, Literal(len(counts), datatype=XSD.integer)),
         (ds, VOID.uriSpace, Literal(str(ID))), (ds, VOID.vocabulary, URIRef(str(JIU))),
         (ds, VOID.vocabulary, URIRef(str(VOCAB))), (ds, VOID.sparqlEndpoint, endpoint),
         (ds, URIRef("http://rdfs.org/ns/void#rootResource"), ONTOLOGY_IRI),
         (ds, RDFS.comment, Literal(f"void:triples counts distinct triples ({total}); the named graphs hold "
                                    f"{quads} quads, a triple that several graphs hold counting once in each.",
                                    lang="en"))]
    if built:
        t.append((ds, DCTERMS.modified, Literal(built, datatype=XSD.dateTime if "T" in built else XSD.date)))
    for fmt, url in dump_urls(request).items():
        media = DUMP_FORMATS[fmt]
        dist = URIRef(f"{ds}#dump-{fmt}")
        t += [(ds, VOID.dataDump, URIRef(url)), (ds, DCAT.distribution, dist), (dist, RDF.type, DCAT.Distribution),
              (dist, DCAT.downloadURL, URIRef(url)), (dist, DCAT.accessURL, URIRef(url)),
              (dist, DCAT.mediaType, URIRef("https://www.iana.org/assignments/media-types/" + media)),
              (dist, DCTERMS.license, CC_BY)]
    svc = URIRef(f"{ds}#sparql")
    t += [(ds, DCAT.distribution, URIRef(f"{ds}#sparql-access")),
          (URIRef(f"{ds}#sparql-access"), RDF.type, DCAT.Distribution),
          (URIRef(f"{ds}#sparql-access"), DCAT.accessURL, endpoint),
          (URIRef(f"{ds}#sparql-access"), DCAT.accessService, svc),
          (svc, RDF.type, DCAT.DataService), (svc, DCAT.endpointURL, endpoint), (svc, DCAT.servesDataset, ds),
          (svc, DCTERMS.conformsTo, URIRef("https://www.w3.org/TR/sparql11-protocol/"))]
    for i, (c, n) in enumerate(counts, 1):
        part = URIRef(f"{ds}#class-{i}")
        t += [(ds, VOID.classPartition, part), (part, VOID["class"], c),
              (part, VOID.entities, Literal(n, datatype=XSD.integer))]
    for g in graphs:
        sub = URIRef(f"{ds}#graph-{g.split('/graph/')[-1]}")
        t += [(ds, VOID.subset, sub), (sub, RDF.type, VOID.Dataset),
              (sub, URIRef("http://www.w3.org/ns/sparql-service-description#name"), g)]
    return t


@router.get("/dataset", summary="The dataset description (VoID + DCAT): size, classes, licence, dumps, endpoint")
async def dataset(request: Request):
    media = choose(request, RESOURCE_TYPES)
    triples = await dataset_triples(request)
    if media != R.HTML:
        return rdf_response(triples, media)
    lang = request_lang(request)
    by_p = defaultdict(list)
    for s, p, o in triples:
        if s == DATASET_IRI:
            by_p[p].append(o)
    store = request.app.state.store
    counts = await class_counts(store, request.app.state.settings.query_timeout)
    labels = await class_labels(store, [c for c, _ in counts], request.app.state.settings.query_timeout)
    return render(request, "dataset.html", {
        "title": request.app.state.strings[lang]["dataset"], "iri": str(DATASET_IRI),
        "triples": int(by_p[VOID.triples][0]), "modified": str(by_p[DCTERMS.modified][0]) if by_p[DCTERMS.modified] else None,
        "licence": str(CC_BY), "dumps": dump_urls(request), "endpoint": public_url(request, "sparql_get"),
        "classes": [{"href": local_href(request, c), "curie": curie(c), "label": str(pick(labels.get(c, []), lang) or curie(c)),
                     "n": n, "browse": "/browse?class=" + quote(str(c), safe="")} for c, n in counts],
        "graphs": [{"iri": str(g), "href": local_href(request, g)} for g in await run_in_threadpool(store.graphs)]})


async def class_labels(store, classes, timeout, props=(RDFS.label,)) -> dict:
    if not classes:
        return {}
    from service.describe import _vals

    r = await run_query(store, f"""SELECT ?c ?l WHERE {{ VALUES ?c {{ {_vals(set(classes))} }}
        VALUES ?p {{ {_vals(props)} }} ?c ?p ?l }}""", timeout=timeout, check=False)
    out = defaultdict(list)
    for row in r.rows:
        out[row["c"]].append(row["l"])
    return out


@router.get("/dump", name="dump", summary="The whole graph: N-Quads (default), TriG, Turtle, N-Triples, JSON-LD")
async def dump(request: Request):
    offers = [R.NQUADS, R.TRIG, R.TURTLE, R.NTRIPLES, R.JSONLD]
    f = request.query_params.get("format")
    if f and f.lower() in DUMP_FORMATS:
        media = DUMP_FORMATS[f.lower()]
    else:
        media = choose(request, offers)
    store = request.app.state.store
    ext = {R.NQUADS: "nq", R.TRIG: "trig", R.TURTLE: "ttl", R.NTRIPLES: "nt", R.JSONLD: "jsonld"}[media]
    if media == R.NQUADS:
        body = await run_in_threadpool(lambda: R.nquads(store.quads()))
    elif media == R.NTRIPLES:
        body = await run_in_threadpool(lambda: R.ntriples((s, p, o) for s, p, o, _ in store.quads()))
    elif media == R.TRIG:
        body = await run_in_threadpool(store.export, "trig")
    else:
        body = await run_in_threadpool(lambda: R.serialize_graph([(s, p, o) for s, p, o, _ in store.quads()], media))
    return Response(body, media_type=R.content_type(media),
                    headers={"Content-Disposition": f'attachment; filename="jiukg.{ext}"', "Vary": "Accept"})
