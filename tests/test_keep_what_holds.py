"""What held when the service was attacked, kept (issue 10, item 6): no write without the token,
a load killed with SIGKILL leaves the store as it was before or after, and export -> load -> export
gives the same graphs."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
from rdflib.compare import to_isomorphic

sys.path.insert(0, str(Path(__file__).parent))
from _service_server import serve, static_store  # noqa: E402

from jiukg.config import Settings  # noqa: E402
from jiukg.namespaces import CATALOGUE_GRAPH  # noqa: E402
from jiukg.paths import CORPUS_DIR  # noqa: E402
from jiukg.store import open_store  # noqa: E402

JIUKG = str(Path(sys.executable).with_name("jiukg"))
TOKEN = "the-real-token"
DOC = CORPUS_DIR / "sg-note-ceb-comments-jiu-rep-2024-4.zh.txt"
TURTLE = b'<https://w3id.org/jiukg/id/x> <http://www.w3.org/2000/01/rdf-schema#label> "x" .'


def graphs_of(location: Path) -> dict[str, object]:
    """Each named graph of a store, canonicalised (blank nodes aside); the catalogue graph, which
    records when each graph was written, left out."""
    with open_store(str(location)) as st:
        return {str(g): to_isomorphic(st.graph(g)) for g in st.graphs() if g != CATALOGUE_GRAPH}


def graphs_of_dump(path: Path) -> dict[str, object]:
    """The same, for an N-Quads export."""
    from rdflib import Dataset, Graph, URIRef

    ds = Dataset()
    ds.parse(path, format="nquads")
    out: dict[str, Graph] = {}
    for s, p, o, g in ds.quads((None, None, None, None)):
        if isinstance(g, URIRef) and g != CATALOGUE_GRAPH:
            out.setdefault(str(g), Graph()).add((s, p, o))
    return {k: to_isomorphic(v) for k, v in out.items()}


def test_no_request_without_the_token_writes(tmp_path):
    st = static_store(tmp_path / "store")
    with serve(st, settings=Settings(write_token=TOKEN)) as url:
        def dump():
            return sorted(httpx.get(f"{url}/dump", params={"format": "nquads"}, timeout=30).content.splitlines())

        before = dump()
        tries = [
            ("POST", "/data", {"Content-Type": "text/turtle"}, TURTLE, {}),
            ("POST", "/data", {"Content-Type": "text/turtle", "Authorization": "Bearer wrong"}, TURTLE, {}),
            ("POST", "/data", {"Content-Type": "text/turtle", "Authorization": f"Basic {TOKEN}"}, TURTLE, {}),
            ("POST", "/data", {"Content-Type": "text/turtle", "Authorization": f"Bearer {TOKEN}x"}, TURTLE, {}),
            ("POST", "/data", {"Content-Type": "text/turtle"}, TURTLE, {"token": TOKEN}),
            ("POST", "/sparql", {"Content-Type": "application/sparql-update"},
             b"INSERT DATA { <http://x> <http://y> <http://z> }", {}),
            ("POST", "/sparql", {"Content-Type": "application/x-www-form-urlencoded"},
             b"update=INSERT+DATA+%7B+%3Chttp%3A%2F%2Fx%3E+%3Chttp%3A%2F%2Fy%3E+%3Chttp%3A%2F%2Fz%3E+%7D", {}),
            ("GET", "/sparql", {}, None, {"query": "INSERT DATA { <http://x> <http://y> <http://z> }"}),
            ("GET", "/sparql", {}, None, {"query": "DROP ALL"}),
            ("POST", "/validate", {"Content-Type": "text/turtle"}, TURTLE, {}),  # validates, never writes
        ]
        for method, path, headers, body, params in tries:
            r = httpx.request(method, f"{url}{path}", headers=headers, content=body, params=params, timeout=30)
            assert r.status_code in (200, 400, 401, 403), (path, headers, r.status_code, r.text[:200])
        assert dump() == before
    st.close()


def test_a_load_killed_with_sigkill_leaves_the_store_before_or_after(tmp_path):
    """One write is one transaction: whenever `jiukg load` is killed, the store holds either none
    or all of the document's statements, and opens cleanly."""
    original = tmp_path / "original"
    static_store(original).close()
    before = graphs_of(original)
    done = tmp_path / "done"
    shutil.copytree(original, done)
    subprocess.run([JIUKG, "load", str(DOC), "--store", str(done)], check=True, capture_output=True, timeout=300)
    after = graphs_of(done)
    assert after != before
    outcomes = []
    for i, delay in enumerate((0.5, 1.5, 3.0, 5.0)):
        target = tmp_path / f"killed-{i}"
        shutil.copytree(original, target)
        proc = subprocess.Popen([JIUKG, "load", str(DOC), "--store", str(target)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        state = graphs_of(target)
        assert state in (before, after), f"killed after {delay} s: a half-written store"
        outcomes.append("after" if state == after else "before")
    assert "before" in outcomes  # the kills really landed during the load


def test_export_load_export_gives_the_same_graphs(tmp_path):
    first = tmp_path / "first"
    static_store(first).close()
    subprocess.run([JIUKG, "load", str(DOC), "--store", str(first)], check=True, capture_output=True, timeout=300)
    dump1 = tmp_path / "dump1.nq"
    subprocess.run([JIUKG, "export", "--format", "nquads", "--store", str(first), "-o", str(dump1)],
                   check=True, capture_output=True, timeout=300)
    second = tmp_path / "second"
    subprocess.run([JIUKG, "load", str(dump1), "--store", str(second)], check=True, capture_output=True,
                   timeout=300)
    dump2 = tmp_path / "dump2.nq"
    subprocess.run([JIUKG, "export", "--format", "nquads", "--store", str(second), "-o", str(dump2)],
                   check=True, capture_output=True, timeout=300)
    one, two = graphs_of_dump(dump1), graphs_of_dump(dump2)
    assert len(one) > 2 and one == two
    assert two == graphs_of(first)
