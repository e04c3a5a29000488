"""The SPARQL 1.1 Protocol endpoint (/sparql): read-only, content-negotiated, time-limited."""

from __future__ import annotations

from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from fastapi.responses import Response
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD

from jiukg import results as R
from jiukg.namespaces import PREFIXES, VOID
from jiukg.store import QueryResult
from service.conneg import negotiate
from service.deps import public_url
from service.querying import ServiceError, run_query
from service.webconv import triple_count

router = APIRouter(tags=["SPARQL"])

SD = "http://www.w3.org/ns/sparql-service-description#"

QUERY_DOC = """SPARQL 1.1 query (read-only). Parameters: `query` (exactly one), `default-graph-uri` and
`named-graph-uri` (repeatable; either one alone makes the whole dataset, so the default graph is empty with
`named-graph-uri` alone). Results by Accept or `?format=`: SELECT/ASK as application/sparql-results+json, +xml
(also for application/xml, text/xml), text/csv, text/tab-separated-values; CONSTRUCT/DESCRIBE as text/turtle,
application/n-triples, application/ld+json, application/rdf+xml (also application/xml, text/xml),
application/trig, application/n-quads. Without `query`: the SPARQL Service Description."""


def _params(pairs: dict[str, list[str]]) -> tuple[str | None, list[str], list[str]]:
    if "update" in pairs:
        raise ServiceError(403, "This endpoint is read-only: SPARQL Update is not accepted.")
    queries = pairs.get("query", [])
    if len(queries) > 1:
        raise ServiceError(400, "Give exactly one 'query' parameter.")
    return (queries[0] if queries else None), pairs.get("default-graph-uri", []), pairs.get("named-graph-uri", [])


#: plain XML types a client may ask for: SPARQL XML results for SELECT/ASK, RDF/XML for graphs
XML_TYPES = ["application/xml", "text/xml"]
#: ?format= short names that mean another format when the result is a graph
GRAPH_ALIASES = {"xml": R.RDFXML, "json": R.JSONLD}


def _offers(kind: str) -> list[str]:
    return (R.GRAPH_TYPES if kind == "graph" else R.SELECT_TYPES) + XML_TYPES


def _body_format(kind: str, media: str) -> str:
    """The serialisation behind a media type: plain XML carries SPARQL XML results or RDF/XML."""
    if media in XML_TYPES:
        return R.RDFXML if kind == "graph" else R.XML
    return media


def _format_override(request: Request, kind: str) -> str | None:
    f = request.query_params.get("format")
    if f:
        if kind == "graph" and f.lower() in GRAPH_ALIASES:
            return GRAPH_ALIASES[f.lower()]
        return R.FORMAT_ALIASES.get(f.lower(), f)
    return None


@router.get("/sparql", summary="SPARQL query (GET) or the service description", description=QUERY_DOC)
async def sparql_get(request: Request):
    query, dg, ng = _params(parse_qs(request.url.query, keep_blank_values=True))
    if query is None:
        return await service_description(request)
    return await answer(request, query, dg, ng)


@router.post("/sparql", summary="SPARQL query (POST form or application/sparql-query)", description=QUERY_DOC,
             openapi_extra={"requestBody": {"content": {
                 "application/x-www-form-urlencoded": {"schema": {"type": "object", "properties": {
                     "query": {"type": "string"}, "default-graph-uri": {"type": "string"},
                     "named-graph-uri": {"type": "string"}}}},
                 "application/sparql-query": {"schema": {"type": "string"}}}}})
async def sparql_post(request: Request):
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    url_params = parse_qs(request.url.query, keep_blank_values=True)
    body = await request.body()
    if ctype == "application/x-www-form-urlencoded":
        try:
            form = parse_qs(body.decode("utf-8"), keep_blank_values=True)
        except UnicodeDecodeError:
            raise ServiceError(400, "The form is not UTF-8.")
        query, dg, ng = _params(form)
        dg, ng = dg + url_params.get("default-graph-uri", []), ng + url_params.get("named-graph-uri", [])
        if query is None:
            raise ServiceError(400, "The form has no 'query' parameter.")
    elif ctype == "application/sparql-query":
        try:
            query = body.decode("utf-8")
        except UnicodeDecodeError:
            raise ServiceError(400, "The query is not UTF-8.")
        _, dg, ng = _params(url_params)
    elif ctype == "application/sparql-update":
        raise ServiceError(403, "This endpoint is read-only: SPARQL Update is not accepted.")
    else:
        raise ServiceError(415, "Send the query as application/x-www-form-urlencoded (query=...) "
                                "or as application/sparql-query.")
    return await answer(request, query, dg, ng)


#: what the store writes for a media type a client may ask for (the response keeps the asked type)
STORE_FORMAT = {"select": {"application/json": R.JSON},
                "graph": {"application/json": R.JSONLD, "text/plain": R.NTRIPLES}}


def _store_format(kind: str, media: str | None) -> str:
    """The format the store writes a `kind` answer in, for the media type the client gets."""
    if media is None:  # nothing fits: the answer will be 406; any format will do
        return R.JSON if kind == "select" else R.NTRIPLES
    fmt = _body_format(kind, media)
    return STORE_FORMAT[kind].get(fmt, fmt)


def _media(request: Request, kind: str) -> str | None:
    """The media type to answer a `kind` result in, by ?format= or Accept; None if none fits."""
    offers = _offers(kind)
    media = _format_override(request, kind)
    if media is not None:
        return media if media in offers else None
    return negotiate(request.headers.get("accept"), offers)


async def answer(request: Request, query: str, dg: list[str], ng: list[str]) -> Response:
    """Negotiate for both result kinds first, so the store serialises the answer itself (bytes sent as
    they are: no Python terms for a large result) whatever the query's form turns out to be."""
    settings = request.app.state.settings
    if not query.strip():
        raise ServiceError(400, "The query is empty.")
    medias = {kind: _media(request, kind) for kind in ("select", "graph")}
    formats = (_store_format("select", medias["select"]), _store_format("graph", medias["graph"]))
    result = await run_query(request.app.state.store, query, timeout=settings.query_timeout,
                             default_graph=dg, named_graphs=ng, lane="user", formats=formats,
                             base_iri=public_url(request, "sparql_get"))  # relative IRIs: this endpoint's URL
    kind = "graph" if result.kind == "graph" else "select"
    media = medias[kind]
    if media is None:
        offers = _offers(kind)
        asked = _format_override(request, kind)
        if asked is not None:
            raise ServiceError(406, f"This result cannot be given as {asked}; available: {', '.join(offers)}.")
        raise ServiceError(406, f"None of the accepted media types can carry this {result.kind} result; "
                                f"available: {', '.join(offers)}.")
    body = result.data
    if result.kind == "ask":  # one boolean: written by jiukg, so CSV/TSV carry the _askResult header
        body = R.serialize_result(QueryResult(kind="ask", boolean=_boolean(result)), _body_format(kind, media))
    return Response(body, media_type=R.content_type(media), headers={"Vary": "Accept"})


def _boolean(raw) -> bool:
    if raw.media_type.split(";")[0].strip() in ("text/plain", R.CSV, R.TSV):  # the store's lossy boolean: its last line
        return raw.data.strip().splitlines()[-1].strip() == b"true"
    import pyoxigraph as ox

    return bool(ox.parse_query_results(raw.data, format=ox.QueryResultsFormat.from_media_type(raw.media_type)))


def _description_bytes(triples: list[tuple], media: str) -> bytes:
    """Like results.serialize_graph, with sd: bound, so the description does not print ns1:."""
    if media == R.NTRIPLES:
        return R.serialize_graph(triples, media)
    g = Graph()
    prefixes = {**PREFIXES, "sd": SD}
    for prefix, ns in prefixes.items():
        g.bind(prefix, ns, replace=True)
    for t in triples:
        g.add(t)
    if media == R.JSONLD:
        return g.serialize(format="json-ld", context=prefixes, auto_compact=True, encoding="utf-8")
    return g.serialize(format={R.TURTLE: "turtle", R.RDFXML: "xml"}[media], encoding="utf-8")


async def service_description(request: Request) -> Response:
    from starlette.concurrency import run_in_threadpool

    store = request.app.state.store
    endpoint = URIRef(public_url(request, "sparql_get"))
    graphs = await run_in_threadpool(store.graphs)
    total = await triple_count(store, request.app.state.settings.query_timeout)
    sd = lambda n: URIRef(SD + n)  # noqa: E731
    triples = [(endpoint, RDF.type, sd("Service")), (endpoint, sd("endpoint"), endpoint),
               (endpoint, sd("supportedLanguage"), sd("SPARQL11Query")),
               (endpoint, sd("feature"), sd("UnionDefaultGraph"))]
    for media, iri in R.FORMAT_IRIS.items():
        triples.append((endpoint, sd("resultFormat"), URIRef(iri)))
    ds = URIRef(str(endpoint) + "#dataset")
    dg = URIRef(str(endpoint) + "#default-graph")
    triples += [(endpoint, sd("defaultDataset"), ds), (ds, RDF.type, sd("Dataset")),
                (ds, sd("defaultGraph"), dg), (dg, RDF.type, sd("Graph")),
                (dg, VOID.triples, Literal(total, datatype=XSD.integer))]
    for i, g in enumerate(graphs, 1):
        ngn = URIRef(f"{endpoint}#named-graph-{i}")
        triples += [(ds, sd("namedGraph"), ngn), (ngn, RDF.type, sd("NamedGraph")), (ngn, sd("name"), g)]
    offers = R.RDF_TYPES + [R.HTML]
    media = negotiate(request.headers.get("accept"), offers)
    if media is None:
        raise ServiceError(406, f"The service description is available as {', '.join(offers)}.")
    if media == R.HTML:
        body = _description_bytes(triples, R.TURTLE).decode("utf-8")
        from service.linkeddata import render

        return render(request, "service_description.html", {"turtle": body, "title": "SPARQL endpoint"})
    return Response(_description_bytes(triples, media), media_type=R.content_type(media), headers={"Vary": "Accept"})
