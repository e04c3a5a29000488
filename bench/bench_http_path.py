"""The HTTP path of one lookup: `jiukg serve` beside the Oxigraph server and rdflib-endpoint, over loopback.

    .venv/bin/python bench/bench_http_path.py [--seconds 5] [--clients 1,4,16] [--write docs/benchmarks.md]
    .venv/bin/python bench/bench_http_path.py --profile     # where the time of one lookup goes, in process

Needs wrk (Debian package; ./dev installs it) and the `bench` extra (pip install -e .[bench]: the
`oxigraph` server binary and rdflib-endpoint). Builds the bundled corpus into a temporary on-disk
store, exports it as N-Quads and serves the same data three ways on free loopback ports: `jiukg serve`
(default settings: answer cache on), the same with the answer cache off (JIUKG_ANSWER_CACHE_BYTES=0),
`oxigraph serve-read-only --union-default-graph`, and `rdflib-endpoint serve`. Then runs wrk for
`--seconds` per point (bounded: every run stops by itself) for the selective lookup
`SELECT ?p ?o WHERE { <a recommendation> ?p ?o }` (one IRI: the same request again and again, as wrk
sends it) at each client count, the same lookup over 200 different IRIs in turn (jiukg: cache off,
so every request takes the whole path), and the flagship (/queries/ceb-deferrals?org=WIPO) and a
linked-data page (Turtle) at 4 clients. Every server's answer is checked to hold the same rows first.
`--write` puts the table in a markdown file between `<!-- http-path -->` markers.
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


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=5.0, help="per wrk run (each stops by itself)")
    ap.add_argument("--clients", default="1,4,16")
    ap.add_argument("--profile", action="store_true", help="only the in-process breakdown of one lookup")
    ap.add_argument("--write", type=Path, help="markdown file to put the results in (between markers)")
    args = ap.parse_args()
    clients = [int(c) for c in args.clients.split(",")]
    if not args.profile and not shutil.which("wrk"):
        sys.exit("wrk is not installed (Debian: apt-get install wrk)")

    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        store = tmp / "store"
        with open_store(str(store)) as st:
            pipeline.build(st, CORPUS_DIR)
            recs = [str(r["s"]) for r in st.query(  # the recommendation described by the most triples
                "SELECT ?s (COUNT(*) AS ?n) WHERE { ?s ?p ?o FILTER(CONTAINS(STR(?s), '/rec/')) } "
                "GROUP BY ?s ORDER BY DESC(?n) ?s LIMIT 1").rows]
            many = [str(r["s"]) for r in st.query(
                "SELECT DISTINCT ?s WHERE { GRAPH ?g { ?s a ?c } FILTER(isIRI(?s)) } ORDER BY ?s").rows]
            (tmp / "data.nq").write_bytes(st.export("nquads"))
        iri = recs[0]
        many = many[:: max(1, len(many) // 200)][:200]
        if args.profile:
            print(profile(store, iri))
            return 0
        profile_text = profile(store, iri, 1000)
        print(profile_text)

        procs, urls = [], {}
        try:
            def start(name: str, cmd: list[str], up: str, sparql: str, env: dict | None = None):
                log = tmp / f"{name}.log"
                p = subprocess.Popen(cmd, stdout=open(log, "wb"), stderr=subprocess.STDOUT, cwd=ROOT,
                                     env={**os.environ, **(env or {})})
                procs.append(p)
                wait_up(up, p, log)
                urls[name] = sparql

            copy = tmp / "store-copy"  # one store, one holder: the second server has a copy
            shutil.copytree(store, copy)
            for name, env, where in (("jiukg serve", {}, store),
                                     ("jiukg serve, cache off", {"JIUKG_ANSWER_CACHE_BYTES": "0"}, copy)):
                port = free_port()
                start(name, [sys.executable, "-m", "jiukg.cli", "serve", "--store", str(where), "--host",
                             "127.0.0.1", "--port", str(port)], f"http://127.0.0.1:{port}/healthz",
                      f"http://127.0.0.1:{port}/sparql", env)
            oxi = Path(sys.executable).parent / "oxigraph"
            odir = tmp / "oxigraph"
            subprocess.run([str(oxi), "load", "--location", str(odir), "--file", str(tmp / "data.nq")], check=True,
                           capture_output=True)
            port = free_port()
            start("Oxigraph server", [str(oxi), "serve", "--location", str(odir), "--bind",
                                      f"127.0.0.1:{port}", "--union-default-graph"],  # no --timeout-s: see the doc
                  f"http://127.0.0.1:{port}/", f"http://127.0.0.1:{port}/query")
            rep = Path(sys.executable).parent / "rdflib-endpoint"
            if rep.exists():
                port = free_port()
                start("rdflib-endpoint", [str(rep), "serve", str(tmp / "data.nq"), "--host", "127.0.0.1", "--port",
                                          str(port)], f"http://127.0.0.1:{port}/", f"http://127.0.0.1:{port}/")  # its CLI serves at /

            answers = {name: rows_of(lookup_url(u, iri)) for name, u in urls.items()}
            counts = {name: n for name, (n, _) in answers.items()}
            print("rows per server:", counts)
            if len({rows for _, rows in answers.values()}) != 1 or not min(counts.values()):
                sys.exit(f"the servers do not give the same answer: {counts}")

            res: dict[tuple, dict] = {}
            for c in clients:
                for name, u in urls.items():
                    res[("one", name, c)] = r = wrk(lookup_url(u, iri), c, args.seconds, tmp=tmp)
                    print(f"lookup, one IRI, {c} clients, {name}: {fmt(r)}", flush=True)
            for name, u in urls.items():
                base, path = u.split("/", 3)[:3], "/" + u.split("/", 3)[3]
                paths = [lookup_url(path, i) for i in many]
                res[("many", name, 4)] = r = wrk("/".join(base), 4, args.seconds, paths=paths, tmp=tmp)
                print(f"lookup, {len(many)} IRIs in turn, 4 clients, {name}: {fmt(r)}", flush=True)
            jiukg = urls["jiukg serve"].rsplit("/", 1)[0]
            res[("flagship",)] = wrk(jiukg + FLAGSHIP, 4, args.seconds, tmp=tmp)
            page = iri.split("/id/", 1)[1] if "/id/" in iri else "doc/JIU/REP/2024/4/rec/2"
            res[("page",)] = wrk(f"{jiukg}/id/{page}", 4, args.seconds, accept="text/turtle", tmp=tmp)
            res[("page-html",)] = wrk(f"{jiukg}/id/{page}", 4, args.seconds, accept="text/html", tmp=tmp)
        finally:
            for p in procs:
                if p.poll() is not None:
                    print(f"a server ended early (exit {p.returncode}): {' '.join(map(str, p.args[:2]))}; its log:\n"
                          + (tmp / "logs").with_name(f"{dict(zip(map(id, procs), urls))[id(p)]}.log")
                          .read_text(errors="replace")[-2000:], file=sys.stderr)
                p.terminate()
            for p in procs:
                try:
                    p.wait(30)
                except subprocess.TimeoutExpired:
                    p.kill()

    names = list(urls)
    lines = ["| lookup, one IRI | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]
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
                      + (f"{j / r['rps']:.1f}× |" if r else "– |"))
    j = res[("many", "jiukg serve, cache off", 4)]["rps"]
    ratios.append(f"| {len(many)} IRIs in turn, 4 clients, cache off | {j / res[('many', 'Oxigraph server', 4)]['rps']:.2f}× | "
                  + (f"{j / res[('many', 'rdflib-endpoint', 4)]['rps']:.1f}× |"
                     if ("many", "rdflib-endpoint", 4) in res else "– |"))
    other = ["", "| `jiukg serve`, 4 clients | |", "|---|---|",
             f"| flagship `{FLAGSHIP}` | {fmt(res[('flagship',)])} |",
             f"| linked-data page `/id/{page}`, Turtle | {fmt(res[('page',)])} |",
             f"| the same page, HTML | {fmt(res[('page-html',)])} |"]
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    text = (f"`.venv/bin/python bench/bench_http_path.py --seconds {args.seconds:g} --clients {args.clients}`, "
            f"measured {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC on {platform.machine()} with "
            f"{os.cpu_count()} CPUs, load average {load:.1f} at the end (the machine is shared; wrk runs on "
            f"it too). The lookup is `{LOOKUP.format(iri=iri)}` (rows: "
            + ", ".join(f"{n} {k}" for k, n in counts.items()) + "; the same distinct rows from every server: "
            "rdflib's union of the named graphs drops a triple held in two graphs, Oxigraph's keeps both), "
            f"JSON results; wrk {args.seconds:g} s per cell, one run each.\n\n"
            + "\n".join(lines + ratios + other) + "\n\n" + profile_text)
    print(text)
    if args.write:
        write(args.write, text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
