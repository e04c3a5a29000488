"""Validation over HTTP runs in a worker process stopped at JIUKG_VALIDATION_TIMEOUT (issues 10 and 11).

A steward's shapes are hostile input: a catastrophic sh:pattern or a SPARQL constraint that is a
huge cartesian product cannot be interrupted in-process. Against a real `jiukg serve`, each stops
at the (small) time limit with a 503 that says so, the service keeps answering meanwhile (health,
a query, another client's validation), and no process keeps burning CPU afterwards. The report a
worker gives is the one in-process validation gives.
"""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

sys.path.insert(0, str(Path(__file__).parent))
from test_hostile_input import Served, _alive, _children, _cpu_ticks  # noqa: E402

LIMIT = 4  # seconds: the served validation time limit
STEWARD = Path(__file__).parent / "data" / "steward"
EX = "https://example.org/steward/"
PREFIXES = f"@prefix sh: <http://www.w3.org/ns/shacl#> .\n@prefix ex: <{EX}> .\n"

# (a+)+$ against "aaa...a!" backtracks 2^n ways before failing
REDOS_SHAPES = PREFIXES + """
ex:NameShape a sh:NodeShape ; sh:targetSubjectsOf ex:name ;
    sh:property [ sh:path ex:name ; sh:pattern "^(a+)+$" ] .
"""
REDOS_DATA = f'<{EX}x> <{EX}name> "{"a" * 60}!" .\n'.encode()

# every triple of the store (the ontology and reference data: thousands) with every other, three times
PRODUCT_SHAPES = PREFIXES + """
ex:ProductShape a sh:NodeShape ; sh:targetNode ex:x ;
    sh:sparql [ sh:select \"\"\"SELECT $this WHERE {
        ?a ?b ?c . ?d ?e ?f . ?g ?h ?i FILTER (STRLEN(CONCAT(STR(?a), STR(?d), STR(?g))) < 0) }\"\"\" ] .
"""

SMALL = f'<{EX}y> <{EX}label> "fine" .\n'.encode()


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    s = Served(tmp_path_factory.mktemp("validation-limits"), validation_timeout=LIMIT)
    yield s
    s.stop()


def _plain_validate(url: str) -> httpx.Response:
    return httpx.post(f"{url}/validate", content=SMALL, headers={"Content-Type": "application/n-triples"},
                      timeout=60)


def _stops_and_service_answers(served, files) -> None:
    # both validation workers started (two at once), so the other client's one does not wait for a Python
    warm = [threading.Thread(target=_plain_validate, args=(served.url,)) for _ in range(2)]
    for t in warm:
        t.start()
    for t in warm:
        t.join()
    answer = {}

    def hostile():
        answer["r"] = httpx.post(f"{served.url}/validate", files=files, timeout=120)

    th = threading.Thread(target=hostile)
    th.start()
    time.sleep(1)  # the shapes are running
    _alive(served.url)
    alive_while_hostile = th.is_alive()  # health and a query answered while the hostile shapes ran
    plain = _plain_validate(served.url)
    hostile_running = th.is_alive()  # and another client's validation too
    th.join()

    r = answer["r"]
    assert r.status_code == 503, (r.status_code, r.text[:300])
    # the stop's own answer (an unstopped catastrophic pattern would run past the client's 120 s hang guard)
    assert f"validation stopped after {LIMIT} s: simplify the shapes or the data" in r.text
    # meanwhile the service answered: health, a query and another client's validation (an order of
    # events, not durations: it holds on a machine of any speed)
    assert alive_while_hostile
    assert plain.status_code == 200 and plain.headers["x-conforms"] == "true", plain.text[:300]
    assert hostile_running, "the other validation waited for the hostile one"
    # nothing keeps computing for the stopped validation
    procs = [served.pid, *_children(served.pid)]
    ticks = {p: _cpu_ticks(p) for p in procs}
    time.sleep(1.5)
    burnt = {p: _cpu_ticks(p) - t for p, t in ticks.items()}
    assert all(b < 50 for b in burnt.values()), f"CPU ticks in 1.5 s after the answer: {burnt}"
    # and the next validation runs as usual (a fresh worker replaces the killed one)
    assert _plain_validate(served.url).status_code == 200


def test_a_catastrophic_pattern_stops_at_the_time_limit(served):
    _stops_and_service_answers(served, [("data", ("data.nt", REDOS_DATA, "application/n-triples")),
                                        ("shapes", ("redos.ttl", REDOS_SHAPES.encode(), "text/turtle"))])


def test_a_cartesian_product_constraint_on_the_store_stops_at_the_time_limit(served):
    # no data file: the store is validated, with the steward's shapes only
    _stops_and_service_answers(served, [("shapes", ("product.ttl", PRODUCT_SHAPES.encode(), "text/turtle"))]
                               + [("only_shapes", (None, b"1"))])


def test_the_project_shapes_are_stopped_too(tmp_path):
    """A plain POST /validate (the project's shapes) runs in the worker as well: with a limit too
    small for anything, it is stopped and says so."""
    s = Served(tmp_path, validation_timeout=0.01)
    try:
        r = _plain_validate(s.url)
        assert r.status_code == 503 and "validation stopped after 0.01 s" in r.text, (r.status_code, r.text)
        r = httpx.get(f"{s.url}/validate", timeout=60)
        assert r.status_code == 503 and "validation stopped" in r.text, (r.status_code, r.text)
    finally:
        s.stop()


def test_the_worker_s_report_is_the_in_process_one(memory_store):
    """Same JSON (but the seconds) and the same Turtle report from the worker as from in-process
    validation, with the project's shapes and a steward's (whose blank property shapes the
    report names)."""
    from fastapi.testclient import TestClient
    from rdflib import Graph
    from rdflib.compare import isomorphic

    from jiukg import validation
    from jiukg.pipeline import prepare_rdf
    from service.app import create_app

    data, my = (STEWARD / "data.ttl").read_bytes(), (STEWARD / "my.ttl").read_bytes()
    prepared = prepare_rdf(Path("upload.ttl"), data, "turtle")
    memory_store.replace_graphs({next(iter(prepared.graphs)): Graph()})  # something to replace and look up

    def strip(doc):  # the time, and blank shapes' labels (the test parses the shapes once more)
        del doc["summary"]["seconds"]
        for r in doc["results"]:
            r["shape"] = "_:" if r["shape"].startswith("_:") else r["shape"]
        return doc

    with TestClient(create_app(memory_store)) as c:
        for shapes, files, extra in ((None, [], {}),
                                     (validation.load_shapes([("my.ttl", my)]), [("shapes", ("my.ttl", my))], {}),
                                     (validation.load_shapes([("my.ttl", my)], project=False),
                                      [("shapes", ("my.ttl", my))], {"only_shapes": "1"})):
            want = validation.validate_write(memory_store, prepared.graphs, shapes=shapes)
            assert want.results or shapes is None  # something to compare
            form = [("data", ("data.ttl", data, "text/turtle")), *files]
            got = c.post("/validate", files=form, data=extra)
            assert got.status_code == 200, got.text[:300]
            assert strip(got.json()) == strip(want.to_json())
            turtle = c.post("/validate", files=form, data=extra, headers={"Accept": "text/turtle"})
            assert isomorphic(Graph().parse(data=turtle.text, format="turtle"), want.graph())
