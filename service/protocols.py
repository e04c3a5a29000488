"""Writes by the standard protocols, at the Oxigraph server's paths: SPARQL 1.1 Update at /update and
the SPARQL 1.1 Graph Store HTTP Protocol at /store.

Both need `Authorization: Bearer <token>` (service/auth.py) and write through the one pipeline: the
graphs a request changes are checked against the token's scope (403, nothing written), validated with
the SHACL shapes (422 with the report, nothing written), replaced at once and recorded in the catalogue
graph as a prov:Activity. Reading a graph (GET, HEAD) is public, like /sparql.

Graphs: `/store?graph=IRI` names any graph (an IRI given as this service's own /store/… or /graph/…
URL means that graph of jiukg's namespace); `/store/{path}` names `https://w3id.org/jiukg/graph/{path}`
directly; `/store?default` is the Graph Store's default graph, kept as the named graph `graph/default`
(the query endpoint's default graph stays the union of all graphs). The catalogue graph is the
service's own record and is written by no request.
"""

from __future__ import annotations

import secrets
import tempfile
from functools import partial
from pathlib import Path
from urllib.parse import parse_qs, quote

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from rdflib import Graph, URIRef
from starlette.concurrency import run_in_threadpool

from jiukg import pipeline, updates
from jiukg import results as R
from jiukg.namespaces import DEFAULT_GRAPH, GRAPH
from jiukg.store import QueryRefused, QuerySyntaxError, QueryTimeout, StoreError
from loaders import UnrecognisedDocument, status_template
from service.auth import writer
from service.bodywork import parse_body, run_body_work
from service.conneg import negotiate
from service.deps import public_base, public_url
from service.querying import ServiceError, store_error
from service.upload_routes import TEMPLATE_TYPES
from service.validation_routes import RDF_TYPES, SUFFIX

router = APIRouter(tags=["writes"])

#: An update or a Graph Store POST reads graphs and writes them back: the pipeline's write lock, held from the
#: read to the write, keeps a concurrent write in this process from being lost in between.
WRITE_LOCK = pipeline.WRITE_LOCK

GRAPH_FORMATS = {k: v for k, v in RDF_TYPES.items() if v not in ("trig", "nquads")}  # a graph, not a dataset
READ_TYPES = [R.TURTLE, R.NTRIPLES, R.JSONLD, R.RDFXML, "text/plain"]


def _refused(e: pipeline.WriteRefused) -> Response:
    if isinstance(e, pipeline.OutOfScope):
        return JSONResponse({"written": False, "message": str(e), "graphs": e.graphs}, status_code=403)
    return JSONResponse({"written": False, "message": str(e),
                         "report": e.report.to_json() if e.report is not None else None}, status_code=422)


def _commit(store, graphs: dict[URIRef, Graph], activity: pipeline.Activity) -> None:
    """The pipeline's gated replace: scope, shapes, catalogue record, one write."""
    pipeline.commit(store, [pipeline.Prepared(activity.operation, graphs)], replace=True, activity=activity)


# --- SPARQL 1.1 Update ---------------------------------------------------------------------

UPDATE_DOC = """SPARQL 1.1 Update (needs `Authorization: Bearer <token>`). Body: `application/sparql-update`, or a
form with exactly one `update`; `using-graph-uri` / `using-named-graph-uri` (URL or form, repeatable) give the
dataset of the WHERE clauses. LOAD and SERVICE are refused. Without GRAPH, WHERE sees the union of all graphs and
INSERT/DELETE act on `graph/default`. Every changed graph must be in the token's scope (403) and pass the SHACL
shapes (422 with the report); then all are written at once and recorded in the catalogue graph (200, JSON)."""


def _one(values: list[str], name: str) -> str:
    if len(values) != 1:
        raise ServiceError(400, f"Give exactly one '{name}' parameter.")
    return values[0]


def _utf8(body: bytes, ctype_header: str, what: str) -> str:
    charset = next((p.split("=", 1)[1].strip().strip('"').lower() for p in ctype_header.split(";")[1:]
                    if p.strip().lower().startswith("charset=")), "utf-8")
    if charset not in ("utf-8", "utf8"):
        raise ServiceError(400, f"The {what} must be UTF-8 (charset={charset} is not accepted).")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        raise ServiceError(400, f"The {what} is not UTF-8.") from None


@router.post("/update", name="update", summary="SPARQL 1.1 Update (authenticated, validated, recorded)",
             description=UPDATE_DOC, openapi_extra={"requestBody": {"content": {
                 "application/sparql-update": {"schema": {"type": "string"}},
                 "application/x-www-form-urlencoded": {"schema": {"type": "object", "properties": {
                     "update": {"type": "string"}, "using-graph-uri": {"type": "string"},
                     "using-named-graph-uri": {"type": "string"}}}}}}})
async def update(request: Request):
    token = writer(request)
    header = request.headers.get("content-type", "")
    ctype = header.split(";")[0].strip().lower()
    url = parse_qs(request.url.query, keep_blank_values=True)
    body = await request.body()  # at most Settings.max_body_bytes: FastAPI answers 413 beyond
    if ctype == "application/sparql-update":
        text = _utf8(body, header, "update")
        params = url
    elif ctype == "application/x-www-form-urlencoded":
        form = parse_qs(_utf8(body, header, "form"), keep_blank_values=True)
        text = _one(form.get("update", []), "update")
        params = {k: url.get(k, []) + form.get(k, []) for k in ("using-graph-uri", "using-named-graph-uri")}
    else:
        raise ServiceError(415, "Send the update as application/sparql-update, or as "
                                "application/x-www-form-urlencoded with update=....")
    if "update" in url or "query" in url:
        raise ServiceError(400, "Send the update in the body, not in the URL.")
    using, named = params.get("using-graph-uri", []), params.get("using-named-graph-uri", [])
    store, settings = request.app.state.store, request.app.state.settings
    base = public_url(request, "update")
    activity = pipeline.Activity("SPARQL Update", token)

    def run():
        with WRITE_LOCK:
            graphs = updates.evaluate(store, text, base_iri=base, using=using, using_named=named,
                                      timeout=getattr(settings, "update_timeout", 30.0))
            if graphs:
                _commit(store, graphs, activity)
            return graphs

    try:
        graphs = await run_in_threadpool(run)
    except updates.UpdateError as e:
        raise ServiceError(400, str(e)) from None
    except QuerySyntaxError as e:
        raise ServiceError(400, f"Malformed update: {e}") from None
    except QueryRefused as e:
        raise ServiceError(400, f"Update refused: {e}") from None
    except QueryTimeout as e:
        raise ServiceError(503, str(e), {"Retry-After": "5"}) from None
    except pipeline.WriteRefused as e:
        return _refused(e)
    except StoreError as e:
        raise store_error(e) from None
    return JSONResponse({"written": bool(graphs), **activity.to_json()})


@router.get("/update", include_in_schema=False)
async def update_get():
    raise ServiceError(405, "SPARQL Update is sent with POST.", {"Allow": "POST"})


# --- SPARQL 1.1 Graph Store HTTP Protocol -------------------------------------------------

def _own_graph(request: Request, value: str) -> URIRef:
    """A graph IRI from ?graph=: this service's own URL of a graph (/store/x, /graph/x) is that graph."""
    base = public_base(request.scope) + "/"
    for route in ("store/", "graph/"):
        if value.startswith(base + route) and len(value) > len(base + route):
            return GRAPH[value[len(base + route):]]
    return URIRef(value)


def _target(request: Request, path: str | None) -> URIRef | None:
    """The graph a request names (None: the Graph Store itself, for POST creating a graph)."""
    params = parse_qs(request.url.query, keep_blank_values=True)
    given = params.get("graph", [])
    if path:
        if given or "default" in params:
            raise ServiceError(400, "Name the graph once: by the path or by ?graph= / ?default, not both.")
        return GRAPH[path]
    if given and "default" in params:
        raise ServiceError(400, "Give either ?graph=IRI or ?default, not both.")
    if len(given) > 1:
        raise ServiceError(400, "Give exactly one 'graph' parameter.")
    if "default" in params:
        return DEFAULT_GRAPH
    if given:
        import pyoxigraph as ox

        try:
            ox.NamedNode(given[0])
        except ValueError:
            raise ServiceError(400, f"?graph= takes an absolute IRI; {given[0]!r} is not one.") from None
        return _own_graph(request, given[0])
    return None


def _location(request: Request, graph: URIRef) -> str:
    g = str(graph)
    if g.startswith(str(GRAPH)):
        return public_base(request.scope) + "/store/" + g[len(str(GRAPH)):]
    return public_base(request.scope) + "/store?graph=" + quote(g, safe="")


async def _read(request: Request, graph: URIRef | None) -> Response:
    if graph is None:
        raise ServiceError(400, "Name a graph: ?graph=IRI, ?default, or /store/{path}.")
    store = request.app.state.store
    if graph != DEFAULT_GRAPH and graph not in await run_in_threadpool(store.graphs):
        raise ServiceError(404, f"No graph {graph} in this store.")
    media = negotiate(request.headers.get("accept"), READ_TYPES)
    if media is None:
        raise ServiceError(406, f"A graph is available as {', '.join(READ_TYPES)}.")
    if media == "text/plain":
        media = R.NTRIPLES
    g = await run_in_threadpool(store.graph, graph)
    return Response(R.serialize_graph(list(g), media), media_type=R.content_type(media), headers={"Vary": "Accept"})


def _parse(data: bytes, ctype: str, name: str = "body", parse=None) -> Graph:
    """One graph from a request body, parsed by the write pipeline's RDF reader (`parse`: in the
    service, the body parser process, stopped at its time limit; nothing is ever fetched)."""
    fmt = GRAPH_FORMATS.get(ctype)
    if fmt is None:
        raise ServiceError(415, f"Send an RDF graph as one of {', '.join(sorted(GRAPH_FORMATS))}"
                                " (or multipart/form-data of them).")
    try:
        prepared = pipeline.prepare_rdf(Path(Path(name).stem + SUFFIX[fmt]), data, fmt, parse=parse)
    except pipeline.UnreadableRDF as e:
        raise ServiceError(400, f"The RDF does not parse: {e}; nothing was written.") from None
    g = Graph()
    for part in prepared.graphs.values():
        g += part
    return g


async def _body_graph(request: Request) -> Graph:
    """The graph a PUT or POST sends: one RDF body, or multipart/form-data of RDF files (merged). Parsed off
    the event loop."""
    header = request.headers.get("content-type", "")
    ctype = header.split(";")[0].strip().lower()
    parts: list[tuple[bytes, str, str]] = []
    if ctype == "multipart/form-data":
        form = await request.form()
        for _, part in form.multi_items():
            if isinstance(part, str):
                raise ServiceError(400, "Each part of the form must be an RDF file.")
            pctype = (part.content_type or "").split(";")[0].strip().lower()
            parts.append((await part.read(), pctype, part.filename or "part"))
    else:
        body = await request.body()  # at most Settings.max_body_bytes: FastAPI answers 413 beyond
        if ctype.startswith("text/") or ctype.endswith(("+xml", "+json")):
            _utf8(body, header, "body")
        parts.append((body, ctype, "body"))

    parse = partial(parse_body, timeout=request.app.state.settings.body_timeout)

    def parse_all() -> Graph:
        g = Graph()
        for data, pctype, name in parts:
            g += _parse(data, pctype, name, parse)
        return g

    return await run_in_threadpool(parse_all)


async def _write_template(request: Request, method: str, target: URIRef | None, token, ctype: str) -> Response:
    """A filled-in status template (CSV or XLSX) PUT or POSTed to the Graph Store, read by the same loader as
    POST /data. Its graph is the submission's own (graph/JIUKG/STATUS/{ORG}/{report}/{asOf}), fixed by the
    file, so a ?graph= naming another is refused (400) rather than written elsewhere; POST without a graph
    writes there. PUT replaces that graph, POST merges into it, as for RDF."""
    from jiukg.template import recommendation_numbers
    from service.template_routes import submission_org

    org, refused = submission_org(request)  # a scoped token's organisation, else ?org=
    if refused is not None:
        return refused
    if target is not None and token.refused([target]):  # before reading: another organisation's graph is 403
        return _refused(pipeline.OutOfScope(token, token.refused([target])))
    lang = request.query_params.get("lang") or None
    body = await request.body()  # at most Settings.max_body_bytes: FastAPI answers 413 beyond
    store = request.app.state.store
    activity = pipeline.Activity(f"Graph Store Protocol {method}", token)

    def run():
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / ("submission" + TEMPLATE_TYPES[ctype])
            path.write_bytes(body)
            ex = status_template.load(path, body, org=org, lang=lang,
                                      known=lambda report: recommendation_numbers(store, report))
        graph = ex.graph_iri
        if target is not None and target != graph:
            raise ServiceError(400, f"This file is the submission {ex.symbol}: it belongs to the graph {graph}, "
                                    f"not {target}. PUT it to ?graph={graph} (or POST it to /store); "
                                    "nothing was written.")
        with WRITE_LOCK:
            existed = graph in store.graphs()
            new = Graph(identifier=graph)
            if method == "POST" and existed:
                new += store.graph(graph)
            new += ex.graph
            _commit(store, {graph: new}, activity)
        return graph, existed, ex

    try:
        graph, existed, ex = await run_body_work(run)
    except status_template.TemplateRefused as e:
        return JSONResponse({"written": False, "message": str(e), "errors": e.errors}, status_code=422)
    except UnrecognisedDocument as e:
        return JSONResponse({"written": False, "message": f"{e}; nothing was written"}, status_code=422)
    except pipeline.WriteRefused as e:
        return _refused(e)
    answer = {"written": True, "graph": str(graph), "records": dict(ex.records), **activity.to_json()}
    if existed:
        return JSONResponse(answer)
    return JSONResponse(answer, status_code=201, headers={"Location": _location(request, graph)})


async def _write(request: Request, method: str, path: str | None) -> Response:
    token = writer(request)
    target = _target(request, path)
    store = request.app.state.store
    ctype = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
    if method != "DELETE" and ctype in TEMPLATE_TYPES:
        return await _write_template(request, method, target, token, ctype)
    if method == "DELETE":
        if target is None:
            raise ServiceError(400, "Name the graph to delete: ?graph=IRI, ?default, or /store/{path}.")
        body = Graph()
    else:
        body = await _body_graph(request)
    created_iri = None
    if method == "POST" and target is None:
        prefix = token.new_graph_prefix()
        if prefix is None:
            raise ServiceError(403, f"The token {token.name!r} has no graph prefix to create a graph under.")
        target = created_iri = URIRef(prefix + secrets.token_hex(8))
    activity = pipeline.Activity(f"Graph Store Protocol {method}", token)

    def run() -> bool:
        with WRITE_LOCK:
            existed = target in store.graphs()
            if method == "DELETE" and not existed and target != DEFAULT_GRAPH:
                raise ServiceError(404, f"No graph {target} in this store.")
            new = Graph(identifier=target)
            if method == "POST" and existed:
                new += store.graph(target)
            new += body
            _commit(store, {target: new}, activity)
            return existed

    try:
        existed = await run_in_threadpool(run)
    except pipeline.WriteRefused as e:
        return _refused(e)
    headers = {}
    if created_iri is not None:
        headers["Location"] = _location(request, created_iri)
    if method != "DELETE" and not existed and target != DEFAULT_GRAPH:
        return JSONResponse({"written": True, "graph": str(target), **activity.to_json()}, status_code=201,
                            headers=headers or {"Location": _location(request, target)})
    return Response(status_code=204)


STORE_DOC = """SPARQL 1.1 Graph Store HTTP Protocol. `?graph=IRI`, `?default` (jiukg's `graph/default`) or
`/store/{path}` (the graph `https://w3id.org/jiukg/graph/{path}`). GET/HEAD read (public); PUT replaces, POST
merges (POST to /store alone creates a graph and answers 201 with its Location), DELETE removes; writes need
`Authorization: Bearer <token>`, stay in the token's graphs (403) and pass the SHACL shapes (422), and are
recorded in the catalogue graph. 201 for a new graph, 204 otherwise; 404 for a missing graph; 400 for RDF that
does not parse; 415 for a type that is not an RDF graph syntax. A filled-in status template (`text/csv` or XLSX;
`?org=` unless the token is an organisation's, `?lang=` for the messages) goes into its submission's own graph:
PUT it to that graph or POST it to /store (400 for another graph; 422 with `errors` naming row and column)."""


@router.get("/store", summary="Graph Store Protocol: read a graph", description=STORE_DOC)
async def store_get(request: Request):
    return await _read(request, _target(request, None))


@router.get("/store/{path:path}", summary="Graph Store Protocol: read a graph of jiukg's namespace")
async def store_get_direct(request: Request, path: str):
    return await _read(request, _target(request, path))


@router.put("/store", summary="Graph Store Protocol: replace a graph", description=STORE_DOC)
async def store_put(request: Request):
    return await _write(request, "PUT", None)


@router.put("/store/{path:path}", summary="Graph Store Protocol: replace a graph of jiukg's namespace")
async def store_put_direct(request: Request, path: str):
    return await _write(request, "PUT", path)


@router.post("/store", summary="Graph Store Protocol: merge into a graph, or create one", description=STORE_DOC)
async def store_post(request: Request):
    return await _write(request, "POST", None)


@router.post("/store/{path:path}", summary="Graph Store Protocol: merge into a graph of jiukg's namespace")
async def store_post_direct(request: Request, path: str):
    return await _write(request, "POST", path)


@router.delete("/store", summary="Graph Store Protocol: delete a graph", description=STORE_DOC)
async def store_delete(request: Request):
    return await _write(request, "DELETE", None)


@router.delete("/store/{path:path}", summary="Graph Store Protocol: delete a graph of jiukg's namespace")
async def store_delete_direct(request: Request, path: str):
    return await _write(request, "DELETE", path)
