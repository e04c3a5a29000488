"""Remote backend: any SPARQL 1.1 server (Oxigraph server, Virtuoso, GraphDB, Neptune, Fuseki).

Queries go through SPARQLWrapper as form-encoded POSTs (a direct
`application/sparql-query` POST hangs Virtuoso 7). Writes go through SPARQL 1.1
Update (one request: DROP + INSERT DATA, atomic on Oxigraph) or the Graph Store
HTTP Protocol (PUT per graph). Server differences are evened out here so callers
get the embedded store's answers:

* JSON results: Virtuoso's 'typed-literal' is read as a literal; language tags
  are lower-cased (as Oxigraph does).
* Result cuts: Virtuoso stops at ResultSetMaxRows (10,000) and says so in the
  `X-SPARQL-MaxRows` header; the query is then paged with LIMIT/OFFSET around it.
* Default graph = union of the store's named graphs, as in the embedded store:
  `default_graph_mode` 'oxigraph' sends Oxigraph's `union-default-graph`
  parameter; 'explicit' sends every named graph as default-graph-uri and
  named-graph-uri (so Virtuoso's system graphs stay out); 'native' trusts the
  server (GraphDB, Neptune: union already, no system graphs). 'auto' picks
  'oxigraph' when the server says `Server: Oxigraph/...`, else 'explicit'.
* Virtuoso's own graphs (virtrdf#, owl#, ...) never show in graphs(), count(), quads().
"""

from __future__ import annotations

import http.client
import json
import socket
import threading
import time
import urllib.error
from collections.abc import Iterable, Iterator
from urllib.parse import urlsplit

import httpx
import pyoxigraph as ox
from rdflib import URIRef
from SPARQLWrapper import DIGEST, POST, URLENCODED, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

from .base import (
    Quad,
    QueryResult,
    QuerySyntaxError,
    QueryTimeout,
    Store,
    StoreError,
    StoreUnavailable,
    Triple,
)
from .sparql import check_query, from_json, from_ox, local_syntax_error, nt, scan

# Graphs a fresh Virtuoso 7 holds for itself (measured on Debian's 7.2.5 package).
SYSTEM_GRAPHS = (
    "http://www.openlinksw.com/schemas/virtrdf#",
    "http://www.w3.org/ns/ldp#",
    "http://localuriqaserver/sparql",
    "http://www.w3.org/2002/07/owl#",
)
NO_GRAPH = "urn:x-jiukg:no-graph"  # the default graph when the store has no graph at all

RESULTS_JSON = "application/sparql-results+json"
GRAPH_ACCEPT = "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.5"
RDF_TYPES = {"application/n-triples": ox.RdfFormat.N_TRIPLES, "text/plain": ox.RdfFormat.N_TRIPLES,
             "text/turtle": ox.RdfFormat.TURTLE, "application/rdf+xml": ox.RdfFormat.RDF_XML,
             "application/n-quads": ox.RdfFormat.N_QUADS}
_CONNECTION_ERRORS = (ConnectionError, http.client.RemoteDisconnected, http.client.BadStatusLine,
                      http.client.IncompleteRead)


class RemoteStore(Store):
    def __init__(
        self,
        query_url: str,
        *,
        update_url: str | None = None,
        gsp_url: str | None = None,
        user: str | None = None,
        password: str | None = None,
        token: str | None = None,
        auth: str = "basic",
        timeout: float = 30.0,
        retries: int = 2,
        default_graph_mode: str = "auto",
        write_mode: str = "auto",
        insert_chunk: int = 500,
        graph_cache_seconds: float = 2.0,
        ignore_graphs: Iterable[str] = SYSTEM_GRAPHS,
        **_ignored,
    ):
        self.query_url = query_url
        self.update_url = update_url
        self.gsp_url = gsp_url
        self.user, self.password, self.token = user, password, token
        self.auth = auth
        self.timeout = float(timeout or 30.0)
        self.retries = max(0, int(retries))
        if default_graph_mode not in ("auto", "oxigraph", "explicit", "native"):
            raise ValueError(f"default_graph_mode must be auto, oxigraph, explicit or native, not {default_graph_mode}")
        if write_mode not in ("auto", "update", "gsp"):
            raise ValueError(f"write_mode must be auto, update or gsp, not {write_mode}")
        self.default_graph_mode = default_graph_mode
        self.write_mode = write_mode
        self.insert_chunk = insert_chunk
        self.graph_cache_seconds = graph_cache_seconds
        self.ignore_graphs = frozenset(ignore_graphs)
        self.description = f"SPARQL server {query_url}"
        self.server: str | None = None  # the Server header, once seen
        self._graphs_cache: tuple[float, list[URIRef]] | None = None
        self._lock = threading.Lock()
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        http_auth = None
        if user is not None:
            cls = httpx.DigestAuth if auth == "digest" else httpx.BasicAuth
            http_auth = cls(user, password or "")
        self._http = httpx.Client(headers=headers, auth=http_auth, timeout=self.timeout)

    # ------------------------------------------------------------ transport

    def _sparql(self, query: str, *, accept: str, params: list[tuple[str, str]], timeout: float | None,
                user_query: bool) -> tuple[dict, bytes]:
        """One query through SPARQLWrapper; connection errors are retried, then StoreUnavailable."""
        limit = timeout if timeout is not None else self.timeout
        deadline = time.monotonic() + limit
        attempt = 0
        while True:
            attempt += 1
            w = SPARQLWrapper(self.query_url)
            w.setMethod(POST)
            w.setRequestMethod(URLENCODED)
            w.setOnlyConneg(True)
            w.setQuery(query)
            # SPARQLWrapper guesses the query form with a regex that misfires on words in
            # the text (a literal containing "ADD" made it send the query as an update);
            # this path only ever sends read queries, so say so.
            w.queryType = "SELECT"
            w.timeout = max(0.05, deadline - time.monotonic())  # setTimeout() truncates to int
            for k, v in params:
                if k == "default-graph-uri":
                    w.addDefaultGraph(v)
                elif k == "named-graph-uri":
                    w.addNamedGraph(v)
                else:
                    w.addParameter(k, v)
            if self.user is not None:
                if self.auth == "digest":
                    w.setHTTPAuth(DIGEST)
                w.setCredentials(self.user, self.password or "")
            if self.token:
                w.addCustomHttpHeader("Authorization", f"Bearer {self.token}")
            w.addCustomHttpHeader("Accept", accept)
            try:
                response = w.query().response
                headers = {k.lower(): v for k, v in response.headers.items()}
                data = response.read()
                self.server = self.server or headers.get("server", "")
                return headers, data
            except SPARQLWrapperException as e:
                body = _exception_body(e)
                if type(e).__name__ == "QueryBadFormed":
                    if user_query:
                        raise local_syntax_error(query) or QuerySyntaxError(
                            f"{self.description} rejected the query: {body.strip()[:1000]}") from None
                    raise StoreError(f"{self.description} rejected an internal query: {body.strip()[:500]}") from None
                if type(e).__name__ == "Unauthorized":
                    raise StoreError(f"{self.description}: not authorised (check JIUKG_USER/JIUKG_PASSWORD "
                                     "or JIUKG_TOKEN)") from None
                raise StoreError(f"{self.description}: {type(e).__name__}: {body.strip()[:500]}") from None
            except urllib.error.HTTPError as e:
                if e.code in (502, 503, 504) and attempt <= self.retries and time.monotonic() < deadline:
                    time.sleep(min(0.5 * attempt, max(0.0, deadline - time.monotonic())))
                    continue
                if e.code in (502, 503, 504):
                    raise StoreUnavailable(f"{self.description}: HTTP {e.code} {e.reason}") from None
                raise StoreError(f"{self.description}: HTTP {e.code} {e.reason}") from None
            except TimeoutError as e:
                raise self._timed_out(limit, user_query) from e
            except (urllib.error.URLError, *_CONNECTION_ERRORS, OSError) as e:
                reason = getattr(e, "reason", e)
                if isinstance(reason, (TimeoutError, socket.timeout)):
                    raise self._timed_out(limit, user_query) from None
                if attempt <= self.retries and time.monotonic() < deadline:
                    time.sleep(min(0.3 * attempt, max(0.0, deadline - time.monotonic())))
                    continue
                raise StoreUnavailable(f"{self.description}: cannot query ({_reason(reason)}); "
                                       f"tried {attempt} time(s)") from None

    def _timed_out(self, limit: float, user_query: bool) -> StoreError:
        if user_query:
            return QueryTimeout(f"{self.description}: the query ran past its {limit:g} s time limit; the request "
                                "was abandoned (set the server's own limit too, see docs/deployment.md)")
        return StoreUnavailable(f"{self.description}: no answer within {limit:g} s")

    def _send(self, method: str, url: str, *, what: str, **kw) -> httpx.Response:
        """A write request (Update or Graph Store Protocol), retried on connection errors.
        Replacing graphs is idempotent, so a retry after a lost answer does no harm."""
        attempt = 0
        while True:
            attempt += 1
            try:
                r = self._http.request(method, url, **kw)
            except httpx.TimeoutException:
                raise StoreUnavailable(f"SPARQL server {url}: {what}: no answer within {self.timeout:g} s") from None
            except httpx.TransportError as e:
                if attempt <= self.retries:
                    time.sleep(0.3 * attempt)
                    continue
                raise StoreUnavailable(f"SPARQL server {url}: {what}: cannot connect ({_reason(e)}); "
                                       f"tried {attempt} time(s)") from None
            if r.status_code in (502, 503, 504) and attempt <= self.retries:
                time.sleep(0.5 * attempt)
                continue
            if r.status_code in (502, 503, 504):
                raise StoreUnavailable(f"SPARQL server {url}: {what}: HTTP {r.status_code}")
            if r.status_code in (401, 403):
                raise StoreError(f"SPARQL server {url}: {what}: not authorised (HTTP {r.status_code}; check "
                                 "JIUKG_USER/JIUKG_PASSWORD or JIUKG_TOKEN)")
            if r.status_code >= 400:
                raise StoreError(f"SPARQL server {url}: {what} failed: HTTP {r.status_code}: {r.text.strip()[:500]}")
            return r

    # ------------------------------------------------------------ server differences

    def _is_oxigraph(self) -> bool:
        if self.server is None:
            self._sparql("ASK {}", accept=RESULTS_JSON, params=[], timeout=None, user_query=False)
        return (self.server or "").lower().startswith("oxigraph")

    def _mode(self) -> str:
        if self.default_graph_mode == "auto":
            return "oxigraph" if self._is_oxigraph() else "explicit"
        return self.default_graph_mode

    def _dataset_params(self, query_has_dataset: bool, default_graph, named_graphs) -> list[tuple[str, str]]:
        mode = self._mode()
        if mode == "native":
            return ([("default-graph-uri", str(g)) for g in default_graph or []]
                    + [("named-graph-uri", str(g)) for g in named_graphs or []])
        if query_has_dataset and not default_graph and not named_graphs:
            return []  # the query's own FROM / FROM NAMED decide
        if mode == "oxigraph" and not default_graph and not named_graphs:
            return [("union-default-graph", "true")]
        every = [str(g) for g in self._graph_list()] or [NO_GRAPH]
        return ([("default-graph-uri", str(g)) for g in (default_graph or every)]
                + [("named-graph-uri", str(g)) for g in (named_graphs or every)])

    def _graph_list(self) -> list[URIRef]:
        with self._lock:
            cached = self._graphs_cache
        if cached and time.monotonic() - cached[0] < self.graph_cache_seconds:
            return cached[1]
        gs = self.graphs()
        with self._lock:
            self._graphs_cache = (time.monotonic(), gs)
        return gs

    def _written(self) -> None:
        with self._lock:
            self._graphs_cache = None

    # ------------------------------------------------------------ queries

    def query(self, sparql, *, default_graph=None, named_graphs=None, timeout=None) -> QueryResult:
        s = check_query(sparql)
        params = self._dataset_params(s.has_dataset, default_graph, named_graphs)
        return self._run(sparql, params, timeout, user_query=True, form=s.form)

    def _run(self, sparql: str, params, timeout, *, user_query: bool, form: str | None) -> QueryResult:
        if form in ("CONSTRUCT", "DESCRIBE"):
            headers, data = self._sparql(sparql, accept=GRAPH_ACCEPT, params=params, timeout=timeout,
                                         user_query=user_query)
            ctype = headers.get("content-type", "application/n-triples").split(";")[0].strip()
            fmt = RDF_TYPES.get(ctype)
            if fmt is None:
                raise StoreError(f"{self.description}: unexpected content type {ctype} for a graph result")
            return QueryResult(kind="graph", triples=[(from_ox(t.subject), from_ox(t.predicate), from_ox(t.object))
                                                      for t in ox.parse(data, format=fmt)])
        deadline = time.monotonic() + (timeout if timeout is not None else self.timeout)
        headers, data = self._sparql(sparql, accept=RESULTS_JSON, params=params, timeout=timeout,
                                     user_query=user_query)
        doc = _json(data, self.description)
        if "boolean" in doc:
            return QueryResult(kind="ask", boolean=bool(doc["boolean"]))
        variables = list(doc.get("head", {}).get("vars", []))
        rows = [{k: from_json(v) for k, v in b.items()} for b in doc.get("results", {}).get("bindings", [])]
        cut = headers.get("x-sparql-maxrows")
        if cut and len(rows) >= int(cut):
            rows = self._paged(sparql, params, int(cut), deadline, user_query, variables)
        return QueryResult(kind="select", variables=variables, rows=rows)

    def _paged(self, sparql, params, page: int, deadline: float, user_query: bool, variables) -> list[dict]:
        """The server cut the result: ask again page by page, the query as a subquery."""
        s = scan(sparql)
        prologue, body = sparql[: s.prologue_end], sparql[s.prologue_end:]
        rows: list[dict] = []
        offset, start = 0, time.monotonic()
        while True:
            q = f"{prologue}\nSELECT * WHERE {{ {{\n{body}\n}} }} LIMIT {page} OFFSET {offset}"
            left = deadline - time.monotonic()
            if left <= 0:
                raise self._timed_out(deadline - start, user_query)
            _, data = self._sparql(q, accept=RESULTS_JSON, params=params, timeout=left, user_query=user_query)
            batch = _json(data, self.description).get("results", {}).get("bindings", [])
            rows.extend({k: from_json(v) for k, v in b.items()} for b in batch)
            if len(batch) < page:
                return rows
            offset += page

    def _internal_select(self, sparql: str) -> list[dict]:
        return self._run(sparql, [], None, user_query=False, form="SELECT").rows

    # ------------------------------------------------------------ reads

    def graphs(self) -> list[URIRef]:
        rows = self._internal_select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        return sorted(URIRef(r["g"]) for r in rows if "g" in r and str(r["g"]) not in self.ignore_graphs)

    def _not_system(self) -> str:
        if not self.ignore_graphs:
            return ""
        return "FILTER(?g NOT IN (" + ", ".join(f"<{g}>" for g in sorted(self.ignore_graphs)) + "))"

    def count(self, graph: URIRef | None = None) -> int:
        if graph is not None:
            q = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {nt(URIRef(graph))} {{ ?s ?p ?o }} }}"
        else:
            q = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {self._not_system()} }}"
        n = int(self._internal_select(q)[0]["n"])
        if graph is None and self._is_oxigraph():  # Oxigraph keeps a separate default graph
            n += int(self._internal_select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")[0]["n"])
        return n

    def quads(self, graph: URIRef | None = None) -> Iterator[Quad]:
        for g in [URIRef(graph)] if graph is not None else self.graphs():
            q = f"SELECT ?s ?p ?o WHERE {{ GRAPH {nt(g)} {{ ?s ?p ?o }} }} ORDER BY ?s ?p ?o"
            for r in self._internal_select(q):
                yield r["s"], r["p"], r["o"], g

    # ------------------------------------------------------------ writes

    def _require(self, url: str | None, what: str) -> str:
        if not url:
            raise StoreError(f"{self.description}: cannot {what}: no update URL configured (JIUKG_UPDATE_URL)")
        return url

    def _update(self, text: str, what: str) -> None:
        url = self._require(self.update_url, what)
        self._send("POST", url, what=what, data={"update": text},
                   headers={"Accept": "*/*"})

    def _write_mode(self) -> str:
        if self.write_mode != "auto":
            return self.write_mode
        if self._is_oxigraph() or not self.gsp_url:
            return "update"
        return "gsp"

    def replace_graphs(self, graphs: dict[URIRef, Iterable[Triple]]) -> None:
        if not graphs:
            return
        try:
            prepared = {URIRef(g): [f"{nt(s)} {nt(p)} {nt(o)} ." for s, p, o in ts] for g, ts in graphs.items()}
        except (TypeError, ValueError) as e:
            raise StoreError(f"{self.description}: nothing was written: {e}") from e
        try:
            if self._write_mode() == "gsp":
                self._replace_gsp(prepared)
            else:
                chunk = 1_000_000 if self._is_oxigraph() else self.insert_chunk
                parts = []
                for g, lines in prepared.items():
                    parts.append(f"DROP SILENT GRAPH {nt(g)}")
                    for i in range(0, len(lines), chunk):
                        parts.append(f"INSERT DATA {{ GRAPH {nt(g)} {{\n" + "\n".join(lines[i:i + chunk]) + "\n} }")
                self._update(" ;\n".join(parts), f"replacing {len(prepared)} graph(s)")
        finally:
            self._written()

    def _replace_gsp(self, prepared: dict[URIRef, list[str]]) -> None:
        """PUT each graph (atomic per graph). Not atomic across graphs: on a failure the graphs
        already replaced are put back as they were, so the store ends as it was unless the server
        fails again while restoring (the message then says which graphs may differ)."""
        url = self._require(self.gsp_url, "replace graphs")
        old = {g: [f"{nt(s)} {nt(p)} {nt(o)} ." for s, p, o, _ in self.quads(g)] for g in prepared}
        done: list[URIRef] = []
        try:
            for g, lines in prepared.items():
                self._gsp_put(url, g, lines)
                done.append(g)
        except StoreError as e:
            failed = []
            for g in done:
                try:
                    self._gsp_put(url, g, old[g])
                except StoreError:
                    failed.append(str(g))
            if failed:
                raise type(e)(f"{e}; could not restore {', '.join(failed)}") from e
            raise type(e)(f"{e}; the graphs already replaced were restored") from e

    def _gsp_put(self, url: str, g: URIRef, lines: list[str]) -> None:
        params = {"graph-uri" if "sparql-graph-crud" in urlsplit(url).path else "graph": str(g)}
        if lines:
            self._send("PUT", url, what=f"PUT graph {g}", params=params, content="\n".join(lines).encode(),
                       headers={"Content-Type": "application/n-triples"})
        else:
            try:
                self._send("DELETE", url, what=f"DELETE graph {g}", params=params)
            except StoreError as e:
                if "HTTP 404" not in str(e):
                    raise

    def add(self, quads: Iterable[Quad]) -> None:
        lines: dict[URIRef | None, list[str]] = {}
        for s, p, o, g in quads:
            lines.setdefault(URIRef(g) if g is not None else None, []).append(f"{nt(s)} {nt(p)} {nt(o)} .")
        if not lines:
            return
        chunk = 1_000_000 if self._is_oxigraph() else self.insert_chunk
        parts = []
        for g, ls in lines.items():
            for i in range(0, len(ls), chunk):
                body = "\n".join(ls[i:i + chunk])
                parts.append(f"INSERT DATA {{ GRAPH {nt(g)} {{\n{body}\n}} }}" if g is not None
                             else f"INSERT DATA {{\n{body}\n}}")
        try:
            self._update(" ;\n".join(parts), "adding quads")
        finally:
            self._written()

    def drop_graph(self, graph: URIRef) -> None:
        try:
            self._update(f"DROP SILENT GRAPH {nt(URIRef(graph))}", f"dropping graph {graph}")
        finally:
            self._written()

    def close(self) -> None:
        self._http.close()


def _json(data: bytes, description: str) -> dict:
    try:
        return json.loads(data)
    except ValueError as e:
        raise StoreError(f"{description}: the answer is not SPARQL JSON results ({e})") from None


def _exception_body(e: Exception) -> str:
    """SPARQLWrapper puts the server's answer as a bytes repr after 'Response:'."""
    import ast

    text = str(e)
    if "Response:\n" in text:
        body = text.split("Response:\n", 1)[1].strip()
        try:
            value = ast.literal_eval(body)
            body = value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
        except (ValueError, SyntaxError):
            pass
        return body
    return text


def _reason(e) -> str:
    if isinstance(e, httpx.TransportError) and e.__cause__ is not None:
        e = e.__cause__
    text = str(e) or type(e).__name__
    return text.replace("[Errno 111] ", "")
