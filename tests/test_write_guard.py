"""Nothing lost by a trusted writer either: a write that would remove a document's records is refused
with the list of what it would remove, unless it says `replace`; deleting a document is its own
operation. Over HTTP (a real server) and through the CLI (a real `jiukg` process)."""

from __future__ import annotations

import subprocess
import sys

import httpx
import pytest

from jiukg.config import Settings
from jiukg.namespaces import graph_iri
from jiukg.paths import CORPUS_DIR
from tests._service_server import serve, static_store

TOKEN = "test-write-token"
NOTE = CORPUS_DIR / "sg-note-ceb-comments-jiu-rep-2024-4.zh.txt"  # A/80/263/Add.1
SYMBOL = "A/80/263/Add.1"
GRAPH = str(graph_iri(SYMBOL))
UNRELATED = f"""<https://example.org/x> <http://www.w3.org/2000/01/rdf-schema#label> "unrelated" <{GRAPH}> .\n"""
TRIG = f"""<{GRAPH}> {{ <https://example.org/x> <http://www.w3.org/2000/01/rdf-schema#label> "unrelated" . }}\n"""


def auth():
    return {"Authorization": f"Bearer {TOKEN}"}


def dump(url) -> list[bytes]:
    return sorted(httpx.get(f"{url}/dump", params={"format": "nquads"}, timeout=60).content.splitlines())


@pytest.fixture
def with_note(tmp_path):
    st = static_store(tmp_path / "store")
    with serve(st, settings=Settings(write_token=TOKEN)) as url:
        r = httpx.post(f"{url}/data", params={"name": NOTE.name}, content=NOTE.read_bytes(),
                       headers={"Content-Type": "text/plain; charset=utf-8", **auth()}, timeout=120)
        assert r.status_code == 200, r.text
        yield url
    st.close()


def test_a_replacing_upload_that_drops_a_documents_records_is_refused(with_note):
    before = dump(with_note)
    assert any(GRAPH.encode() in line for line in before)
    r = httpx.post(f"{with_note}/data", params={"name": "oops.trig"}, content=TRIG,
                   headers={"Content-Type": "application/trig", **auth()}, timeout=120)
    assert r.status_code == 409, r.text
    body = r.json()
    assert body["written"] is False and "--replace" in body["message"]
    lost = body["would_remove"][GRAPH]
    assert lost["triples_after"] == 1 and lost["triples_now"] > 100
    records = lost["records"]
    assert len(records["https://w3id.org/jiukg/ontology#CEBComment"]) == 6
    assert "https://w3id.org/jiukg/ontology#Passage" in records  # and the passages they were read from
    assert dump(with_note) == before  # the store is exactly as it was


def test_reloading_the_same_document_is_not_a_loss(with_note):
    r = httpx.post(f"{with_note}/data", params={"name": NOTE.name}, content=NOTE.read_bytes(),
                   headers={"Content-Type": "text/plain; charset=utf-8", **auth()}, timeout=120)
    assert r.status_code == 200, r.text


def test_an_explicit_replace_and_an_explicit_delete(with_note):
    r = httpx.post(f"{with_note}/data", params={"name": "oops.nq", "replace": "true"}, content=UNRELATED,
                   headers={"Content-Type": "application/n-quads", **auth()}, timeout=120)
    assert r.status_code == 200, r.text
    assert [line for line in dump(with_note) if GRAPH.encode() in line.split(b" ")[-2]] == \
           [UNRELATED.strip().encode()]
    assert httpx.delete(f"{with_note}/data", params={"document": SYMBOL}).status_code == 401
    r = httpx.delete(f"{with_note}/data", params={"document": SYMBOL}, headers=auth(), timeout=120)
    assert r.status_code == 200, r.text
    after = dump(with_note)
    # the graph and its catalogue entry are gone; what remains of it is the delete's own record
    assert not any(line.startswith(f"<{GRAPH}>".encode()) or GRAPH.encode() in line.split(b" ")[-2] for line in after)
    assert any(b"invalidated> <" + GRAPH.encode() in line for line in after)
    r = httpx.delete(f"{with_note}/data", params={"document": SYMBOL}, headers=auth())
    assert r.status_code == 404 and dump(with_note) == after


def test_the_catalogue_graph_cannot_be_uploaded(with_note):
    before = dump(with_note)
    data = UNRELATED.replace(GRAPH, "https://w3id.org/jiukg/graph/catalogue")
    r = httpx.post(f"{with_note}/data", params={"name": "c.nq", "replace": "true"}, content=data,
                   headers={"Content-Type": "application/n-quads", **auth()}, timeout=120)
    assert r.status_code == 403 and "written by jiukg itself" in r.text  # not even an admin token may
    assert dump(with_note) == before


def jiukg(*args, store):
    return subprocess.run([sys.executable, "-m", "jiukg.cli", *args, "--store", str(store)],
                          capture_output=True, text=True, timeout=300)


def test_the_cli_refuses_a_loss_then_replaces_and_deletes_on_request(tmp_path):
    store = tmp_path / "store"
    assert jiukg("load", str(NOTE), "-q", store=store).returncode == 0
    export = jiukg("export", store=store).stdout
    oops = tmp_path / "oops.trig"
    oops.write_text(TRIG)
    r = jiukg("load", str(oops), store=store)
    assert r.returncode == 1
    assert f"would remove: {GRAPH}" in r.stderr and "CEBComment" in r.stderr and "--replace" in r.stderr
    assert jiukg("export", store=store).stdout == export
    r = jiukg("load", str(oops), "--replace", "-q", store=store)
    assert r.returncode == 0, r.stderr
    r = jiukg("delete", SYMBOL, store=store)
    assert r.returncode == 0, r.stderr
    assert GRAPH not in jiukg("export", store=store).stdout
    r = jiukg("delete", SYMBOL, store=store)
    assert r.returncode == 1 and "holds no graph" in r.stderr
