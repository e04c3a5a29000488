"""The HTTP path of one lookup: `jiukg serve` beside the Oxigraph server and rdflib-endpoint, over loopback.

    .venv/bin/python bench/bench_http_path.py [--seconds 5] [--rounds 3] [--clients 1,4,16]
                                              [--data /tmp/1m.nq] [--write docs/benchmarks.md]
    .venv/bin/python bench/bench_http_path.py --profile     # where the time of one lookup goes, in process

Needs wrk (Debian package; ./dev installs it) and the `bench` extra (pip install -e .[bench]: the
`oxigraph` server binary and rdflib-endpoint). For the bundled corpus (built into a temporary on-disk
store) and for each `--data` N-Quads file (restored into one as a checksummed release, not validated
again), serves the same data on free loopback ports: `jiukg serve` (default settings: answer cache and
response cache on), the same with both caches off, `oxigraph serve --union-default-graph`, and
`rdflib-endpoint serve` (the bundled corpus only: it holds the data in rdflib's memory store). Then
runs wrk for `--seconds` per cell (bounded: every run stops by itself; a warm-up request and a 1 s
pause before each) for the selective lookup `SELECT ?p ?o WHERE { <a recommendation> ?p ?o }` (one
IRI: the same request again and again, as wrk sends it) at each client count, the same lookup over 200
different IRIs in turn, and the flagship (/queries/ceb-deferrals?org=WIPO, if the data answers it) and
a linked-data page (Turtle, HTML) at 4 clients; `--rounds` times, the cells interleaved round by
round, the median shown. Every server's answer is checked to hold the same rows first. `--write` puts
the tables in a markdown file between `<!-- http-path -->` markers.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import quote

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import generate  # noqa: E402
from jiukg import pipeline  # noqa: E402
from jiukg.paths import CORPUS_DIR  # noqa: E402
from jiukg.store import open_store  # noqa: E402

LOOKUP = "SELECT ?p ?o WHERE {{ <{iri}> ?p ?o }}"
MARK, END = "<!-- http-path -->", "<!-- /http-path -->"
FLAGSHIP = "/queries/ceb-deferrals?org=WIPO&format=json"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_up(url: str, proc: subprocess.Popen, log: Path, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            if httpx.get(url, timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            sys.exit(f"{url} did not start:\n" + log.read_text(errors="replace")[-2000:])
        time.sleep(0.2)


def lookup_url(base: str, iri: str) -> str:
    return f"{base}?query={quote(LOOKUP.format(iri=iri), safe='')}"


_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3}


def wrk(url: str, clients: int, seconds: float, *, accept: str = "application/sparql-results+json",
        paths: list[str] | None = None, tmp: Path) -> dict:
    """One wrk run: requests/s, p50/p99 in ms, errors (non-2xx and socket errors). With `paths`, the
    clients send those paths in turn (a Lua script), else `url` again and again."""
    cmd = ["wrk", f"-t{min(clients, 2)}", f"-c{clients}", f"-d{seconds:g}s", "--latency", "-H", f"Accept: {accept}"]
    if paths:
        script = tmp / "paths.lua"
        items = ",\n".join('"' + p.replace("\\", "\\\\").replace('"', '\\"') + '"' for p in paths)
        script.write_text("local paths = {\n" + items + "\n}\nlocal i = 0\n"
                          "request = function()\n  i = i % #paths + 1\n"
                          "  return wrk.format('GET', paths[i])\nend\n")
        cmd += ["-s", str(script)]
    time.sleep(1)  # the server finishes what the cell before left in flight
    try:  # one request first: a cell measures the steady state, not the first answer
        httpx.get(url + (paths[0] if paths else ""), headers={"Accept": accept}, timeout=60)
    except httpx.HTTPError:
        pass
    done = subprocess.run(cmd + [url], capture_output=True, text=True, timeout=seconds + 60)
    out = done.stdout
    m = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if m is None:
        sys.exit(f"wrk said:\n{out}\n{done.stderr}")
    rps = float(m.group(1))
    lat = {m[0]: float(m[1]) * _UNITS[m[2]] for m in re.findall(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)}
    errors = sum(int(x) for x in re.findall(r"Non-2xx or 3xx responses:\s+(\d+)", out))
    errors += sum(int(x) for x in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    if errors:  # say what the server answered
        try:
            r = httpx.get(url if not paths else url + paths[0], headers={"Accept": accept}, timeout=10)
            print(out, f"\none request now: {r.status_code} {r.text[:300]}", file=sys.stderr)
        except httpx.HTTPError as e:
            print(out, f"\none request now: {e}", file=sys.stderr)
    return {"rps": rps, "p50": lat.get("50"), "p99": lat.get("99"), "errors": errors}


def rows_of(url: str) -> tuple[int, frozenset]:
    """The number of rows and the set of distinct rows of a lookup's answer."""
    r = httpx.get(url, headers={"Accept": "application/sparql-results+json"}, timeout=60)
    r.raise_for_status()
    rows = r.json()["results"]["bindings"]
    return len(rows), frozenset(tuple(sorted((k, v["value"]) for k, v in b.items())) for b in rows)


def profile(store_dir: Path, iri: str, n: int = 2000) -> str:
    """Where one lookup's time goes, measured piece by piece in process (median of n), and cProfile's
    view of the same lookup through the app in process (the top entries by own time)."""
    import asyncio
    import cProfile
    import io
    import pstats
    import statistics

    import pyoxigraph as ox

    from jiukg.store import sparql as guards
    from service import answer_cache
    from service.querying import check_query

    query = LOOKUP.format(iri=iri)

    def median(fn, k=n) -> float:
        ts = []
        for _ in range(k):
            t0 = time.perf_counter()
            fn()
            ts.append(time.perf_counter() - t0)
        return statistics.median(ts) * 1e3

    lines = []
    with open_store(str(store_dir)) as st:
        raw = st._store  # the engine itself, in this process
        engine = median(lambda: raw.query(query, use_default_graph_as_union=True).serialize(
            format=ox.QueryResultsFormat.JSON))
        scan = median(lambda: check_query(query, parse=False))
        guards.refuse_federation(query)  # the first call parses it in the guard process
        guard = median(lambda: guards.refuse_federation(query))
        guards._clean.clear()
        t0 = time.perf_counter()
        guards.refuse_federation(query)
        guard_cold = (time.perf_counter() - t0) * 1e3
        st.query_raw(query, timeout=10, lane="user")  # starts the pool
        worker = median(lambda: st.query_raw(query, timeout=10, lane="user"), 500)

        from jiukg.config import Settings
        from service.app import create_app

        def app_median(cache: bool, k: int) -> tuple[float, object]:
            """The ASGI app called directly on one event loop (no socket, no HTTP parsing): the
            service's own share of a request."""
            app = create_app(st, Settings(answer_cache_bytes=64 << 20 if cache else 0))
            scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
                     "scheme": "http", "path": "/sparql", "raw_path": b"/sparql",
                     "query_string": ("query=" + quote(query, safe="")).encode(), "root_path": "",
                     "headers": [(b"host", b"127.0.0.1"), (b"accept", b"application/sparql-results+json")],
                     "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 80)}

            async def one():
                sent = []

                async def receive():
                    return {"type": "http.request", "body": b"", "more_body": False}

                async def send(msg):
                    sent.append(msg)

                await app(dict(scope), receive, send)
                assert sent[0]["status"] == 200, sent[0]

            async def many(k):
                ts = []
                for _ in range(k):
                    t0 = time.perf_counter()
                    await one()
                    ts.append(time.perf_counter() - t0)
                return ts

            loop = asyncio.new_event_loop()
            try:
                loop.run_until_complete(many(20))
                ts = loop.run_until_complete(many(k))
                prof = cProfile.Profile()
                prof.enable()
                loop.run_until_complete(many(300))
                prof.disable()
            finally:
                loop.close()
            return statistics.median(ts) * 1e3, prof

        app_miss, prof = app_median(False, 300)
        app_hit, prof_hit = app_median(True, 1000)
        answer_cache.configure(st, 0, 0)
        buf, buf_hit = io.StringIO(), io.StringIO()
        pstats.Stats(prof, stream=buf).sort_stats("tottime").print_stats(14)
        pstats.Stats(prof_hit, stream=buf_hit).sort_stats("tottime").print_stats(14)
    lines += [
        "| piece of one lookup (median) | ms |", "|---|---:|",
        f"| the engine: pyoxigraph query + JSON results, in process | {engine:.3f} |",
        f"| keyword scan and nesting limits (check_query) | {scan:.3f} |",
        f"| the guard's SERVICE check, first time (parse in the guard process) | {guard_cold:.3f} |",
        f"| the guard's SERVICE check, query seen before (its verdict cache) | {guard:.4f} |",
        f"| store.query_raw on the user lane: a worker process, pickle over a pipe each way, engine included | {worker:.3f} |",
        f"| the ASGI app called directly (no socket, no HTTP parsing), answer cache off | {app_miss:.3f} |",
        f"| the ASGI app called directly, answer cache on (a hit) | {app_hit:.3f} |",
    ]

    def top(b):
        return "\n".join(ln for ln in b.getvalue().splitlines() if re.match(r"\s+[\d/]+\s+\d", ln))

    return ("\n".join(lines) + "\n\ncProfile of 300 lookups through the ASGI app, cache off (the event loop's "
            "thread; the worker call runs in a pool thread and shows as the wait), top by own time:\n\n```\n"
            + top(buf) + "\n```\n\nThe same, cache on:\n\n```\n" + top(buf_hit) + "\n```\n")


def write(md: Path, text: str) -> None:
    old = md.read_text(encoding="utf-8") if md.exists() else "# Benchmarks\n"
    block = f"{MARK}\n{text}\n{END}"
    if MARK in old and END in old:
        new = re.sub(re.escape(MARK) + ".*?" + re.escape(END), lambda _: block, old, flags=re.S)
    else:
        new = old.rstrip() + "\n\n" + block + "\n"
    md.write_text(new, encoding="utf-8")


def fmt(r: dict | None) -> str:
    if r is None:
        return "–"
    p = f"{r['p50']:.2f} / {r['p99']:.2f}" if r["p50"] is not None else "?"
    err = f", {r['errors']} errors" if r["errors"] else ""
    return f"{r['rps']:,.0f} req/s, p50/p99 {p} ms{err}"


def servers_for(tmp: Path, store: Path, nq: Path, rdflib: bool, start) -> None:
    """Start the servers compared, on free loopback ports, over the same data."""
    copy = tmp / "store-copy"  # one store, one holder: the second server has a copy
    shutil.copytree(store, copy)
    for name, env, where in (("jiukg serve", {}, store),
                             ("jiukg serve, caches off", {"JIUKG_ANSWER_CACHE_BYTES": "0",
                                                          "JIUKG_RESPONSE_CACHE_BYTES": "0"}, copy)):
        port = free_port()
        start(name, [sys.executable, "-m", "jiukg.cli", "serve", "--store", str(where), "--host",
                     "127.0.0.1", "--port", str(port)], f"http://127.0.0.1:{port}/healthz",
              f"http://127.0.0.1:{port}/sparql", env)
    oxi = Path(sys.executable).parent / "oxigraph"
    odir = tmp / "oxigraph"
    subprocess.run([str(oxi), "load", "--location", str(odir), "--file", str(nq)], check=True, capture_output=True)
    port = free_port()
    start("Oxigraph server", [str(oxi), "serve", "--location", str(odir), "--bind",
                              f"127.0.0.1:{port}", "--union-default-graph"],  # no --timeout-s: see the doc
          f"http://127.0.0.1:{port}/", f"http://127.0.0.1:{port}/query")
    rep = Path(sys.executable).parent / "rdflib-endpoint"
    if rdflib and rep.exists():
        port = free_port()
        start("rdflib-endpoint", [str(rep), "serve", str(nq), "--host", "127.0.0.1", "--port",
                                  str(port)], f"http://127.0.0.1:{port}/", f"http://127.0.0.1:{port}/")  # its CLI serves at /


def median(xs):
    xs = sorted(x for x in xs if x is not None)
    return xs[len(xs) // 2] if xs else None


def combine(runs: list[dict]) -> dict:
    """Several rounds of one cell: the median of each figure, errors summed."""
    return {"rps": median([r["rps"] for r in runs]), "p50": median([r["p50"] for r in runs]),
            "p99": median([r["p99"] for r in runs]), "errors": sum(r["errors"] for r in runs)}


def run_dataset(label: str, tmp: Path, data: Path | None, args, clients: list[int]) -> tuple[str, dict]:
    """Build `data` (None: the bundled corpus) into a jiukg store and the Oxigraph server's, start the
    servers, run every cell `args.rounds` times, interleaved (round by round, server by server), and
    return the tables."""
    store = tmp / "store"
    if data is None:
        with open_store(str(store)) as st:
            pipeline.build(st, CORPUS_DIR)
            (tmp / "data.nq").write_bytes(st.export("nquads"))
        nq = tmp / "data.nq"
    else:  # a generated dump: restored as a release (checksummed N-Quads, bulk-loaded, not validated again)
        rel = tmp / "release"
        rel.mkdir()
        (rel / data.name).symlink_to(data.resolve())
        digest = subprocess.run(["sha256sum", data.name], cwd=rel, capture_output=True, text=True, check=True)
        (rel / "SHA256SUMS").write_text(digest.stdout)
        subprocess.run([sys.executable, "-m", "jiukg.cli", "restore", str(rel), "--store", str(store), "-q"],
                       check=True, cwd=ROOT)
        generate.add_reference(store)  # the organisations' acronyms, as `jiukg load` would add them
        nq = data
    with open_store(str(store)) as st:
        recs = [str(r["s"]) for r in st.query(  # the recommendation described by the most triples
            "SELECT ?s (COUNT(*) AS ?n) WHERE { ?s ?p ?o FILTER(CONTAINS(STR(?s), '/rec/')) } "
            "GROUP BY ?s ORDER BY DESC(?n) ?s LIMIT 1").rows]
        many = [str(r["s"]) for r in st.query(
            "SELECT DISTINCT ?s WHERE { GRAPH ?g { ?s a ?c } FILTER(isIRI(?s)) } ORDER BY ?s").rows]
        quads = st.count()
    iri = recs[0]
    many = many[:: max(1, len(many) // 200)][:200]

    procs, urls, logs = [], {}, {}
    res: dict[tuple, list] = {}
    try:
        def start(name: str, cmd: list[str], up: str, sparql: str, env: dict | None = None):
            log = logs[name] = tmp / f"{name}.log"
            p = subprocess.Popen(cmd, stdout=open(log, "wb"), stderr=subprocess.STDOUT, cwd=ROOT,
                                 env={**os.environ, **(env or {})})
            procs.append((name, p))
            wait_up(up, p, log, 300)
            urls[name] = sparql

        servers_for(tmp, store, nq, data is None or args.rdflib_on_data, start)
        answers = {name: rows_of(lookup_url(u, iri)) for name, u in urls.items()}
        counts = {name: n for name, (n, _) in answers.items()}
        print(label, "rows per server:", counts)
        if len({rows for _, rows in answers.values()}) != 1 or not min(counts.values()):
            sys.exit(f"the servers do not give the same answer: {counts}")

        jiukg = urls["jiukg serve"].rsplit("/", 1)[0]
        r = httpx.get(jiukg + FLAGSHIP, timeout=120)
        flagship_says = None if r.status_code == 200 else f"{r.status_code}: {r.text.strip()[:120]}"
        page = iri.split("/id/", 1)[1] if "/id/" in iri else "doc/JIU/REP/2024/4/rec/2"
        for k in range(args.rounds):
            for c in clients:
                for name, u in urls.items():
                    r = wrk(lookup_url(u, iri), c, args.seconds, tmp=tmp)
                    res.setdefault(("one", name, c), []).append(r)
                    print(f"{label} round {k + 1}: lookup, one IRI, {c} clients, {name}: {fmt(r)}", flush=True)
            for name, u in urls.items():
                base, path = u.split("/", 3)[:3], "/" + u.split("/", 3)[3]
                paths = [lookup_url(path, i) for i in many]
                r = wrk("/".join(base), 4, args.seconds, paths=paths, tmp=tmp)
                res.setdefault(("many", name, 4), []).append(r)
                print(f"{label} round {k + 1}: lookup, {len(many)} IRIs in turn, 4 clients, {name}: {fmt(r)}",
                      flush=True)
            for cell, url, accept in (("flagship", jiukg + FLAGSHIP, "application/json"),
                                      ("page", f"{jiukg}/id/{page}", "text/turtle"),
                                      ("page-html", f"{jiukg}/id/{page}", "text/html")):
                if cell == "flagship" and flagship_says is not None:
                    continue
                r = wrk(url, 4, args.seconds, accept=accept, tmp=tmp)
                res.setdefault((cell,), []).append(r)
                print(f"{label} round {k + 1}: {cell}: {fmt(r)}", flush=True)
    finally:
        for name, p in procs:
            if p.poll() is not None:
                print(f"{name} ended early (exit {p.returncode}); its log:\n"
                      + logs[name].read_text(errors="replace")[-2000:], file=sys.stderr)
            p.terminate()
        for _, p in procs:
            try:
                p.wait(30)
            except subprocess.TimeoutExpired:
                p.kill()
    res = {k: combine(v) for k, v in res.items()}

    names = list(urls)
    lines = [f"**{label}** ({quads:,} quads). The lookup is `{LOOKUP.format(iri=iri)}` (rows: "
             + ", ".join(f"{n} {k}" for k, n in counts.items()) + ").", "",
             "| lookup, one IRI | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]
    for c in clients:
        lines.append(f"| {c} client{'s' if c > 1 else ''} | " + " | ".join(fmt(res.get(("one", n, c))) for n in names)
                     + " |")
    lines.append(f"| {len(many)} IRIs in turn, 4 clients | "
                 + " | ".join(fmt(res.get(("many", n, 4))) for n in names) + " |")
    ratios = ["", "| ratio of `jiukg serve` | vs Oxigraph server | vs rdflib-endpoint |", "|---|---:|---:|"]
    for c in clients:
        j = res[("one", "jiukg serve", c)]["rps"]
        o = res.get(("one", "Oxigraph server", c))
        r = res.get(("one", "rdflib-endpoint", c))
        ratios.append(f"| one IRI, {c} client{'s' if c > 1 else ''} | {j / o['rps']:.2f}× | "
                      + (f"{j / r['rps']:.1f}× |" if r else "– (not run on this data) |"))
    for who in ("jiukg serve", "jiukg serve, caches off"):
        j = res[("many", who, 4)]["rps"]
        ratios.append(f"| {len(many)} IRIs in turn, 4 clients, {who} | "
                      f"{j / res[('many', 'Oxigraph server', 4)]['rps']:.2f}× | "
                      + (f"{j / res[('many', 'rdflib-endpoint', 4)]['rps']:.1f}× |"
                         if ("many", "rdflib-endpoint", 4) in res else "– |"))
    other = ["", "| `jiukg serve`, 4 clients | |", "|---|---|",
             f"| flagship `{FLAGSHIP}` | "
             + (fmt(res[("flagship",)]) if ("flagship",) in res else f"not run: the data has no such answer ({flagship_says})")
             + " |",
             f"| linked-data page `/id/{page}`, Turtle | {fmt(res[('page',)])} |",
             f"| the same page, HTML (never from the response cache: its CSP nonce is new each time) | "
             f"{fmt(res[('page-html',)])} |"]
    return "\n".join(lines + ratios + other), res


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=5.0, help="per wrk run (each stops by itself)")
    ap.add_argument("--rounds", type=int, default=1, help="runs of every cell, interleaved; the median is shown")
    ap.add_argument("--clients", default="1,4,16")
    ap.add_argument("--data", type=Path, action="append", default=[],
                    help="an N-Quads file (bench.generate) to measure as well as the bundled corpus")
    ap.add_argument("--profile", action="store_true", help="only the in-process breakdown of one lookup")
    ap.add_argument("--no-profile", action="store_true", help="skip the in-process breakdown")
    ap.add_argument("--write", type=Path, help="markdown file to put the results in (between markers)")
    ap.add_argument("--rdflib-on-data", action="store_true",
                    help="run rdflib-endpoint on the --data files too (it loads them into rdflib's memory: minutes "
                         "and gigabytes at 1M)")
    args = ap.parse_args()
    clients = [int(c) for c in args.clients.split(",")]
    if not args.profile and not shutil.which("wrk"):
        sys.exit("wrk is not installed (Debian: apt-get install wrk)")

    profile_text = ""
    if args.profile or not args.no_profile:
        with tempfile.TemporaryDirectory() as tmpdir:
            store = Path(tmpdir) / "store"
            with open_store(str(store)) as st:
                pipeline.build(st, CORPUS_DIR)
                iri = str(st.query("SELECT ?s (COUNT(*) AS ?n) WHERE { ?s ?p ?o FILTER(CONTAINS(STR(?s), '/rec/')) } "
                                   "GROUP BY ?s ORDER BY DESC(?n) ?s LIMIT 1").rows[0]["s"])
            profile_text = profile(store, iri, 1000)
        print(profile_text)
        if args.profile:
            return 0

    loads, parts = [], []
    for data in [None] + args.data:
        label = "the bundled corpus" if data is None else f"generated data, {data.name}"
        with tempfile.TemporaryDirectory() as tmpdir:
            text, _ = run_dataset(label, Path(tmpdir), data, args, clients)
        loads.append(os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan"))
        parts.append(text)
    text = (f"`.venv/bin/python bench/bench_http_path.py --seconds {args.seconds:g} --rounds {args.rounds} "
            f"--clients {args.clients}" + "".join(f" --data {d}" for d in args.data)
            + (" --rdflib-on-data" if args.rdflib_on_data else "") + "`, measured "
            f"{datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC on {platform.machine()} with {os.cpu_count()} CPUs, "
            f"load average " + " / ".join(f"{x:.1f}" for x in loads) + " at the end of each data set (the machine "
            "is shared; wrk runs on it too). JSON results; wrk "
            f"{args.seconds:g} s per cell, {args.rounds} round(s), cells interleaved round by round, the median "
            "shown. The same distinct rows from every server (rdflib's union of the named graphs drops a triple "
            "held in two graphs, Oxigraph's keeps both). "
            + ("" if args.rdflib_on_data else "rdflib-endpoint runs on the bundled corpus only (it holds the data "
               "in rdflib's memory store; --rdflib-on-data runs it on the --data files too). ")
            + "\n\n" + "\n\n".join(parts)
            + ("\n\n" + profile_text if profile_text else ""))
    print(text)
    if args.write:
        write(args.write, text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
