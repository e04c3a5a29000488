"""The validation process: runs SHACL shapes over data sent by the service, where it can be stopped.

Why a process: a steward's shapes are hostile input. A catastrophic sh:pattern (re, no timeout)
or a SPARQL constraint that is a huge cartesian product (in-process pyoxigraph) cannot be
interrupted, and a thread running them would hold the service's body-work slot and the GIL for
as long as they take. Here the service kills the process at Settings.validation_timeout
(jiukg.store.embedded.QueryPool, the same wire protocol as the query and parser workers).

The service gathers what the validation needs from the store (jiukg.validation.write_job, or the
store's triples) and sends it with the shapes graph; the report comes back without its
Shapes (the service holds the same shapes and puts them back), so its output is the same as
validating in-process.

Request: dict(kind "write" | "store", data (see service/bodywork.py validate), shapes: dict(key,
triples, axioms, name), engine). The shapes come as the service's triples, so that blank property
shapes keep their labels; the project's (key "project") are kept after the first request. Answer: ('ok', report),
('err', 'shapes', message) for jiukg.validation.ShapesError, or ('err', 'failed', message).
"""

import os

from rdflib import Graph

from jiukg import validation
from jiukg.store._worker import serve


def _graph(triples) -> Graph:
    g = Graph()
    for t in triples:
        g.add(t)
    return g


_kept: dict = {}  # key -> Shapes: the project's, with what the engines derived from them


def _shapes(sent: dict) -> validation.Shapes:
    key = sent.get("key")
    if key in _kept:
        return _kept[key]
    shapes = validation.Shapes(_graph(sent["triples"]), axioms=sent["axioms"], name=sent["name"])
    if key:
        _kept[key] = shapes
    return shapes


def check(req) -> tuple:
    try:
        shapes = _shapes(req["shapes"])
        engine = req.get("engine", "compiled")
        data = req["data"]
        if req["kind"] == "store":
            report = validation.check_store(data, engine=engine, shapes=shapes)
        else:
            job = validation.WriteJob(graphs={gid: _graph(ts) for gid, ts in data["graphs"].items()},
                                      ctx=_graph(data["ctx"]), touched=set(data["touched"]),
                                      old={gid: _graph(ts) for gid, ts in data["old"].items()})
            report = validation.check_write(job, engine=engine, shapes=shapes)
    except validation.ShapesError as e:
        return ("err", "shapes", str(e))
    except Exception as e:  # a bug or a shapes graph the engines choke on: say so, keep the worker
        return ("err", "failed", f"{type(e).__name__}: {e}")
    report.shapes = None  # the service has them (a Shapes holds a lock: not picklable)
    return ("ok", report)


def main():
    serve(lambda req, send: check(req))


if __name__ == "__main__":
    try:
        main()
    except (BrokenPipeError, KeyboardInterrupt):
        os._exit(0)
