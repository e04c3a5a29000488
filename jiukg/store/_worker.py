"""A query worker process: runs SPARQL on a read-only pyoxigraph handle.

Started as a plain script (`python _worker.py`), so it imports only pyoxigraph,
not the jiukg package. The parent kills it when a query runs past its time
limit: pyoxigraph cannot stop a query from inside. Protocol on stdin/stdout:
8-byte big-endian length, then a pickle. Request: dict(path, query,
default_graph, named_graphs, union, select_format, graph_format). Answer:
('ok', kind, media_type, bytes) or ('err', 'syntax' | 'store', message).
"""

import os
import pickle
import struct
import sys

import pyoxigraph as ox


def _read(stream, n):
    buf = b""
    while len(buf) < n:
        chunk = stream.read(n - len(buf))
        if not chunk:
            return None
        buf += chunk
    return buf


def run(store, req):
    kw = {}
    if req.get("default_graph"):
        kw["default_graph"] = [ox.NamedNode(g) for g in req["default_graph"]]
    elif req.get("union"):
        kw["use_default_graph_as_union"] = True
    if req.get("named_graphs"):
        kw["named_graphs"] = [ox.NamedNode(g) for g in req["named_graphs"]]
    res = store.query(req["query"], **kw)
    if isinstance(res, ox.QuerySolutions):
        fmt = ox.QueryResultsFormat.from_media_type(req["select_format"])
        return ("ok", "select", fmt.media_type, res.serialize(format=fmt))
    if isinstance(res, (ox.QueryBoolean, bool)):
        fmt = ox.QueryResultsFormat.from_media_type(req["select_format"])
        if isinstance(res, bool):
            data = b"true" if res else b"false"
            return ("ok", "ask", "text/plain", data)
        return ("ok", "ask", fmt.media_type, res.serialize(format=fmt))
    fmt = ox.RdfFormat.from_media_type(req["graph_format"])
    return ("ok", "graph", fmt.media_type, res.serialize(format=fmt))


def main():
    inp, out = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing but answers may reach the pipe
    store, current = None, None
    while True:
        head = _read(inp, 8)
        if head is None:
            return
        body = _read(inp, struct.unpack(">Q", head)[0])
        if body is None:
            return
        req = pickle.loads(body)
        try:
            if req["path"] != current:
                store, current = None, None
                store = ox.Store.read_only(req["path"])
                current = req["path"]
            answer = run(store, req)
        except SyntaxError as e:
            answer = ("err", "syntax", str(e))
        except Exception as e:  # reported to the parent, which names the store
            answer = ("err", "store", f"{type(e).__name__}: {e}")
        data = pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL)
        out.write(struct.pack(">Q", len(data)) + data)
        out.flush()


if __name__ == "__main__":
    try:
        main()
    except (BrokenPipeError, KeyboardInterrupt):
        os._exit(0)
