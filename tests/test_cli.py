"""The `jiukg` command as a user runs it: a real subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

JIUKG = str(Path(sys.executable).with_name("jiukg"))
SUBCOMMANDS = ["build", "load", "validate", "query", "serve", "export"]


def run(*args, **kw):
    return subprocess.run([JIUKG, *args], capture_output=True, text=True, timeout=300, **kw)


def test_help_lists_every_subcommand():
    out = run("--help")
    assert out.returncode == 0
    for name in SUBCOMMANDS:
        assert name in out.stdout


@pytest.mark.parametrize("name", SUBCOMMANDS)
def test_each_subcommand_has_help(name):
    out = run(name, "--help")
    assert out.returncode == 0, out.stderr
    assert "Usage" in out.stdout


def test_version():
    from jiukg import __version__

    out = run("--version")
    assert out.returncode == 0
    assert out.stdout.strip() == f"jiukg {__version__}"
    assert __version__[0].isdigit()


def test_query_list_is_an_option_as_the_help_says():
    help_text = run("query", "--help").stdout
    assert "--list" in help_text
    listed = run("query", "--list")
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout == run("query", "list").stdout and "ceb-deferrals" in listed.stdout


def test_query_of_a_file_without_a_title_line_is_one_clear_error(tmp_path):
    rq = tmp_path / "adhoc.rq"
    rq.write_text("SELECT ?s WHERE { ?s ?p ?o } LIMIT 1\n", encoding="utf-8")
    out = run("query", str(rq), "--store", str(tmp_path / "store"))
    assert out.returncode == 2
    assert "Traceback" not in out.stderr and "╭" not in out.stderr
    assert out.stderr.strip().splitlines() == ["error: adhoc: the header has no '# title:' line"]


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_export_from_an_unreachable_remote_store_is_one_clear_error():
    url = f"http://127.0.0.1:{_free_port()}/query"
    out = run("export", "--store", url, env={**os.environ, "JIUKG_RETRIES": "0"})
    assert out.returncode == 1
    assert "Traceback" not in out.stderr and "╭" not in out.stderr
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and url in lines[0]
    assert out.stdout == ""


def test_export_in_an_unknown_format_is_refused_before_reading(tmp_path):
    out = run("export", "--store", str(tmp_path / "store"), "--format", "rdfa")
    assert out.returncode == 2
    assert out.stderr.strip() == "error: --format rdfa: use one of nquads, trig, turtle, nt, json-ld"


def test_serve_takes_the_query_time_limit_from_its_option(tmp_path):
    """`jiukg serve --query-timeout 1` stops a long query at 1 s and says so."""
    import socket
    import time

    import httpx

    sys.path.insert(0, str(Path(__file__).parent))
    from _service_server import free_port, static_store

    static_store(tmp_path / "store").close()  # not empty: serve does not build the corpus
    port = free_port()
    proc = subprocess.Popen([JIUKG, "serve", "--store", str(tmp_path / "store"), "--port", str(port),
                             "--query-timeout", "1"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            assert proc.poll() is None and time.monotonic() < deadline, "jiukg serve did not start"
            time.sleep(0.2)
        slow = """SELECT (COUNT(*) AS ?n) WHERE { { SELECT ?a WHERE { ?a ?p ?b } LIMIT 450 }
                  { SELECT ?c WHERE { ?c ?q ?d } LIMIT 450 } { SELECT ?e WHERE { ?e ?r ?f } LIMIT 450 } }"""
        r = httpx.get(f"http://127.0.0.1:{port}/sparql", params={"query": slow}, timeout=60)
    finally:
        proc.terminate()
        proc.wait(20)
    assert r.status_code == 503
    assert "the 1 s limit" in r.text
