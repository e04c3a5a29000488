"""Real SPARQL servers for the tests, each on a free loopback port in a temp directory.

`OxigraphServer` runs the `oxigraph serve` CLI from the PyPI package `oxigraph`;
`VirtuosoServer` runs Debian's `virtuoso-t` (package virtuoso-opensource) with a
generated virtuoso.ini. Both can be stopped and started again on the same port
and data, which the availability tests need. Fixtures at the bottom are imported
by conftest.py.
"""

from __future__ import annotations

import itertools
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_http(url: str, proc: subprocess.Popen, log: Path, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            tail = log.read_text(errors="replace")[-2000:]
            raise RuntimeError(f"{proc.args[0]} exited with {proc.returncode}: {tail}")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status < 500:
                    return
        except urllib.error.HTTPError as e:
            if e.code < 500:
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer within {seconds} s: {log.read_text(errors='replace')[-2000:]}")


class _Server:
    name = "server"
    proc: subprocess.Popen | None = None

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self) -> None:
        """Stop the server process (and only it); the data directory stays."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()


class OxigraphServer(_Server):
    """`oxigraph serve --location DIR --bind 127.0.0.1:PORT`, read-write, default graph NOT the union."""

    name = "oxigraph-server"

    def __init__(self, directory: Path, port: int | None = None):
        self.dir = Path(directory)
        self.port = self.http_port = port or free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.query_url = f"{self.base}/query"
        self.update_url = f"{self.base}/update"
        self.gsp_url = f"{self.base}/store"

    @staticmethod
    def executable() -> str | None:
        here = Path(sys.executable).parent / "oxigraph"
        return str(here) if here.exists() else shutil.which("oxigraph")

    def start(self) -> None:
        exe = self.executable()
        if exe is None:
            raise RuntimeError("the `oxigraph` CLI is not installed (pip install oxigraph)")
        self.dir.mkdir(parents=True, exist_ok=True)
        log = self.dir.parent / f"{self.dir.name}.log"
        with open(log, "ab") as out:
            self.proc = subprocess.Popen(
                [exe, "serve", "--location", str(self.dir), "--bind", f"127.0.0.1:{self.port}"],
                stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        _wait_http(f"{self.query_url}?query=ASK%7B%7D", self.proc, log, 30)

    def store_options(self) -> dict:
        return {"update_url": self.update_url, "gsp_url": self.gsp_url}


VIRTUOSO_INI = """\
[Database]
DatabaseFile       = {d}/virtuoso.db
ErrorLogFile       = {d}/virtuoso.log
LockFile           = {d}/virtuoso.lck
TransactionFile    = {d}/virtuoso.trx
xa_persistent_file = {d}/virtuoso.pxa
ErrorLogLevel      = 7
FileExtend         = 200
MaxCheckpointRemap = 2000
Striping           = 0
TempStorage        = TempDatabase

[TempDatabase]
DatabaseFile       = {d}/virtuoso-temp.db
TransactionFile    = {d}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping           = 0

[Parameters]
ServerPort               = 127.0.0.1:{sql_port}
DisableUnixSocket        = 1
MaxClientConnections     = 10
CheckpointInterval       = 60
CaseMode                 = 2
DirsAllowed              = ., {d}, /usr/share/virtuoso-opensource-7/vad
VADInstallDir            = /usr/share/virtuoso-opensource-7/vad/
NumberOfBuffers          = 10000
MaxDirtyBuffers          = 6000
ThreadsPerQuery          = 2
MaxQueryMem              = 500M

[HTTPServer]
ServerPort                  = 127.0.0.1:{http_port}
ServerRoot                  = /var/lib/virtuoso-opensource-7/vsp
MaxClientConnections        = 10
ServerThreads               = 10
DavRoot                     = DAV
EnabledDavVSP               = 0
Charset                     = UTF-8
KeepAliveTimeout            = 10

[SPARQL]
ResultSetMaxRows           = 10000
MaxQueryCostEstimationTime = 0
MaxQueryExecutionTime      = 60
DeferInferenceRulesInit    = 0
"""


class VirtuosoServer(_Server):
    """Debian's Virtuoso 7 with a fresh database; SPARQL_UPDATE granted to the anonymous
    SPARQL user so the tests can write without digest auth (never do that in production)."""

    name = "virtuoso"
    _fresh = True

    def __init__(self, directory: Path, http_port: int | None = None, sql_port: int | None = None):
        self.dir = Path(directory)
        self.http_port = http_port or free_port()
        self.sql_port = sql_port or free_port()
        self.base = f"http://127.0.0.1:{self.http_port}"
        self.query_url = f"{self.base}/sparql"
        self.update_url = f"{self.base}/sparql"
        self.gsp_url = f"{self.base}/sparql-graph-crud"

    @staticmethod
    def available() -> bool:
        return shutil.which("virtuoso-t") is not None and shutil.which("isql-vt") is not None

    def start(self) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        ini = self.dir / "virtuoso.ini"
        ini.write_text(VIRTUOSO_INI.format(d=self.dir, sql_port=self.sql_port, http_port=self.http_port))
        log = self.dir / "stdout.log"
        with open(log, "ab") as out:
            self.proc = subprocess.Popen(["virtuoso-t", "+foreground", "+configfile", str(ini)], cwd=self.dir,
                                         stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        _wait_http(f"{self.query_url}?query=ASK%7B%7D", self.proc, log, 120)
        if self._fresh:
            grants = ('GRANT SPARQL_UPDATE TO "SPARQL";',
                      "GRANT EXECUTE ON DB.DBA.SPARQL_INSERT_DICT_CONTENT TO \"SPARQL\";",
                      "GRANT EXECUTE ON DB.DBA.SPARQL_DELETE_DICT_CONTENT TO \"SPARQL\";",
                      "DB.DBA.RDF_DEFAULT_USER_PERMS_SET ('nobody', 7);")
            deadline = time.monotonic() + 60
            while True:  # the SQL port may answer a little after HTTP on a loaded machine
                try:
                    self.isql(*grants)
                    break
                except (RuntimeError, subprocess.TimeoutExpired):
                    if time.monotonic() > deadline or not self.running:
                        raise
                    time.sleep(0.5)
            self._fresh = False

    def isql(self, *statements: str) -> str:
        out = subprocess.run(["isql-vt", f"127.0.0.1:{self.sql_port}", "dba", "dba",
                              "exec=" + " ".join(statements)], capture_output=True, text=True, timeout=60)
        if out.returncode != 0 or "*** Error" in out.stdout + out.stderr:
            raise RuntimeError(f"isql failed: {out.stdout}{out.stderr}")
        return out.stdout

    def stop(self) -> None:
        if self.running:
            try:
                self.isql("checkpoint;")
            except Exception:
                pass
        super().stop()

    def store_options(self) -> dict:
        # GSP: Virtuoso's SPARQL Update compiles INSERT DATA into SQL and slows down past ~1,000 triples
        return {"update_url": self.update_url, "gsp_url": self.gsp_url}


class SlowProxy:
    """A loopback TCP proxy that holds each new connection for `delay` seconds before passing it on
    to a real server: a slow network or a loaded server, for tests of time limits (the answers
    are still the real server's)."""

    def __init__(self, upstream_port: int, delay: float):
        import threading

        self.upstream_port, self.delay = upstream_port, delay
        self.connections = 0  # how many requests came through (SPARQLWrapper opens one connection per query)
        self._sock = socket.socket()
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(16)
        self.port = self._sock.getsockname()[1]
        self._closed = False
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    @classmethod
    def before(cls, server, delay: float) -> tuple[SlowProxy, str]:
        """A proxy in front of a test server, and the server's query URL through it."""
        from urllib.parse import urlsplit

        px = cls(server.http_port, delay)
        return px, px.url(urlsplit(server.query_url).path)

    def _accept(self) -> None:
        import threading

        while not self._closed:
            try:
                client, _ = self._sock.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        import threading

        time.sleep(self.delay)
        try:
            upstream = socket.create_connection(("127.0.0.1", self.upstream_port))
        except OSError:
            client.close()
            return

        def pipe(a: socket.socket, b: socket.socket) -> None:
            try:
                while data := a.recv(65536):
                    b.sendall(data)
            except OSError:
                pass
            finally:
                for x in (a, b):
                    try:
                        x.shutdown(socket.SHUT_RDWR)
                    except OSError:
                        pass

        t = threading.Thread(target=pipe, args=(upstream, client), daemon=True)
        t.start()
        pipe(client, upstream)
        t.join()
        client.close()
        upstream.close()

    def close(self) -> None:
        self._closed = True
        self._sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


# ---------------------------------------------------------------- fixtures

_counter = itertools.count()


@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory):
    """One Oxigraph server for the session (tests must empty what they use)."""
    if OxigraphServer.executable() is None:
        pytest.skip("the oxigraph CLI is not installed")
    with OxigraphServer(tmp_path_factory.mktemp("oxigraph") / "data") as srv:
        yield srv


@pytest.fixture(scope="session")
def virtuoso_server(tmp_path_factory):
    if not VirtuosoServer.available() or os.environ.get("JIUKG_TEST_NO_VIRTUOSO"):
        pytest.skip("Virtuoso is not installed (Debian: apt-get install virtuoso-opensource)")
    with VirtuosoServer(tmp_path_factory.mktemp("virtuoso")) as srv:
        yield srv


def empty_remote(server) -> object:
    """A RemoteStore on `server` with every graph it manages dropped."""
    from jiukg.store import open_store

    st = open_store(server.query_url, **server.store_options())
    for g in st.graphs():
        st.drop_graph(g)
    return st


BACKENDS = ["embedded-memory", "embedded-disk", "oxigraph-server", "virtuoso"]


def make_store_factory(backend: str, request, tmp_path_factory):
    """A function returning an empty store of `backend`; stores it made are closed at teardown."""
    from jiukg.store import open_store

    opened = []
    if backend == "embedded-memory":
        def make():
            st = open_store(":memory:")
            opened.append(st)
            return st
    elif backend == "embedded-disk":
        def make():
            st = open_store(str(tmp_path_factory.mktemp("store") / f"s{next(_counter)}"))
            opened.append(st)
            return st
    elif backend in ("oxigraph-server", "virtuoso"):
        server = request.getfixturevalue("oxigraph_server" if backend == "oxigraph-server" else "virtuoso_server")

        def make():
            for st in opened:  # one server: a new empty store empties the previous one's data
                st.close()
            opened.clear()
            st = empty_remote(server)
            opened.append(st)
            return st
    else:
        raise ValueError(backend)
    return make, opened


CORPUS_BACKENDS = ["embedded-disk", "oxigraph-server", "virtuoso"]


@pytest.fixture(scope="session", params=CORPUS_BACKENDS)
def store_backend(request, tmp_path_factory):
    """A factory `make() -> Store` giving an empty store of the parametrised backend (embedded on disk,
    Oxigraph server, Virtuoso). On a server backend, each call empties the same server: use one store
    at a time, and only within one test module (the servers are shared by the session)."""
    make, opened = make_store_factory(request.param, request, tmp_path_factory)
    make.backend = request.param
    yield make
    for st in opened:
        st.close()
