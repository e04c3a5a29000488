"""Operations of a real `jiukg serve` process on an embedded store: other jiukg commands on the same
store while it runs (reads go through the service, writes are refused naming the process), clean
shutdown on SIGTERM and SIGINT (snapshots removed, leftovers of a crash removed at the next start),
and redirects and links that never come from the Host header; the Bearer scheme in any case."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from jiukg.config import Settings
from jiukg.paths import CORPUS_DIR
from tests._service_server import free_port, serve, static_store

NOTE = CORPUS_DIR / "sg-note-ceb-comments-jiu-rep-2024-4.zh.txt"
TOKEN = "ops-token"
COMMENTS = """# title: CEB comments
SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c a <https://w3id.org/jiukg/ontology#CEBComment> }
"""


def jiukg(*args, env=None, timeout=300):
    return subprocess.run([sys.executable, "-m", "jiukg.cli", *args], capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, **(env or {})})


def dead_pid() -> int:
    p = subprocess.Popen([sys.executable, "-c", "pass"])
    p.wait()
    return p.pid


def no_blank(text: str) -> list[str]:
    return sorted(line for line in text.splitlines() if "_:" not in line)


@pytest.fixture
def store_dir(tmp_path):
    from jiukg import pipeline

    path = tmp_path / "store"
    st = static_store(path)
    pipeline.load(st, [NOTE])
    st.close()
    return path


class Served:
    """`jiukg serve` in its own process on a free loopback port."""

    def __init__(self, store: Path, **env):
        self.store, self.port = store, free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = open(store.parent / f"serve-{self.port}.log", "w+b")
        self.proc = subprocess.Popen([sys.executable, "-m", "jiukg.cli", "serve", "--store", str(store),
                                      "--host", "127.0.0.1", "--port", str(self.port)],
                                     stdout=self.log, stderr=subprocess.STDOUT,
                                     env={**os.environ, "JIUKG_WRITE_TOKEN": TOKEN, **env})
        deadline = time.monotonic() + 60
        while True:
            assert self.proc.poll() is None, self.output()
            try:
                if httpx.get(self.url + "/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, self.output()
            time.sleep(0.2)

    def output(self) -> str:
        self.log.seek(0)
        return self.log.read().decode(errors="replace")

    def stop(self, sig=signal.SIGTERM) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        return self.proc.returncode


def snapshots(store: Path) -> list[Path]:
    return sorted(store.parent.glob(f".{store.name}-snapshots-*"))


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_shutdown_removes_snapshots_and_a_crash_leftover_goes_at_the_next_start(store_dir, sig):
    leftover = store_dir.parent / f".{store_dir.name}-snapshots-{dead_pid()}-crashed"
    (leftover / "0-abc").mkdir(parents=True)
    (leftover / "0-abc" / "CURRENT").write_text("x")
    served = Served(store_dir)
    try:
        assert not leftover.exists()  # removed when the store was opened
        r = httpx.post(served.url + "/sparql", data={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 1"},
                       headers={"Accept": "application/sparql-results+json"}, timeout=30)
        assert r.status_code == 200
        assert snapshots(store_dir), "a user query runs on a snapshot of the store"
        holder = json.loads((store_dir.parent / f".{store_dir.name}.holder.json").read_text())
        assert holder["pid"] == served.proc.pid and holder["url"] == served.url
    finally:
        code = served.stop(sig)
    assert code == 0, served.output()
    assert snapshots(store_dir) == []
    assert not (store_dir.parent / f".{store_dir.name}.holder.json").exists()


def test_query_export_and_validate_work_while_serve_holds_the_store(store_dir, tmp_path):
    before = jiukg("export", "--store", str(store_dir))
    assert before.returncode == 0, before.stderr
    rq = tmp_path / "comments.rq"
    rq.write_text(COMMENTS)
    served = Served(store_dir)
    try:
        q = jiukg("query", str(rq), "--format", "csv", "--store", str(store_dir))
        assert q.returncode == 0, q.stderr
        assert q.stdout.split() == ["n", "6"]
        assert f"reading it through {served.url}" in q.stderr
        ex = jiukg("export", "--store", str(store_dir))
        assert ex.returncode == 0, ex.stderr
        assert no_blank(ex.stdout) == no_blank(before.stdout) and len(ex.stdout.splitlines()) > 1000
        v = jiukg("validate", "--store", str(store_dir))
        assert v.returncode == 0, v.stderr + v.stdout
        # a write is refused, naming the process that holds the store and what to do instead
        w = jiukg("load", str(NOTE), "--store", str(store_dir))
        assert w.returncode == 2
        assert f"process {served.proc.pid}" in w.stderr and f"kill -TERM {served.proc.pid}" in w.stderr
        assert f"{served.url}/data" in w.stderr
        b = jiukg("build", "--store", str(store_dir))
        assert b.returncode == 2 and f"process {served.proc.pid}" in b.stderr
    finally:
        assert served.stop() == 0
    after = jiukg("export", "--store", str(store_dir))
    assert no_blank(after.stdout) == no_blank(before.stdout)


def test_redirects_and_links_never_come_from_the_host_header(tmp_path):
    st = static_store(tmp_path / "store")
    hostile = {"Host": "evil.example"}
    with serve(st) as url:
        r = httpx.get(url + "/shapes", headers={"Accept": "text/html", **hostile})
        assert r.status_code == 303 and r.headers["location"] == url + "/ontology"
        r = httpx.get(url + "/queries/", headers=hostile)  # Starlette's trailing-slash redirect
        assert r.status_code in (301, 307, 308) and r.headers["location"] == url + "/queries"
        for path in ("/dataset", "/sparql"):
            body = httpx.get(url + path, headers={"Accept": "text/turtle", **hostile}).text
            assert "evil.example" not in body and f"{url}/sparql" in body
        listing = httpx.get(url + "/queries", params={"format": "json"}, headers=hostile).text
        assert "evil.example" not in listing
    with serve(st, settings=Settings(base_url="https://kg.example.org/")) as url:
        r = httpx.get(url + "/shapes", headers={"Accept": "text/html", **hostile})
        assert r.headers["location"] == "https://kg.example.org/ontology"
        r = httpx.get(url + "/dataset", headers={"Accept": "text/turtle", **hostile})
        assert "<https://kg.example.org/sparql>" in r.text and "evil.example" not in r.text
    st.close()


@pytest.mark.parametrize("scheme", ["Bearer", "bearer", "BEARER", "bEaReR"])
def test_the_bearer_scheme_is_case_insensitive(tmp_path, scheme):
    st = static_store(tmp_path / "store")
    with serve(st, settings=Settings(write_token=TOKEN)) as url:
        data = "<https://example.org/a> <http://www.w3.org/2000/01/rdf-schema#label> \"a\" .\n"
        r = httpx.post(url + "/data", params={"name": "a.ttl"}, content=data,
                       headers={"Content-Type": "text/turtle", "Authorization": f"{scheme} {TOKEN}"}, timeout=60)
        assert r.status_code == 200, r.text
        r = httpx.post(url + "/data", params={"name": "a.ttl"}, content=data,
                       headers={"Content-Type": "text/turtle", "Authorization": f"{scheme} {TOKEN}x"}, timeout=60)
        assert r.status_code == 401
    st.close()


def test_after_a_sigkill_the_next_serve_removes_the_leftovers(store_dir):
    served = Served(store_dir)
    r = httpx.post(served.url + "/sparql", data={"query": "ASK { ?s ?p ?o }"}, timeout=30)
    assert r.status_code == 200
    left = snapshots(store_dir)
    assert left
    assert served.stop(signal.SIGKILL) == -signal.SIGKILL
    assert snapshots(store_dir) == left  # nothing could clean up
    again = Served(store_dir)
    try:
        assert not any(d.exists() for d in left)
        holder = json.loads((store_dir.parent / f".{store_dir.name}.holder.json").read_text())
        assert holder["pid"] == again.proc.pid
        q = jiukg("export", "--store", str(store_dir))
        assert q.returncode == 0 and f"reading it through {again.url}" in q.stderr
    finally:
        assert again.stop() == 0
    assert snapshots(store_dir) == []
