"""A query worker process: runs SPARQL on a read-only pyoxigraph handle.

Started as a plain script (`python _worker.py`), so it imports only pyoxigraph,
not the jiukg package. The parent kills it when a query runs past its time
limit: pyoxigraph cannot stop a query from inside. Protocol on stdin/stdout:
8-byte big-endian length, then a pickle. Request: dict(path, query, dataset,
default_graph, named_graphs, union, select_format, graph_format, stream).
`dataset` True means the protocol's dataset: exactly `default_graph` as default
graph and `named_graphs` as named graphs, either possibly empty.

Answer to a plain request: ('ok', kind, media_type, bytes) or ('err', 'syntax' | 'store' | 'too_large',
message). `max_bytes` (optional) bounds the serialised answer: past it, serialising stops and the
answer is ('err', 'too_large', ...), so a huge result never sits whole in either process.
Answer to a `stream` request (SELECT rows, for iter_rows): ('head', variables), then
('rows', [row, ...]) messages, each row a tuple of encoded terms (None when unbound:
('u', iri), ('b', id), ('l', value, language, datatype)), then ('end',); or an 'err'
message, before or between the rows.
"""

import ctypes
import io
import os
import pickle
import struct
import sys
import time

import pyoxigraph as ox

CHUNK = 512  # rows per message at most
FLUSH = 0.05  # seconds: a partial chunk is sent after this long, so slow queries' first rows come early


def _read(stream, n):
    buf = b""
    while len(buf) < n:
        chunk = stream.read(n - len(buf))
        if not chunk:
            return None
        buf += chunk
    return buf


def serve(handle, after=None) -> None:
    """Answer each request on stdin until stdin closes: the wire protocol every helper process of
    jiukg speaks (8-byte big-endian length, then a pickle), so the query workers and the parser,
    validator and guard processes are one handler each (QueryPool drives them all).
    `handle(request, send)` returns the answer, or None when it sent its own messages (a stream);
    `after()` runs once an answer has gone."""
    inp, out = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing but answers may reach the pipe

    def send(answer):
        data = pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL)
        out.write(struct.pack(">Q", len(data)) + data)
        out.flush()

    while True:
        head = _read(inp, 8)
        if head is None:
            return
        body = _read(inp, struct.unpack(">Q", head)[0])
        if body is None:
            return
        answer = handle(pickle.loads(body), send)
        if answer is not None:
            send(answer)
        answer = None
        if after is not None:
            after()


def dataset_kwargs(req):
    if req.get("dataset"):
        return {"default_graph": [ox.NamedNode(g) for g in req.get("default_graph") or []],
                "named_graphs": [ox.NamedNode(g) for g in req.get("named_graphs") or []]}
    if req.get("union"):
        return {"use_default_graph_as_union": True}
    return {}


class TooLarge(Exception):
    pass


class Capped(io.RawIOBase):
    """A bytes buffer that refuses to grow past `cap` bytes (None: no cap)."""

    def __init__(self, cap):
        self.buf, self.cap, self.over = io.BytesIO(), cap, False

    def writable(self):
        return True

    def write(self, b):
        if self.cap is not None and self.buf.tell() + len(b) > self.cap:
            self.over = True
            raise OSError("the answer is larger than the limit")
        return self.buf.write(b)


def _serialize(res, fmt, cap):
    out = Capped(cap)
    try:
        res.serialize(output=out, format=fmt)
    except OSError:
        if out.over:
            raise TooLarge(f"the answer is larger than {cap / 1048576:g} MB, the most this endpoint sends; "
                           "narrow the query or add a LIMIT") from None
        raise
    return out.buf.getvalue()


def run(store, req):
    res = store.query(req["query"], base_iri=req.get("base_iri"), **dataset_kwargs(req))
    cap = req.get("max_bytes")
    if isinstance(res, ox.QuerySolutions):
        fmt = ox.QueryResultsFormat.from_media_type(req["select_format"])
        return ("ok", "select", fmt.media_type, _serialize(res, fmt, cap))
    if isinstance(res, (ox.QueryBoolean, bool)):
        fmt = ox.QueryResultsFormat.from_media_type(req["select_format"])
        if isinstance(res, bool):
            data = b"true" if res else b"false"
            return ("ok", "ask", "text/plain", data)
        return ("ok", "ask", fmt.media_type, res.serialize(format=fmt))
    fmt = ox.RdfFormat.from_media_type(req["graph_format"])
    return ("ok", "graph", fmt.media_type, _serialize(res, fmt, cap))


def _trim():
    """Give freed memory back to the system after a big answer (glibc keeps it otherwise)."""
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def encode(term):
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return ("u", term.value)
    if isinstance(term, ox.BlankNode):
        return ("b", term.value)
    return ("l", term.value, term.language, term.datatype.value)


def stream(store, req, send):
    res = store.query(req["query"], **dataset_kwargs(req))
    if not isinstance(res, ox.QuerySolutions):
        kind = "ask" if isinstance(res, (ox.QueryBoolean, bool)) else "graph"
        send(("err", "store", f"iter_rows needs a SELECT query, not {kind}"))
        return
    variables = res.variables
    send(("head", [v.value for v in variables]))
    chunk, last = [], time.monotonic()
    for sol in res:
        chunk.append(tuple(encode(sol[v]) for v in variables))
        if len(chunk) >= CHUNK or time.monotonic() - last > FLUSH:
            send(("rows", chunk))
            chunk, last = [], time.monotonic()
    if chunk:
        send(("rows", chunk))
    send(("end",))


class _Open:
    """The read-only store of the snapshot the last request named (reopened when it changes)."""

    store, path = None, None


def answer(req, send):
    try:
        if req["path"] != _Open.path:
            _Open.store, _Open.path = None, None
            _Open.store = ox.Store.read_only(req["path"])
            _Open.path = req["path"]
        if req.get("stream"):
            stream(_Open.store, req, send)
            return None
        return run(_Open.store, req)
    except SyntaxError as e:
        return ("err", "syntax", str(e))
    except TooLarge as e:
        return ("err", "too_large", str(e))
    except Exception as e:  # reported to the parent, which names the store
        return ("err", "store", f"{type(e).__name__}: {e}")


def main():
    serve(answer, after=_trim)


if __name__ == "__main__":
    try:
        main()
    except (BrokenPipeError, KeyboardInterrupt):
        os._exit(0)
