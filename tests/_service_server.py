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


def stuck_beside_lookups(url: str, heavy: str, limit: float, ask, stuck: int = 2, clients: int = 4):
    """Post `stuck` copies of a query that cannot finish in time while `clients` clients each call
    `ask(client, k)` (k counts that client's requests; it returns what was wrong, or None) until those
    queries have ended. Returns the stuck queries' (status, seconds), the number of lookups answered while
    they were running, and what was wrong."""
    import httpx

    ended: list[tuple[int, float]] = []
    answered: list[int] = []
    wrong: list[str] = []
    stop = threading.Event()

    def run_stuck():
        t0 = time.monotonic()
        r = httpx.post(url + "/sparql", data={"query": heavy}, timeout=limit * 5)
        ended.append((r.status_code, time.monotonic() - t0))

    def client(n: int):
        with httpx.Client(timeout=limit * 5) as c:
            k = n
            while not stop.is_set():
                problem = ask(c, k)
                k += 1
                if problem:
                    wrong.append(problem)
                answered.append(n)

    heavy_threads = [threading.Thread(target=run_stuck) for _ in range(stuck)]
    client_threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for t in heavy_threads + client_threads:
        t.start()
    for t in heavy_threads:
        t.join()
    during = len(answered)
    stop.set()
    for t in client_threads:
        t.join()
    return ended, during, wrong
