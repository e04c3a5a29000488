"""Run the real service with uvicorn in a background thread on a free loopback port (tests only)."""

from __future__ import annotations

import socket
import threading
import time
from contextlib import contextmanager

import uvicorn


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serve(store, **app_options):
    """Yield the base URL of a running server for `store`; stop it afterwards."""
    from service.app import create_app, uvicorn_config

    port = free_port()  # the protocol and loop `jiukg serve` uses (service/fastpath.py)
    config = uvicorn_config(create_app(store, **app_options), host="127.0.0.1", port=port, log_level="warning",
                            lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


def static_store(path):
    """An on-disk store holding the ontology and reference data (no loaders needed)."""
    from jiukg.namespaces import ONTOLOGY_GRAPH, REFERENCE_GRAPH
    from jiukg.ontology import ontology_graph, reference_graph
    from jiukg.store import open_store

    st = open_store(str(path))
    st.replace_graphs({ONTOLOGY_GRAPH: ontology_graph(), REFERENCE_GRAPH: reference_graph()})
    return st
