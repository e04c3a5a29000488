"""CPU work on request bodies (parsing, validating, loading) runs here: off the event loop, one at a time.

Why one at a time: validating (and loading) is pure Python and holds the GIL. Several such threads at once
starve the event loop (with a dozen posted bodies /healthz took seconds); one leaves it about
half the interpreter, so every other route keeps answering at once. Further bodies wait their
turn without costing CPU. Parsing goes further: it runs in a process of its own
(jiukg/_parse_worker.py), killed past Settings.body_timeout; so does validating against SHACL
shapes (jiukg/_validate_worker.py), killed past Settings.validation_timeout, after what the
store holds about the data has been gathered here. Size is bounded before any of this
(FastAPI's max_body_size).
"""

from __future__ import annotations

import threading
import time
from functools import partial
from pathlib import Path

import anyio
import anyio.to_thread
from rdflib import Dataset, Graph

import jiukg
from jiukg.rdfparse import QUAD_FORMATS, RDFRefused
from jiukg.store import QueryTimeout, StoreError

PARSER = Path(jiukg.__file__).with_name("_parse_worker.py")
PARSERS = 2  # parser processes at most; more bodies wait (each at most its body_timeout)
_limiter: anyio.CapacityLimiter | None = None
_pool = None
_pool_lock = threading.Lock()


def parse_body(data: bytes, fmt: str, *, what: str = "the data", timeout: float = 60.0) -> Graph | Dataset:
    """jiukg.rdfparse.parse, run in the parser process and stopped after `timeout` seconds."""
    global _pool
    if _pool is None:
        from jiukg.store.embedded import QueryPool

        with _pool_lock:
            if _pool is None:
                _pool = QueryPool(PARSERS, "the body parser", "parse", script=PARSER)
    try:
        answer = _pool.run({"data": data, "fmt": fmt, "what": what}, timeout)
    except QueryTimeout:
        raise RDFRefused(f"parsing took longer than {timeout:g} s, the limit for one body, and was stopped; "
                         "send the data in smaller parts") from None
    except StoreError as e:
        raise ValueError(f"the parser failed ({e})") from None
    if answer[0] == "err":
        raise (RDFRefused if answer[1] == "refused" else ValueError)(answer[2])
    if fmt in QUAD_FORMATS:
        ds = Dataset()
        for s, p, o, g in answer[1]:
            (ds.graph(g) if g is not None else ds.default_graph).add((s, p, o))
        return ds
    g = Graph()
    for s, p, o, _ in answer[1]:
        g.add((s, p, o))
    return g


async def run_body_work(fn, *args, **kwargs):
    """`fn(*args, **kwargs)` on a worker thread, after any body work already running has finished."""
    global _limiter
    if _limiter is None:
        _limiter = anyio.CapacityLimiter(1)
    return await anyio.to_thread.run_sync(partial(fn, *args, **kwargs), limiter=_limiter)


# --------------------------------------------------------------------------
# validation: gathered here, run in a worker process stopped at Settings.validation_timeout

VALIDATOR = Path(jiukg.__file__).with_name("_validate_worker.py")
VALIDATORS = 2  # validation processes at most: one hostile shapes file never holds up every other /validate
_validators = None


class ValidationStopped(Exception):
    """The validation ran past its time limit and was stopped, or found no worker in time (the message says)."""


def _gather(kind: str, store, graphs) -> object:
    """What the worker needs from the store: the write's graphs and context, or all the store's triples."""
    from jiukg import validation

    if kind == "store":
        return list(validation.store_triples(store))
    job = validation.write_job(store, graphs)
    return {"graphs": {gid: list(g) for gid, g in job.graphs.items()}, "ctx": list(job.ctx),
            "touched": list(job.touched), "old": {gid: list(g) for gid, g in job.old.items()}}


def _run_validator(req: dict, timeout: float):
    """One request to a validation process, which is killed if it runs past `timeout` seconds."""
    global _validators
    from jiukg import validation

    if _validators is None:
        from jiukg.store.embedded import QueryPool

        with _pool_lock:
            if _validators is None:
                # niced: a long validation yields the CPU to the service's own work
                _validators = QueryPool(VALIDATORS, "the validator", "validation", nice=5, script=VALIDATOR)
    try:
        answer = _validators.run(req, timeout)
    except QueryTimeout as e:
        if "stayed busy" in str(e):
            raise ValidationStopped(f"every validation worker stayed busy for {timeout:g} s; try again later") \
                from None
        raise ValidationStopped(f"validation stopped after {timeout:g} s: simplify the shapes or the data") from None
    except StoreError as e:
        raise ValidationStopped(f"the validation worker failed ({e})") from None
    if answer[0] == "err":
        if answer[1] == "shapes":
            raise validation.ShapesError(answer[2])
        if req["shapes"].get("key") != "project":  # a steward's shapes the engines choke on: their input, a 400
            raise validation.ShapesError(f"the shapes could not be evaluated ({answer[2]})")
        raise RuntimeError(f"validation failed: {answer[2]}")
    return answer[1]


def _shapes_request(shapes) -> dict:
    """The shapes as sent to the worker: their triples, blank nodes and all (the report names blank
    property shapes by their label, which must be the same here and there); the project's are
    kept by the worker, under a key, with what the engines derive from them."""
    from jiukg import validation

    key = "project" if shapes is None else None
    shapes = shapes if shapes is not None else validation.project_shapes()
    return {"key": key, "triples": list(shapes.graph), "axioms": shapes.axioms, "name": shapes.name}


async def validate(kind: str, store, graphs=None, *, timeout: float, shapes=None, engine: str = "compiled"):
    """Validate a write (`kind` "write": `graphs` with their context in `store`) or the whole store
    ("store"), against `shapes` (None: the project's). What the store holds is gathered in the body-work slot;
    the shapes then run in a validation process, stopped after `timeout` seconds
    (ValidationStopped): a steward's ReDoS pattern or cartesian-product SPARQL cannot hold the
    slot, nor the service's CPU. The report is the one in-process validation gives."""
    t0 = time.perf_counter()
    data = await run_body_work(_gather, kind, store, graphs)
    gathered = time.perf_counter() - t0
    req = {"kind": kind, "data": data, "shapes": _shapes_request(shapes), "engine": engine}
    report = await anyio.to_thread.run_sync(partial(_run_validator, req, timeout))
    report.shapes = shapes
    report.seconds += gathered
    return report
