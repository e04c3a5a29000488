"""Remote backend: any SPARQL 1.1 server (Oxigraph server, Virtuoso, GraphDB, Neptune, Fuseki).

Queries go through SPARQLWrapper as form-encoded POSTs (a direct
`application/sparql-query` POST hangs Virtuoso 7). Writes go through SPARQL 1.1
Update (one request: DROP + INSERT DATA, atomic on Oxigraph) or the Graph Store
HTTP Protocol (PUT per graph). Server differences are evened out here so callers
get the embedded store's answers:

* JSON results: Virtuoso's 'typed-literal' is read as a literal; language tags
  are lower-cased (as Oxigraph does). iter_rows reads XML results as they arrive
  (pyoxigraph's JSON reader refuses Virtuoso's `nodeID://` blank nodes).
* Result cuts: Virtuoso stops at ResultSetMaxRows (10,000) and says so in the
  `X-SPARQL-MaxRows` header; the query is then paged with LIMIT/OFFSET around it.
* Default graph = union of the store's named graphs, as in the embedded store:
  `default_graph_mode` 'oxigraph' sends Oxigraph's `union-default-graph`
  parameter; 'explicit' sends every named graph as default-graph-uri and
  named-graph-uri (so Virtuoso's system graphs stay out), from a listing reused
  for `graph_cache_seconds` and renewed after each write through this client;
  'native' trusts the server (GraphDB, Neptune: union already, no system
  graphs). 'auto' picks 'oxigraph' when the server says `Server: Oxigraph/...`,
  else 'explicit'. (Virtuoso's `define input:default-graph-exclude` pragmas would
  spare the listing, but with them Virtuoso 7.2 answers `GRAPH <g> {...}` wrongly.)
* Protocol datasets: with only named graphs given the default graph is empty,
  with only a default graph no named graph is visible (Virtuoso shows every
  graph unless a named graph is given, so a graph that does not exist is).
* Virtuoso's own graphs (virtrdf#, owl#, ...) never show in graphs(), count(), quads().
* Virtuoso 7.2 can answer SELECT DISTINCT with the same row twice (seen on the catalogue's
  implementation-rates: BINDs over several OPTIONALs); repeats are dropped here.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import socket
import threading
import time
import urllib.error
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from urllib.parse import urlsplit

import httpx
import pyoxigraph as ox
from rdflib import URIRef
from SPARQLWrapper import DIGEST, POST, URLENCODED, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

from .base import (
    USER_LANE,
    Generation,
    Quad,
    QueryResult,
    QuerySyntaxError,
    QueryTimeout,
    Store,
    StoreError,
    StoreUnavailable,
    Triple,
    WriteGeneration,
    check_lane,
    explicit_dataset,
    threaded_rows,
)
from .sparql import (check_query, from_json, from_ox, local_syntax_error, nt,
                     results_term, scan, without_dataset)

# Graphs a fresh Virtuoso 7 holds for itself (measured on Debian's 7.2.5 package).
SYSTEM_GRAPHS = (
    "http://www.openlinksw.com/schemas/virtrdf#",
    "http://www.w3.org/ns/ldp#",
    "http://localuriqaserver/sparql",
    "http://www.w3.org/2002/07/owl#",
)
NO_GRAPH = "urn:x-jiukg:no-graph"  # the default graph when the store has no graph at all

RESULTS_JSON = "application/sparql-results+json"
RESULTS_XML = "application/sparql-results+xml"
MODES = ("auto", "oxigraph", "explicit", "native")
GRAPH_ACCEPT = "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.5"
RDF_TYPES = {"application/n-triples": ox.RdfFormat.N_TRIPLES, "text/plain": ox.RdfFormat.N_TRIPLES,
             "text/turtle": ox.RdfFormat.TURTLE, "application/rdf+xml": ox.RdfFormat.RDF_XML,
             "application/n-quads": ox.RdfFormat.N_QUADS}
_CONNECTION_ERRORS = (ConnectionError, http.client.RemoteDisconnected, http.client.BadStatusLine,
                      http.client.IncompleteRead)


@dataclass(frozen=True)
class _Dataset:
    """How one query's dataset is sent: SPARQL protocol parameters."""

    params: tuple[tuple[str, str], ...] = ()


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
        if default_graph_mode not in MODES:
            raise ValueError(f"default_graph_mode must be one of {', '.join(MODES)}, not {default_graph_mode}")
        if write_mode not in ("auto", "update", "gsp"):
            raise ValueError(f"write_mode must be auto, update or gsp, not {write_mode}")
        self.default_graph_mode = default_graph_mode
        self.write_mode = write_mode
        self.insert_chunk = insert_chunk
        self.graph_cache_seconds = float(graph_cache_seconds)
        self.ignore_graphs = frozenset(ignore_graphs)
        self.description = f"SPARQL server {query_url}"
        self.server: str | None = None  # the Server header, once seen
        self._graphs_cache: tuple[float, int, list[URIRef]] | None = None  # (when, write generation, graphs)
        self._writes = 0  # bumped by every write through this client
        self._write_generation = WriteGeneration()  # the same writes, for HTTP validators (generation())
        self._shared: tuple[float, int, str, datetime | None] | None = None  # (when, writes, digest, newest)
        self._lock = threading.Lock()
        self._listing = threading.Lock()  # one listing of graphs at a time; the others wait and reuse it
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        http_auth = None
        if user is not None:
            cls = httpx.DigestAuth if auth == "digest" else httpx.BasicAuth
            http_auth = cls(user, password or "")
        self._http = httpx.Client(headers=headers, auth=http_auth, timeout=self.timeout)

    # ------------------------------------------------------------ transport

    def _left(self, deadline: float | None) -> float | None:
        """Seconds to a deadline (None: the store's own per-request limit); past it, a little, so the
        request fails as a time-out rather than not being sent."""
        if deadline is None:
            return None
        return max(0.05, deadline - time.monotonic())

    def _sparql(self, query: str, *, accept: str, params, timeout: float | None, user_query: bool,
                stream: bool = False):
        """One query through SPARQLWrapper; connection errors are retried, then StoreUnavailable.
        Returns (headers, body bytes), or (headers, the open response) with `stream`."""
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
                self.server = self.server or headers.get("server", "")
                if stream:
                    return headers, response
                return headers, response.read()
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

    def _server_kind(self, timeout: float | None = None) -> str:
        """'oxigraph', 'virtuoso' or 'other', from the Server header (one ASK {} the first time)."""
        if self.server is None:
            self._sparql("ASK {}", accept=RESULTS_JSON, params=[], timeout=timeout, user_query=False)
        server = (self.server or "").lower()
        return "oxigraph" if server.startswith("oxigraph") else "virtuoso" if server.startswith("virtuoso") else "other"

    def _is_oxigraph(self) -> bool:
        return self._server_kind() == "oxigraph"

    def _mode(self, timeout: float | None = None) -> str:
        if self.default_graph_mode == "auto":
            return "oxigraph" if self._server_kind(timeout) == "oxigraph" else "explicit"
        return self.default_graph_mode

    def _dataset(self, has_dataset: bool, default_graph, named_graphs, deadline: float | None) -> _Dataset:
        """What to send for the dataset rules of base.Store."""
        mode = self._mode(self._left(deadline))
        ds = explicit_dataset(default_graph, named_graphs)
        if ds is not None:
            dg, ng = ds
            if mode != "oxigraph":
                # Virtuoso shows every graph to GRAPH ?g when no named-graph-uri is sent (Oxigraph follows
                # the protocol); a graph that does not exist stands for "none" on any server.
                dg, ng = dg or [NO_GRAPH], ng or [NO_GRAPH]
            return _Dataset(tuple([("default-graph-uri", g) for g in dg] + [("named-graph-uri", g) for g in ng]))
        if has_dataset or mode == "native":
            return _Dataset()  # the query's own FROM / FROM NAMED decide, or the server's union default graph
        if mode == "oxigraph":
            return _Dataset((("union-default-graph", "true"),))
        every = [str(g) for g in self._graph_list(deadline)] or [NO_GRAPH]
        return _Dataset(tuple([("default-graph-uri", g) for g in every] + [("named-graph-uri", g) for g in every]))

    @staticmethod
    def _protocol_dataset_wins(sparql: str, s, default_graph, named_graphs) -> str:
        """Given default or named graphs, the query's own FROM / FROM NAMED go: the protocol's dataset
        replaces the query's (Virtuoso would merge them)."""
        if s.has_dataset and explicit_dataset(default_graph, named_graphs) is not None:
            return without_dataset(sparql)
        return sparql

    def _graph_list(self, deadline: float | None) -> list[URIRef]:
        """The server's graphs for 'explicit' mode: a listing reused for graph_cache_seconds (graphs
        written by other clients show up within that time) and renewed after a write through this client."""
        def fresh():
            with self._lock:
                c = self._graphs_cache
            if c and c[1] == self._writes and time.monotonic() - c[0] < self.graph_cache_seconds:
                return c[2]
            return None

        gs = fresh()
        if gs is not None:
            return gs
        if not self._listing.acquire(timeout=self._left(deadline) if deadline is not None else self.timeout):
            raise QueryTimeout(f"{self.description}: the time limit passed while waiting for a listing of its graphs")
        try:
            gs = fresh()  # another thread may have listed them while this one waited
            if gs is not None:
                return gs
            writes = self._writes
            gs = self._list_graphs(self._left(deadline))
            with self._lock:
                self._graphs_cache = (time.monotonic(), writes, gs)
            return gs
        finally:
            self._listing.release()

    def _written(self) -> None:
        with self._lock:
            self._writes += 1
            self._graphs_cache = None
            self._shared = None
            self._write_generation.bump()

    def generation(self) -> Generation:
        """Writes through this client, and the graph catalogue every jiukg write records (so
        another replica's writes show within graph_cache_seconds): a digest of its entries
        (graph, time written, triples) joins the tag; the newest time, Last-Modified."""
        with self._lock:
            c, writes = self._shared, self._writes
        if c is None or c[1] != writes or time.monotonic() - c[0] >= self.graph_cache_seconds:
            from jiukg.namespaces import CATALOGUE_GRAPH

            rows = self._internal_select(
                f"SELECT ?g ?t ?n WHERE {{ GRAPH <{CATALOGUE_GRAPH}> {{ "
                "?g <http://www.w3.org/ns/prov#generatedAtTime> ?t "
                "OPTIONAL { ?g <http://rdfs.org/ns/void#triples> ?n } } }")
            entries = sorted("\t".join(str(r.get(k, "")) for k in ("g", "t", "n")) for r in rows)
            digest = hashlib.sha1("\n".join(entries).encode()).hexdigest()[:12]
            times = [_utc(r["t"]) for r in rows if "t" in r]
            c = (time.monotonic(), writes, digest, max((t for t in times if t), default=None))
            with self._lock:
                self._shared = c
        gen = self._write_generation.current(c[2])
        if c[3] is not None and c[3] > gen.modified:
            return Generation(gen.tag, c[3])
        return gen

    # ------------------------------------------------------------ queries

    def query(self, sparql, *, default_graph=None, named_graphs=None, timeout=None, lane=USER_LANE,
              base_iri=None) -> QueryResult:
        """`lane` is accepted and ignored: the server does the work and has its own limits. A server
        resolves relative IRIs against its own URL: with `base_iri`, a BASE declaration goes first
        (the query's own BASE, later in the prologue, still wins)."""
        check_lane(lane)
        s = check_query(sparql)
        deadline = time.monotonic() + timeout if timeout is not None else None
        ds = self._dataset(s.has_dataset, default_graph, named_graphs, deadline)
        original = sparql
        sparql = self._protocol_dataset_wins(sparql, s, default_graph, named_graphs)
        if base_iri:
            sparql = f"BASE {nt(URIRef(base_iri))}\n{sparql}"
        try:
            return self._run(sparql, ds, self._left(deadline), user_query=True, form=s.form,
                             distinct=s.distinct and self._server_kind(self._left(deadline)) == "virtuoso")
        except QuerySyntaxError as e:
            if not base_iri:
                raise
            raise local_syntax_error(original) or e from None  # positions in the text the user sent

    def _run(self, sparql: str, ds: _Dataset, timeout, *, user_query: bool, form: str | None,
             distinct: bool = False) -> QueryResult:
        if form in ("CONSTRUCT", "DESCRIBE"):
            headers, data = self._sparql(sparql, accept=GRAPH_ACCEPT, params=ds.params,
                                         timeout=timeout, user_query=user_query)
            ctype = headers.get("content-type", "application/n-triples").split(";")[0].strip()
            fmt = RDF_TYPES.get(ctype)
            if fmt is None:
                raise StoreError(f"{self.description}: unexpected content type {ctype} for a graph result")
            return QueryResult(kind="graph", triples=[(from_ox(t.subject), from_ox(t.predicate), from_ox(t.object))
                                                      for t in ox.parse(data, format=fmt)])
        deadline = time.monotonic() + (timeout if timeout is not None else self.timeout)
        headers, data = self._sparql(sparql, accept=RESULTS_JSON, params=ds.params,
                                     timeout=timeout, user_query=user_query)
        doc = _json(data, self.description)
        if "boolean" in doc:
            return QueryResult(kind="ask", boolean=bool(doc["boolean"]))
        variables = list(doc.get("head", {}).get("vars", []))
        rows = [{k: from_json(v) for k, v in b.items()} for b in doc.get("results", {}).get("bindings", [])]
        cut = headers.get("x-sparql-maxrows")
        if cut and len(rows) >= int(cut):
            rows = list(self._pages(sparql, ds, int(cut), 0, deadline, user_query))
        if distinct:
            rows = list(_unique(rows))
        return QueryResult(kind="select", variables=variables, rows=rows)

    def _page_query(self, sparql: str, page: int, offset: int) -> str:
        """The query as a subquery, one page of it: `SELECT * { { query } } LIMIT page OFFSET offset`."""
        s = scan(sparql)
        prologue, body = sparql[: s.prologue_end], sparql[s.prologue_end:]
        return f"{prologue}\nSELECT * WHERE {{ {{\n{body}\n}} }} LIMIT {page} OFFSET {offset}"

    def _pages(self, sparql, ds: _Dataset, page: int, offset: int, deadline: float | None,
               user_query: bool) -> Iterator[dict]:
        """The server cut the result: ask again page by page from `offset`, the query as a subquery.
        Each page's rows come as they arrive (XML results, read incrementally)."""
        start = time.monotonic()
        while True:
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                raise self._timed_out(deadline - start, user_query)
            headers, resp = self._sparql(self._page_query(sparql, page, offset), accept=RESULTS_XML,
                                         params=ds.params, timeout=left, user_query=user_query,
                                         stream=True)
            n = 0
            for row in self._read_rows(resp, left, user_query):
                n += 1
                yield row
            if n < page:
                return
            offset += page

    def _read_rows(self, resp, limit: float | None, user_query: bool) -> Iterator[dict]:
        """Rows of an XML results response as they are read; read errors become store errors."""
        try:
            yield from _xml_rows(_Chunks(resp))
        except ET.ParseError as e:
            raise StoreError(f"{self.description}: the answer is not SPARQL XML results ({e})") from None
        except (TimeoutError, socket.timeout):
            raise self._timed_out(limit if limit is not None else self.timeout, user_query) from None
        except (*_CONNECTION_ERRORS, OSError) as e:
            raise StoreUnavailable(f"{self.description}: the answer broke off ({_reason(e)})") from None
        finally:
            resp.close()

    def iter_rows(self, sparql, *, default_graph=None, named_graphs=None, timeout=None, lane=USER_LANE):
        """Streams: the answer is read as XML while the caller takes rows; past a server's row cut
        (Virtuoso), the following pages are asked for as the rows before them are used up. With
        `timeout` the whole iteration has that limit; without, each request has the store's."""
        check_lane(lane)
        s = check_query(sparql)
        if s.form not in (None, "SELECT"):
            raise StoreError(f"{self.description}: iter_rows needs a SELECT query, not {s.form}")
        deadline = time.monotonic() + timeout if timeout is not None else None
        ds = self._dataset(s.has_dataset, default_graph, named_graphs, deadline)
        sparql = self._protocol_dataset_wins(sparql, s, default_graph, named_graphs)
        return self._stream(sparql, ds, deadline, user_query=True,
                            distinct=s.distinct and self._server_kind(self._left(deadline)) == "virtuoso")

    def _stream(self, sparql: str, ds: _Dataset, deadline: float | None, *, user_query: bool,
                distinct: bool = False) -> Iterator[dict]:
        left = self._left(deadline)
        headers, resp = self._sparql(sparql, accept=RESULTS_XML, params=ds.params,
                                     timeout=left, user_query=user_query, stream=True)  # errors raised here
        cut = headers.get("x-sparql-maxrows")

        def produce():
            n = 0
            for row in self._read_rows(resp, left, user_query):
                n += 1
                yield row
            if cut and n >= int(cut):
                yield from self._pages(sparql, ds, int(cut), n, deadline, user_query)

        return threaded_rows(lambda: _unique(produce()) if distinct else produce(), deadline=deadline,
                             description=self.description)

    def _internal_select(self, sparql: str, timeout: float | None = None) -> list[dict]:
        return self._run(sparql, _Dataset(), timeout, user_query=False, form="SELECT").rows

    # ------------------------------------------------------------ reads

    def graphs(self) -> list[URIRef]:
        """Every graph on the server holding a triple, whoever wrote it (never cached)."""
        return self._list_graphs(None)

    def _list_graphs(self, timeout: float | None) -> list[URIRef]:
        if self._server_kind(timeout) == "oxigraph":
            # Oxigraph lists its graph names; EXISTS skips names left by CLEAR
            q = "SELECT ?g WHERE { GRAPH ?g { } FILTER EXISTS { GRAPH ?g { ?s ?p ?o } } }"
        else:
            # Virtuoso answers this DISTINCT as a subquery from its graph index (10 ms for 300k triples) but
            # the same DISTINCT at the top by a full scan (4 s; 14 s under load). `GRAPH ?g {}` gives no ?g there.
            q = "SELECT ?g WHERE { { SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } } }"
        rows = self._internal_select(q, timeout)
        return sorted({URIRef(r["g"]) for r in rows if "g" in r and str(r["g"]) not in self.ignore_graphs})

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
        """Streams each graph (for export and validation); each request has the store's time limit."""
        for g in [URIRef(graph)] if graph is not None else self.graphs():
            q = f"SELECT ?s ?p ?o WHERE {{ GRAPH {nt(g)} {{ ?s ?p ?o }} }} ORDER BY ?s ?p ?o"
            for r in self._stream(q, _Dataset(), None, user_query=False):
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


def _unique(rows: Iterable[dict]) -> Iterator[dict]:
    """Rows in their order, each once (for servers whose DISTINCT lets repeats through)."""
    seen = set()
    for r in rows:
        key = frozenset(r.items())
        if key not in seen:
            seen.add(key)
            yield r


_SR = "{http://www.w3.org/2005/sparql-results#}"
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def _xml_term(el):
    tag = el.tag[len(_SR):] if el.tag.startswith(_SR) else el.tag
    text = el.text or ""
    return results_term(tag, text, el.get(_XML_LANG), el.get("datatype"), "XML")


class _Chunks:
    """A response whose read(n) returns what has arrived (at most n bytes) instead of waiting for n,
    so rows are parsed as the server sends them."""

    def __init__(self, resp):
        self.resp = resp

    def read(self, n: int = -1) -> bytes:
        read1 = getattr(self.resp, "read1", None)
        return read1(n if n and n > 0 else 1 << 16) if read1 else self.resp.read(n)


def _xml_rows(stream) -> Iterator[dict]:
    """SPARQL XML results read incrementally (expat through iterparse): one dict per <result>,
    each dropped from the tree once yielded, so memory stays flat."""
    parent = None
    for event, el in ET.iterparse(stream, events=("start", "end")):
        if event == "start":
            if el.tag == _SR + "results":
                parent = el
            continue
        if el.tag != _SR + "result":
            continue
        row = {}
        for b in el.iter(_SR + "binding"):
            term = next(iter(b), None)
            if term is not None:
                row[b.get("name")] = _xml_term(term)
        yield row
        if parent is not None:
            parent.clear()


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


def _utc(value) -> datetime | None:
    """An xsd:dateTime literal as an aware UTC datetime (none without a zone: read as UTC)."""
    try:
        t = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return t.astimezone(timezone.utc) if t.tzinfo else t.replace(tzinfo=timezone.utc)


def _reason(e) -> str:
    if isinstance(e, httpx.TransportError) and e.__cause__ is not None:
        e = e.__cause__
    text = str(e) or type(e).__name__
    return text.replace("[Errno 111] ", "")
