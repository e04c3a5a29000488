"""A bounded load test of the service over loopback: N concurrent clients for a fixed time.

    .venv/bin/python bench/bench_http_load.py [--clients 16] [--seconds 10] [--write docs/benchmarks.md]

Builds the bundled corpus into a temporary on-disk store, starts a real `jiukg serve` on a free
loopback port, and runs `--clients` clients for `--seconds` seconds (then stops by itself). Each
client repeats a mix of /sparql lookups (the description of one IRI), the catalogue's queries with
their example parameters (/queries/NAME, JSON) and pages (home, a recommendation, search, browse).
Prints requests, errors and p50/p99 latency per kind; `--write` puts the table in a markdown file
between `<!-- http-load -->` markers. Exits 1 if any request failed (an answer other than 200).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import random
import re
import socket
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from jiukg import catalogue, pipeline  # noqa: E402
from jiukg.paths import CORPUS_DIR  # noqa: E402
from jiukg.store import open_store  # noqa: E402

LOOKUP = "SELECT ?p ?o WHERE {{ <{iri}> ?p ?o }} LIMIT 200"
MARK, END = "<!-- http-load -->", "<!-- /http-load -->"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def requests_mix(iris: list[str]) -> list[tuple[str, str, dict]]:
    """(kind, path, params) to draw from: a third lookups, a third catalogue queries, a third pages."""
    lookups = [("sparql", "/sparql", {"query": LOOKUP.format(iri=i)}) for i in iris]
    queries = [("catalogue", f"/queries/{q.name}", {**q.example, "format": "json"})
               for q in catalogue.load_catalogue()]
    pages = [("page", "/", {"lang": "en"}), ("page", "/search", {"q": "WIPO"}), ("page", "/browse", {}),
             ("page", "/id/doc/JIU/REP/2024/4/rec/2", {}), ("page", "/id/org/WIPO", {}), ("page", "/dataset", {})]
    n = max(len(lookups), len(queries), len(pages))
    return [x for xs in (lookups, queries, pages) for x in (xs * n)[:n]]


async def client(url: str, mix: list, until: float, seed: int, out: dict, errors: list) -> None:
    rnd = random.Random(seed)
    async with httpx.AsyncClient(base_url=url, timeout=60, headers={"Accept": "text/html"}) as c:
        while time.monotonic() < until:
            kind, path, params = rnd.choice(mix)
            headers = {"Accept": "application/sparql-results+json"} if kind == "sparql" else {}
            t0 = time.perf_counter()
            try:
                r = await c.get(path, params=params, headers=headers)
                ok = r.status_code == 200
                status = r.status_code
            except httpx.HTTPError as e:
                ok, status = False, type(e).__name__
            out.setdefault(kind, []).append(time.perf_counter() - t0)
            if not ok:
                errors.append(f"{kind} {path}: {status}")


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def table(results: dict, errors: list, seconds: float, clients: int) -> str:
    rows = ["| requests | count | errors | p50 ms | p99 ms | max ms |", "|---|---:|---:|---:|---:|---:|"]
    everything = []
    for kind in ("sparql", "catalogue", "page"):
        xs = results.get(kind, [])
        everything += xs
        bad = sum(e.startswith(kind + " ") for e in errors)
        if xs:
            rows.append(f"| {kind} | {len(xs)} | {bad} | {pct(xs, 50) * 1000:.0f} | {pct(xs, 99) * 1000:.0f} | "
                        f"{max(xs) * 1000:.0f} |")
    if everything:
        rows.append(f"| **all** | {len(everything)} | {len(errors)} | {pct(everything, 50) * 1000:.0f} | "
                    f"{pct(everything, 99) * 1000:.0f} | {max(everything) * 1000:.0f} |")
    rate = len(everything) / seconds if seconds else 0
    return "\n".join(rows) + f"\n\n{clients} clients, {seconds:.1f} s until the last answer, {rate:.0f} requests/s in all."


def write(md: Path, text: str) -> None:
    md.parent.mkdir(parents=True, exist_ok=True)
    old = md.read_text(encoding="utf-8") if md.exists() else (
        "# Benchmarks\n\nFigures written by the scripts in bench/ (bench/README.md lists them all).\n")
    block = f"{MARK}\n{text}\n{END}"
    if MARK in old and END in old:
        new = re.sub(re.escape(MARK) + ".*?" + re.escape(END), lambda _: block, old, flags=re.S)
    else:
        new = old.rstrip() + "\n\n" + block + "\n"
    md.write_text(new, encoding="utf-8")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--write", type=Path, help="markdown file to put the results in (between markers)")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        store = Path(tmp) / "store"
        with open_store(str(store)) as st:
            pipeline.build(st, CORPUS_DIR)
            iris = [str(r["s"]) for r in st.query(
                "SELECT DISTINCT ?s WHERE { GRAPH ?g { ?s a ?c } FILTER(isIRI(?s)) } ORDER BY ?s LIMIT 400").rows][::20]
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        log = open(Path(tmp) / "serve.log", "w+b")
        proc = subprocess.Popen([sys.executable, "-m", "jiukg.cli", "serve", "--store", str(store),
                                 "--host", "127.0.0.1", "--port", str(port)], stdout=log, stderr=subprocess.STDOUT,
                                cwd=ROOT, env={**os.environ})
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if httpx.get(url + "/healthz", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if proc.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    sys.exit("jiukg serve did not start:\n" + log.read().decode(errors="replace")[-2000:])
                time.sleep(0.2)
            mix = requests_mix(iris)
            for kind, path, params in {(k, p, str(q)): (k, p, q) for k, p, q in mix}.values():  # warm up once each
                httpx.get(url + path, params=params, timeout=60)
            results: dict[str, list[float]] = {}
            errors: list[str] = []

            async def run():
                until = time.monotonic() + args.seconds
                await asyncio.gather(*(client(url, mix, until, i, results, errors) for i in range(args.clients)))

            t0 = time.monotonic()
            asyncio.run(run())
            took = time.monotonic() - t0
        finally:
            proc.terminate()
            proc.wait(30)
            log.close()

    text = table(results, errors, took, args.clients)
    print(text)
    for e in errors[:20]:
        print("error:", e)
    if args.write:
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
        head = (f"## HTTP load: {args.clients} concurrent clients, {args.seconds:.0f} s, loopback\n\n"
                f"`.venv/bin/python bench/bench_http_load.py --clients {args.clients} --seconds {args.seconds:.0f}"
                f" --write {args.write}`: a real `jiukg serve` (embedded store, the bundled corpus, default "
                "settings) and clients in another process mixing `/sparql` lookups of one IRI's description, "
                "the catalogue's queries with their example parameters (`/queries/NAME`, JSON) and pages "
                "(home, search, browse, a recommendation, an organisation, the dataset). Latency is per "
                "request as the client saw it, connection reused.\n\n"
                f"Measured {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC on {platform.machine()} with "
                f"{os.cpu_count()} CPUs, load average {load:.1f} at the end (the machine is shared).\n\n")
        write(args.write, head + text)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
