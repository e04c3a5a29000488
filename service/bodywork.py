"""CPU work on request bodies (parsing, validating, loading) runs here: on a worker thread, one at a time.

Why one at a time: parsing and validating are pure Python and hold the GIL. Several such threads
at once starve the event loop (with a dozen posted bodies /healthz took seconds); one leaves it
about half the interpreter, so every other route keeps answering at once. Further bodies wait
their turn without costing CPU. Size is bounded before this (FastAPI's max_body_size).
"""

from __future__ import annotations

from functools import partial

import anyio
import anyio.to_thread

_limiter: anyio.CapacityLimiter | None = None


async def run_body_work(fn, *args, **kwargs):
    """`fn(*args, **kwargs)` on a worker thread, after any body work already running has finished."""
    global _limiter
    if _limiter is None:
        _limiter = anyio.CapacityLimiter(1)
    return await anyio.to_thread.run_sync(partial(fn, *args, **kwargs), limiter=_limiter)
