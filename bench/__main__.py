"""`python -m bench`: jiukg side by side with the engines it is built on, at growing sizes, with ratios.

    .venv/bin/python -m bench --quick                 # 10k and 100k, short budgets: under two minutes
    .venv/bin/python -m bench --sizes 10k,100k,1M,10M --data-dir /tmp/jbdata --json r.json --plot docs/benchmarks.png

For each size, on data from bench/generate.py (N-Quads, a named graph per document; `--data-dir` reuses
files made before, e.g. by `python -m bench.generate 10M -o /tmp/jbdata/10m.nq`):
- load: `jiukg load --bulk` (gated, up to --gated-max, stopped past --gated-timeout) vs pyoxigraph's
  `Store.bulk_load` vs `oxigraph load`, each a fresh subprocess into an empty on-disk store: quads/s and
  peak memory (the child's max RSS); the ordinary rdflib path up to --ordinary-max; `jiukg restore` of a
  `jiukg release` of that store (above --release-max: of the data file with a SHA256SUMS) vs bulk_load of
  the same N-Quads.
- shacl: jiukg's gate over the file (pyoxigraph parse + compiled engine, batched) up to --shacl-max, and
  both engines, jiukg's and plain pyshacl, on the same --pyshacl-slice, with the result counts compared.
- query: every catalogue query, parameters as selective as its example, through jiukg's store
  (catalogue.run, rows converted to rdflib terms) vs the same text on the raw pyoxigraph store:
  median and p99 of up to --runs runs in --query-seconds per query and side, a run past --query-cap stopped.
- http (wrk, up to --http-max): requests/s, p50, p99 at 1, 4 and 16 clients on loopback: `jiukg serve` vs
  the Oxigraph server on a copy of the same store vs rdflib-endpoint (small data only), for the selective
  lookup `SELECT ?p ?o WHERE { <a recommendation> ?p ?o }`, the flagship (ceb-deferrals org=WIPO) and a
  linked-data page (jiukg only).
Everything is bounded in count and time; a section skipped at a size says why; no timing is asserted anywhere.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import generate  # noqa: E402

BIN = Path(sys.executable).parent
PY = sys.executable
REC = "https://w3id.org/jiukg/id/doc/JIU/REP/1990/3/rec/2"
# the catalogue's example parameters, moved onto the synthetic corpus (same selectivity: one org, one report, ...)
SYNTHETIC = {"org": "WIPO", "report": "JIU/REP/1990/3", "document": "WO/PBC/30/2", "rec": "2",
             "from": "WO/PBC/30/2", "to": "WO/PBC/31/2", "before": "1993-01-01", "body": "OIOS", "mechanism": "CEB",
             "resource": "https://w3id.org/jiukg/id/doc/JIU/REP/1990/3/rec/2/status/WIPO/WO-PBC-30-2"}


def say(*a):
    print(*a, file=sys.stderr, flush=True)


def child(cmd: list[str], timeout: float = 3600, env: dict | None = None) -> dict:
    """Run a subprocess to its end: wall time, its own peak RSS in MB (wait4's ru_maxrss), exit code, output."""
    import tempfile
    import threading

    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=out, stderr=err, env=env)
        timer = threading.Timer(timeout, p.kill)
        timer.start()
        try:
            _, status, usage = os.wait4(p.pid, 0)
        finally:
            timer.cancel()
        dt = time.perf_counter() - t0
        p.returncode = code = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return {"seconds": dt if code == 0 else None, "mb": usage.ru_maxrss / 1024, "code": code,
                "out": out.read().decode(errors="replace"), "err": err.read().decode(errors="replace")}


measured = child


def ok(r: dict, what: str) -> bool:
    if r["code"] != 0:
        say(f"  ! {what} failed ({r['code']}): {r['err'][-600:]}")
        return False
    return True


def fresh(d: Path) -> Path:
    """d, empty: removed with what it holds (a release's folders are read-only: made writable first)."""
    if d.is_dir():
        for x in [d, *d.rglob("*")]:
            if x.is_dir() and not x.is_symlink():
                x.chmod(0o755)
    shutil.rmtree(d, ignore_errors=True)
    return d


def _count_quads(f: Path, work: Path) -> int:
    """Lines of an N-Quads file (the generator writes one quad a line), remembered in the workdir by path,
    size and time: counting 10M takes seconds."""
    st = f.stat()
    memo = work / "counts.json"
    seen = json.loads(memo.read_text()) if memo.exists() else {}
    key = f"{f.resolve()}:{st.st_size}:{st.st_mtime_ns}"
    if key not in seen:
        with open(f, "rb") as fh:
            seen[key] = sum(chunk.count(b"\n") for chunk in iter(lambda: fh.read(1 << 24), b""))
        memo.write_text(json.dumps(seen))
    return seen[key]


def data_file(work: Path, n: int, label: str, data_dir: str | None = None) -> tuple[Path, int, float | None]:
    """The data of one size: `--data-dir`'s file of that name (10k.nq, 100k.nq, 1m.nq, 10m.nq; read, never
    written), else one generated into the workdir once (and reused by the next run there)."""
    if data_dir:
        for name in (f"{label}.nq", f"{label.lower()}.nq", f"jiukg-{label}.nq"):
            f = Path(data_dir) / name
            if f.is_file():
                return f, _count_quads(f, work), None
        say(f"  no {label.lower()}.nq in {data_dir}: generating it into {work}")
    f = work / f"jiukg-{label}.nq"
    meta = work / f"jiukg-{label}.json"
    if f.exists() and meta.exists():
        m = json.loads(meta.read_text())
        return f, m["quads"], m["seconds"]
    t0 = time.perf_counter()
    quads, graphs = generate.write_file(n, f)
    dt = time.perf_counter() - t0
    meta.write_text(json.dumps({"quads": quads, "graphs": graphs, "seconds": dt}))
    return f, quads, dt


# ---------------------------------------------------------------- sections

BULK_LOAD = ("import sys, pyoxigraph as ox; ox.Store(sys.argv[1]).bulk_load(path=sys.argv[2], "
             "format=ox.RdfFormat.N_QUADS)")
SKIPPED = {"seconds": None, "mb": None, "code": "skipped", "out": "", "err": ""}


def section_load(work: Path, label: str, f: Path, quads: int, a) -> list[dict]:
    rows = []
    store = fresh(work / f"store-{label}")
    note = ""
    if quads <= a.gated_max:
        j = measured([str(BIN / "jiukg"), "load", "--bulk", "-q", str(f), "--store", str(store)],
                     timeout=a.gated_timeout)
        if j["code"] == -9:
            note = f"stopped after {a.gated_timeout:.0f} s (--gated-timeout)"
            say(f"  ! jiukg load --bulk at {label}: {note}")
        else:
            ok(j, "jiukg load --bulk")
    else:
        j = dict(SKIPPED)
        note = f"not run: {quads:,} quads > --gated-max {a.gated_max:,}"
        say(f"  jiukg load --bulk at {label}: {note}")
    p = measured([PY, "-c", BULK_LOAD, str(fresh(work / "ox-bulk")), str(f)])
    ok(p, "pyoxigraph bulk_load")
    if j["code"] != 0:  # the store the engine loaded takes its place (moved: at 10M a copy is gigabytes)
        shutil.rmtree(store, ignore_errors=True)
        shutil.move(work / "ox-bulk", store)
        generate.add_reference(store)
    o = measured([str(BIN / "oxigraph"), "load", "--location", str(fresh(work / "ox-cli")), "--file", str(f)])
    ok(o, "oxigraph load")
    shutil.rmtree(work / "ox-cli", ignore_errors=True)
    rows.append(_row("load", label, quads, "jiukg load --bulk (gated)", j, "pyoxigraph bulk_load", p, note))
    rows.append(_row("load", label, quads, "jiukg load --bulk (gated)", j, "oxigraph load (CLI)", o, note))
    if quads <= a.ordinary_max:
        r = measured([str(BIN / "jiukg"), "load", "--no-bulk", "-q", str(f), "--store", str(fresh(work / "ordinary"))])
        ok(r, "jiukg load (ordinary)")
        rows.append(_row("load", label, quads, "jiukg load --bulk (gated)", j, "jiukg load, rdflib path", r, note))
        shutil.rmtree(work / "ordinary", ignore_errors=True)
    rows.append(_restore(work, label, store, f, quads, p, a))
    shutil.rmtree(work / "ox-bulk", ignore_errors=True)
    return rows


def _restore(work: Path, label: str, store: Path, f: Path, quads: int, bulk: dict, a) -> dict:
    """`jiukg restore` against pyoxigraph's bulk_load of the same N-Quads. Up to --release-max quads the input
    is a `jiukg release` of the loaded store (gzipped dump, checksums in dcat.ttl; the reference loads the
    dump unzipped); above, writing a release costs minutes (it reads the store into Python), so the input is
    the data file itself beside a SHA256SUMS, and the reference is the bulk_load above, of that very file."""
    out = fresh(work / "releases")
    if quads <= a.release_max:
        t0 = time.perf_counter()
        subprocess.run([str(BIN / "jiukg"), "release", "--store", str(store), "--out", str(out), "--version", "bench"],
                       check=True, capture_output=True, timeout=3600)
        made = time.perf_counter() - t0
        rel = out / "bench"
        dump = work / "release-dump.nq"
        with gzip.open(rel / "jiukg-bench.nq.gz") as z, open(dump, "wb") as d:
            shutil.copyfileobj(z, d, 1 << 20)
        n = _count_quads(dump, work)
        ref = measured([PY, "-c", BULK_LOAD, str(fresh(work / "ox-bulk")), str(dump)])
        ok(ref, "pyoxigraph bulk_load of the release's dump")
        what, note = "jiukg restore (a jiukg release)", f"release written in {made:.1f} s (not timed here)"
    else:
        rel = out / "sums"
        rel.mkdir(parents=True)
        (rel / f.name).symlink_to(f.resolve())
        from jiukg.bulk import sha256

        (rel / "SHA256SUMS").write_text(f"{sha256(f)}  {f.name}\n")
        n, ref, dump = quads, bulk, None
        what, note = "jiukg restore (the data file, SHA256SUMS)", f"{quads:,} > --release-max: no release written"
    r = measured([str(BIN / "jiukg"), "restore", "-q", str(rel), "--store", str(fresh(work / "restored"))])
    ok(r, "jiukg restore")
    for d in (work / "restored", work / "ox-bulk", out):
        fresh(d)
    if dump:
        dump.unlink()
    return _row("load", label, n, what, r, "pyoxigraph bulk_load", ref, note)


def _row(section, label, quads, what, mine, ref_name, ref, note="") -> dict:
    def rate(r):
        return quads / r["seconds"] if r["seconds"] and r["code"] == 0 else None

    ra, rb = rate(mine), rate(ref)
    return {"section": section, "size": label, "quads": quads, "jiukg": what, "reference": ref_name,
            "jiukg_s": mine["seconds"], "jiukg_mb": mine["mb"], "ref_s": ref["seconds"], "ref_mb": ref["mb"],
            "jiukg_rate": ra, "ref_rate": rb, "ratio": ra / rb if ra and rb else None, "unit": "quads/s",
            "note": note}


SHACL_JIUKG = """
import sys
from pathlib import Path
from jiukg import bulk
r = bulk.validate_files([Path(sys.argv[1])])
print(r.count("Violation"), r.count("Warning"), r.count("Info"))
"""

SHACL_GRAPHS = """
import sys, time
sys.path.insert(0, sys.argv[3])
from bench.generate import generate
from jiukg.validation import validate_write
graphs = generate(int(sys.argv[1]))
t0 = time.perf_counter()
r = validate_write(None, graphs, engine=sys.argv[2])
print(r.count("Violation"), r.count("Warning"), r.count("Info"), time.perf_counter() - t0)
"""


def section_shacl(work: Path, label: str, f: Path, quads: int, a) -> list[dict]:
    rows = []
    j = measured([PY, "-c", SHACL_JIUKG, str(f)], timeout=a.shacl_timeout)
    if ok(j, "jiukg gate over the file"):
        j["results"] = j["out"].split()
    rows.append({"section": "shacl", "size": label, "quads": quads, "jiukg": "jiukg gate, parse + validate",
                 "jiukg_s": j["seconds"], "jiukg_mb": j["mb"], "reference": "—", "ref_s": None, "ref_mb": None,
                 "ratio": None, "unit": "s", "jiukg_results": "/".join(j.get("results", []))})
    return rows


def section_pyshacl(n: int, a) -> list[dict]:
    """Both engines on the same generated graphs (in memory), the validation alone timed, counts compared."""
    out = {}
    for engine in ("compiled", "pyshacl"):
        r = measured([PY, "-c", SHACL_GRAPHS, str(n), engine, str(ROOT)], timeout=a.pyshacl_timeout)
        out[engine] = r
        if ok(r, f"validation, {engine}"):
            *counts, secs = r["out"].split()
            r["results"], r["validate_s"] = "/".join(counts), float(secs)
        else:
            r["results"], r["validate_s"] = "", None
    c, p = out["compiled"], out["pyshacl"]
    return [{"section": "shacl", "size": f"{n:,}-quad slice", "quads": n, "jiukg": "jiukg compiled engine",
             "jiukg_s": c["validate_s"], "jiukg_mb": c["mb"], "reference": "plain pyshacl", "ref_s": p["validate_s"],
             "ref_mb": p["mb"], "ratio": p["validate_s"] / c["validate_s"] if c["validate_s"] and p["validate_s"] else None,
             "unit": "s (speed-up)", "jiukg_results": c["results"], "ref_results": p["results"],
             "same_results": c["results"] == p["results"] and bool(c["results"])}]


def _params(q) -> dict:
    return {k: SYNTHETIC.get(k, v) for k, v in q.example.items()}


def section_query(work: Path, label: str, quads: int, a) -> list[dict]:
    """Every catalogue query in a child process (bench/_queries.py); one that passes --query-cap is
    killed with its process and reported as such, and the rest go on in a new one."""
    import select

    from jiukg import catalogue

    names = [q.name for q in catalogue.load_catalogue()]
    rows = []
    while names:
        cmd = [PY, "-m", "bench._queries", str(work / f"store-{label}"), json.dumps(SYNTHETIC), str(a.runs),
               str(a.query_seconds), *names]
        # unbuffered: select() must see every line the child wrote, none may wait in a Python buffer
        p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, bufsize=0, cwd=ROOT)
        current, started = None, time.perf_counter()
        try:
            while True:
                ready, _, _ = select.select([p.stdout], [], [], 1.0)
                if ready:
                    line = p.stdout.readline()
                    if not line:
                        names = []  # the child ended (all done, or it failed: what it did not answer is missing)
                        break
                    msg = json.loads(line)
                    if "start" in msg or "tick" in msg:  # a query begins, or one of its runs ended
                        current, started = msg.get("start", current), time.perf_counter()
                        continue
                    names.remove(msg["query"])
                    if "error" in msg:
                        say(f"  ! {msg['query']} at {label}: {msg['error']}")
                        rows.append({"section": "query", "size": label, "quads": quads, "query": msg["query"],
                                     "rows": None, "params": msg["params"], "runs": 0, "jiukg_s": None,
                                     "jiukg_p99": None, "ref_s": None, "ref_p99": None, "ratio": None, "unit": "s",
                                     "jiukg": "catalogue.run", "reference": "raw pyoxigraph",
                                     "error": msg["error"]})
                        current = None
                        continue
                    rows.append({"section": "query", "size": label, "quads": quads, "query": msg["query"],
                                 "rows": msg["rows"], "params": msg["params"], "runs": msg["runs"],
                                 "jiukg_s": msg["jiukg"], "jiukg_p99": msg["jiukg_p99"], "ref_s": msg["raw"],
                                 "ref_p99": msg["raw_p99"], "ratio": msg["jiukg"] / msg["raw"] if msg["raw"] else None,
                                 "unit": "s (overhead)", "jiukg": "catalogue.run", "reference": "raw pyoxigraph"})
                    current = None
                elif current and time.perf_counter() - started > a.query_cap:
                    rows.append({"section": "query", "size": label, "quads": quads, "query": current, "rows": None,
                                 "params": "", "runs": 0, "jiukg_s": None, "jiukg_p99": None, "ref_s": None,
                                 "ref_p99": None, "ratio": None, "unit": "s", "jiukg": "catalogue.run",
                                 "reference": "raw pyoxigraph", "capped": a.query_cap})
                    say(f"  ! a run of {current} passed {a.query_cap} s at {label}: stopped")
                    names.remove(current)
                    break
        finally:
            p.kill()
            p.wait()
    return rows


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(url: str, proc, seconds: float = 120) -> bool:
    import httpx

    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        if proc.poll() is not None:
            return False
        try:
            if httpx.get(url, timeout=2, trust_env=False).status_code < 500:
                return True
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    return False


def section_http(work: Path, label: str, f: Path, quads: int, a) -> list[dict]:
    """wrk (bench/bench_http_path.py's harness) against each server on loopback, one bounded run per cell:
    the selective lookup of issue 17 (SELECT ?p ?o WHERE { <a recommendation> ?p ?o }) through each
    server's SPARQL endpoint, the flagship (jiukg's catalogue route vs the same query text sent to the
    others) and a linked-data page (jiukg's HTML page of that recommendation; the others have none).
    Each server's answer is fetched once first, its rows recorded beside the figures."""
    import tempfile

    import pyoxigraph as ox

    from bench import bench_http_path as hp
    from jiukg import catalogue

    if not shutil.which("wrk"):
        say("  ! http: wrk is not installed (Debian: apt-get install wrk): section skipped")
        return []
    flagship = catalogue.get_query("ceb-deferrals")
    flag_text = catalogue.bound_text(flagship, catalogue.bind(flagship, {"org": "WIPO"}))
    store = work / f"store-{label}"
    copy = fresh(work / "ox-serve")
    src = ox.Store.read_only(str(store))
    src.backup(str(copy))  # the Oxigraph server reads its own copy: two processes must not share a RocksDB
    del src
    servers, procs = {}, []
    json_accept = "application/sparql-results+json"
    try:  # all three started at once, then waited for: their start-ups overlap
        jport, oport, rport = _free_port(), _free_port(), _free_port()
        base = f"http://127.0.0.1:{jport}"
        obase = f"http://127.0.0.1:{oport}/query"
        rbase = f"http://127.0.0.1:{rport}/"  # rdflib-endpoint's CLI serves at /
        starts = [("jiukg serve", [str(BIN / "jiukg"), "serve", "--store", str(store), "--host", "127.0.0.1",
                                   "--port", str(jport)], base + "/healthz"),
                  ("Oxigraph server", [str(BIN / "oxigraph"), "serve-read-only", "--location", str(copy), "--bind",
                                       f"127.0.0.1:{oport}", "--union-default-graph"], obase + "?query=" + quote("ASK {}"))]
        if quads <= a.rdflib_endpoint_max and (BIN / "rdflib-endpoint").exists():
            starts.append(("rdflib-endpoint", [str(BIN / "rdflib-endpoint"), "serve", "--host", "127.0.0.1", "--port",
                                               str(rport), str(f)], rbase + "?query=" + quote("ASK {}")))
        started = [(name, subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL), up)
                   for name, cmd, up in starts]
        procs += [p for _, p, _ in started]
        up = {name for name, p, url in started if _wait(url, p, 300)}
        for name in [n for n, _, _ in starts if n not in up]:
            say(f"  ! http: {name} did not start")
        if "jiukg serve" in up:
            servers["jiukg serve"] = {
                "lookup": (hp.lookup_url(base + "/sparql", REC), json_accept),
                "flagship": (base + hp.FLAGSHIP, json_accept),
                "page": (base + "/id/" + REC.split("/id/", 1)[1], "text/html")}
        if "Oxigraph server" in up:
            servers["Oxigraph server"] = _sparql_requests(hp, obase, flag_text)
        if "rdflib-endpoint" in up:
            servers["rdflib-endpoint"] = _sparql_requests(hp, rbase, flag_text)
        answered = {name: {what: _answer_size(*reqs[what], a.query_cap) for what in reqs}
                    for name, reqs in servers.items()}
        plan = [("lookup", a.http_clients), ("page", a.http_other_clients), ("flagship", a.http_other_clients)]
        cells: dict[tuple, dict] = {}
        with tempfile.TemporaryDirectory() as tmp:
            for what, clients_list in plan:  # the flagship last: a slow engine may go on with it after wrk stops
                for name, reqs in servers.items():
                    for clients in clients_list:
                        if what in reqs:
                            url, accept = reqs[what]
                            cells[(what, clients, name)] = _wrk(hp, url, clients, a.http_seconds, accept, Path(tmp))
        rows = []
        for what, clients_list in plan:
            for clients in clients_list:
                j = cells.get((what, clients, "jiukg serve"), {})
                refs = [r for r in ("Oxigraph server", "rdflib-endpoint") if (what, clients, r) in cells] or ["—"]
                for ref in refs:
                    r = cells.get((what, clients, ref), {})
                    rows.append({"section": "http", "size": label, "quads": quads, "request": what,
                                 "clients": clients, "jiukg": "jiukg serve", "reference": ref,
                                 "jiukg_rps": j.get("rps"), "jiukg_p50": j.get("p50"), "jiukg_p99": j.get("p99"),
                                 "ref_rps": r.get("rps"), "ref_p50": r.get("p50"), "ref_p99": r.get("p99"),
                                 "jiukg_errors": j.get("errors"), "ref_errors": r.get("errors"),
                                 "rows": answered.get("jiukg serve", {}).get(what),
                                 "ref_rows": answered.get(ref, {}).get(what),
                                 "ratio": j["rps"] / r["rps"] if j.get("rps") and r.get("rps") else None,
                                 "unit": "req/s", "seconds_per_cell": a.http_seconds})
        return rows
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
        fresh(copy)


def _wrk(hp, url: str, clients: int, seconds: float, accept: str, tmp: Path) -> dict:
    """One wrk cell; latencies in seconds like the rest of the table. A run wrk could not make is empty."""
    try:
        r = hp.wrk(url, clients, max(1, round(seconds)), accept=accept, tmp=tmp)  # wrk takes whole seconds
    except (SystemExit, subprocess.TimeoutExpired) as e:
        say(f"  ! wrk {url[:80]}: {e}")
        return {}
    if not r["rps"]:  # nothing answered within the run (wrk's own timeout is 2 s): no latencies to show
        return {**r, "p50": None, "p99": None}
    return {**r, "p50": r["p50"] / 1000 if r["p50"] is not None else None,
            "p99": r["p99"] / 1000 if r["p99"] is not None else None}


def _answer_size(url: str, accept: str, seconds: float):
    """What one request answers, to check the servers answer alike: result rows, or kB of a page. Waited for
    no longer than a query may run (--query-cap): the Oxigraph server has no time limit of its own."""
    import httpx

    try:
        r = httpx.get(url, headers={"Accept": accept}, timeout=seconds, trust_env=False)
    except httpx.TimeoutException:
        return f"no answer in {seconds:g} s"
    except httpx.HTTPError:
        return "error"
    if r.status_code != 200:
        return f"HTTP {r.status_code}"
    if "json" in r.headers.get("content-type", ""):
        return f"{len(r.json().get('results', {}).get('bindings', []))} rows"
    return f"{len(r.content) // 1024} kB"


def _sparql_requests(hp, endpoint: str, flag_text: str) -> dict:
    accept = "application/sparql-results+json"
    return {"lookup": (hp.lookup_url(endpoint, REC), accept),
            "flagship": (endpoint + "?query=" + quote(flag_text, safe=""), accept)}


# ---------------------------------------------------------------- output

def _f(v, unit="s"):
    if v is None:
        return "—"
    if unit == "s":
        return f"{v * 1000:.1f} ms" if v < 1 else f"{v:.2f} s"
    if unit == "rate":
        return f"{v / 1000:.1f}k/s" if v < 1e6 else f"{v / 1e6:.2f}M/s"
    if unit == "mb":
        return f"{v:.0f} MB"
    if unit == "x":
        return f"{v:.2f}×"
    return str(v)


def _rps(v):
    return "—" if v is None else f"{v:.1f}"


def table(rows: list[dict]) -> str:
    out = []
    loads = [r for r in rows if r["section"] == "load"]
    if loads:
        out += ["### Load (empty on-disk store; quads/s, peak RSS of the process)", "",
                "| size | quads | jiukg | time | rate | peak | reference | time | rate | peak | ratio | note |",
                "|---|---|---|---|---|---|---|---|---|---|---|---|"]
        out += [f"| {r['size']} | {r['quads']:,} | {r['jiukg']} | {_f(r['jiukg_s'])} | {_f(r['jiukg_rate'], 'rate')} | "
                f"{_f(r['jiukg_mb'], 'mb')} | {r['reference']} | {_f(r['ref_s'])} | {_f(r['ref_rate'], 'rate')} | "
                f"{_f(r['ref_mb'], 'mb')} | {_f(r['ratio'], 'x')} | {r.get('note', '')} |" for r in loads]
        out.append("")
    shacl = [r for r in rows if r["section"] == "shacl"]
    if shacl:
        out += ["### SHACL (results: violations/warnings/infos)", "",
                "| size | quads | jiukg | time | peak | results | reference | time | results | same | speed-up |",
                "|---|---|---|---|---|---|---|---|---|---|---|"]
        out += [f"| {r['size']} | {r['quads']:,} | {r['jiukg']} | {_f(r['jiukg_s'])} | {_f(r['jiukg_mb'], 'mb')} | "
                f"{r.get('jiukg_results', '')} | {r['reference']} | {_f(r['ref_s'])} | {r.get('ref_results', '—')} | "
                f"{ {True: 'yes', False: 'NO'}.get(r.get('same_results'), '—')} | {_f(r['ratio'], 'x')} |"
                for r in shacl]
        out.append("")
    queries = [r for r in rows if r["section"] == "query"]
    if queries:
        out += ["### Catalogue queries (jiukg's store vs raw pyoxigraph on the same store; median, p99)", "",
                "| size | query | params | rows | runs | jiukg median | jiukg p99 | raw median | raw p99 | jiukg/raw |",
                "|---|---|---|---|---|---|---|---|---|---|"]
        out += [f"| {r['size']} | {r['query']} | {r['params']} | {r['rows']} | {r['runs']} | "
                f"{_f(r['jiukg_s']) if not r.get('capped') else '> %d s, stopped' % r['capped']}"
                f"{' (error: ' + r['error'][:80] + ')' if r.get('error') else ''} | "
                f"{_f(r['jiukg_p99'])} | {_f(r['ref_s'])} | {_f(r['ref_p99'])} | {_f(r['ratio'], 'x')} |"
                for r in queries]
        out.append("")
    http = [r for r in rows if r["section"] == "http"]
    if http:
        secs = http[0].get("seconds_per_cell")
        out += [f"### HTTP on loopback (wrk, {secs:g} s a cell, on the same machine; requests/s, p50, p99)", "",
                "| size | request (rows) | clients | jiukg req/s | p50 | p99 | reference | req/s | p50 | p99 | ratio |",
                "|---|---|---|---|---|---|---|---|---|---|---|"]
        out += [f"| {r['size']} | {r['request']} ({r.get('rows', '?')}) | {r['clients']} | {_rps(r['jiukg_rps'])} | "
                f"{_f(r['jiukg_p50'])} | {_f(r['jiukg_p99'])} | {r['reference']}"
                f"{' (%s)' % r['ref_rows'] if r.get('ref_rows') else ''} | "
                f"{_rps(r['ref_rps'])} | "
                f"{_f(r['ref_p50'])} | {_f(r['ref_p99'])} | {_f(r['ratio'], 'x')} |" for r in http]
        out.append("")
    return "\n".join(out)


def machine(start=None) -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), "?")
    mem = next((int(line.split()[1]) // 1024 // 1024 for line in open("/proc/meminfo") if line.startswith("MemTotal")), 0)
    load = os.getloadavg()
    began = f"at the start {start[0]:.1f} / {start[1]:.1f} / {start[2]:.1f}, " if start else ""
    return (f"{platform.node()}: {os.cpu_count()} CPUs ({cpu}), {mem} GB RAM, {platform.system()} "
            f"{platform.release()}, Python {platform.python_version()}; load average (1/5/15 min) {began}at the end "
            f"{load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="10k and 100k quads, short time budgets")
    ap.add_argument("--sizes", help="comma-separated sizes (10k,100k,1M,10M or numbers)")
    ap.add_argument("--sections", default="load,shacl,query,http")
    ap.add_argument("--workdir", default=None, help="where data and stores go (default: a folder in /tmp)")
    ap.add_argument("--data-dir", help="reuse N-Quads files named after the sizes here (10k.nq, 100k.nq, 1m.nq, "
                    "10m.nq; read only), generating only those missing")
    ap.add_argument("--gated-max", type=int, default=1_100_000, help="jiukg load --bulk up to this many quads")
    ap.add_argument("--gated-timeout", type=float, default=600, help="a gated load stopped past this (seconds)")
    ap.add_argument("--ordinary-max", type=int, default=120_000, help="the rdflib load path up to this many quads")
    ap.add_argument("--release-max", type=int, default=1_100_000,
                    help="restore a `jiukg release` up to this many quads (above: the data file with a SHA256SUMS)")
    ap.add_argument("--pyshacl-slice", type=int, default=3000, help="quads both SHACL engines validate")
    ap.add_argument("--pyshacl-timeout", type=float, default=600)
    ap.add_argument("--shacl-timeout", type=float, default=1800)
    ap.add_argument("--shacl-max", type=int, default=2_000_000, help="the gate over the file up to this many quads")
    ap.add_argument("--query-max", type=int, default=20_000_000, help="queries up to this many quads")
    ap.add_argument("--http-max", type=int, default=1_100_000, help="HTTP up to this many quads")
    ap.add_argument("--rdflib-endpoint-max", type=int, default=15_000)
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--query-seconds", type=float, default=3.0, help="time for repeated runs of one query")
    ap.add_argument("--query-cap", type=float, default=10.0,
                    help="a query stopped when one run passes this; default: the service's own query time limit")
    ap.add_argument("--http-seconds", type=int, default=3, help="one wrk run (each cell), whole seconds")
    ap.add_argument("--http-clients", default="1,4,16", help="client counts for the lookup")
    ap.add_argument("--http-other-clients", default="1,4,16", help="client counts for the flagship and the page")
    ap.add_argument("--json", help="write the rows as JSON here")
    ap.add_argument("--plot", help="write the cost-against-size plot (PNG) here (needs matplotlib)")
    a = ap.parse_args(argv)
    if a.quick:  # the budgets that keep it under two minutes on a fresh clone (docs/benchmarks.md)
        a.sizes = a.sizes or "10k,100k"
        a.pyshacl_slice, a.runs, a.query_seconds, a.http_seconds = 300, 3, 0.3, 1
        a.query_cap, a.http_other_clients, a.gated_timeout = 1.0, "4", 45
        a.ordinary_max, a.release_max, a.shacl_max = 0, 15_000, 15_000
        a.query_max, a.http_max, a.rdflib_endpoint_max = 15_000, 15_000, 15_000
    a.http_clients = [int(c) for c in str(a.http_clients).split(",")]
    a.http_other_clients = [int(c) for c in str(a.http_other_clients).split(",")]
    sizes = [(s.strip(), generate.size(s.strip())) for s in (a.sizes or "10k,100k,1M,10M").split(",")]
    sections = set(a.sections.split(","))
    work = Path(a.workdir) if a.workdir else Path("/tmp") / f"jiukg-bench-{os.getuid()}"
    work.mkdir(parents=True, exist_ok=True)
    t_start = time.perf_counter()
    rows: list[dict] = []
    load_start = os.getloadavg()
    for label, n in sizes:
        f, quads, gen_s = data_file(work, n, label, a.data_dir)
        say(f"== {label}: {quads:,} quads ({f}, " + (f"generated in {gen_s:.1f} s)" if gen_s is not None else "reused)"))
        if "load" in sections or not (work / f"store-{label}").exists():
            rows += section_load(work, label, f, quads, a)
            say(table([r for r in rows if r["size"] == label and r["section"] == "load"]))
        for name, cap, run in (("shacl", a.shacl_max, lambda: section_shacl(work, label, f, quads, a)),
                               ("query", a.query_max, lambda: section_query(work, label, quads, a)),
                               ("http", a.http_max, lambda: section_http(work, label, f, quads, a))):
            if name not in sections:
                continue
            if quads > cap:
                say(f"  {name} at {label}: not run, {quads:,} quads > --{name}-max {cap:,}")
                continue
            t0 = time.perf_counter()
            rows += run()
            say(f"  {name} at {label}: {time.perf_counter() - t0:.0f} s")
        if a.json:  # written after every size too: a long run stopped half-way keeps what it measured
            Path(a.json).write_text(json.dumps({"machine": machine(), "partial": True, "rows": rows}, default=str))
    if "shacl" in sections and a.pyshacl_slice:
        rows += section_pyshacl(a.pyshacl_slice, a)
    total = time.perf_counter() - t_start
    print(table(rows))
    print(f"{len(rows)} measurements in {total:.0f} s. {machine(load_start)}")
    if a.json:
        Path(a.json).write_text(json.dumps({"machine": machine(load_start), "seconds": total, "argv": sys.argv[1:],
                                            "rows": rows}, indent=1, default=str))
    if a.plot:
        from bench.plot import plot

        plot(rows, a.plot)
    return 0


if __name__ == "__main__":
    sys.exit(main())
