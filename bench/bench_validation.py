"""Time SHACL validation on the bundled corpus and on generated data shaped like the loaders' output.

    .venv/bin/python bench/bench_validation.py --sizes bundled,10000,100000

`bundled` builds data/corpus (with the ontology and reference data) into an
in-memory store and times `validation.validate_store` on it, the whole graph,
as `jiukg validate` and GET /validate do. A number generates progress reports
(documents, sessions, JIU reports, recommendations, status statements,
passages), CEB comment notes and statistics datasets of about that many
triples with bench/generate.py (the generator `python -m bench` uses too),
with a few realistic defects so that warnings are produced. Then it times:

- compiled: jiukg's own engine (jiukg.validation): the SHACL Core constraints
  the shapes use are evaluated in Python over the data graph's indexes, and
  each SPARQL-based constraint runs once in an in-memory Oxigraph store, as a
  LATERAL join that pre-binds $this to each of its focus nodes. pyshacl is not
  used (the project's shapes never need the hand-over; pyshacl is the reference
  the tests compare against);
- pyshacl: plain pyshacl on the same shapes, RDFS inference off;
- gate: `validate_write` of one progress report replacing its graph in a store
  already holding everything (the diff against the old graph, the lookup of
  records in other graphs that depend on it, the context fetch and the
  validation),

and prints a table. `--engines` picks which to run; plain pyshacl is skipped
above --pyshacl-max triples (it grows much faster than linearly: about 90x
slower than the compiled engine at 10k triples and 200x at 100k, bench/README.md).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.generate import generate  # the synthetic corpus, shared with `python -m bench`


# ---------------------------------------------------------------------------


def _time(fn, repeat: int = 1):
    best, out = None, None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        dt = time.perf_counter() - t0
        best = dt if best is None else min(best, dt)
    return best, out


def bundled(engines: list[str], pyshacl_max: int, repeat: int) -> dict:
    """The bundled corpus, built into an in-memory store: the whole store validated, and the gate for one document."""
    from jiukg import pipeline, validation
    from jiukg.paths import CORPUS_DIR
    from jiukg.store import open_store

    with open_store(":memory:") as st:
        pipeline.build(st, CORPUS_DIR)
        triples = st.count()
        row = {"size": "bundled", "triples": triples, "graphs": len(st.graphs())}
        _engines(row, engines, pyshacl_max, repeat, lambda e: validation.validate_store(st, engine=e))
        if "gate" in engines:
            gid = next(g for g in st.graphs() if "graph/WO/PBC/38/" in str(g))
            one = {gid: st.graph(gid)}
            dt, rep = _time(lambda: validation.validate_write(st, dict(one)), repeat)
            row["gate"] = dt
            row["gate_triples"] = rep.triples
    return row


def _engines(row: dict, engines: list[str], pyshacl_max: int, repeat: int, validate) -> None:
    """Time `validate(engine)` for each engine asked for; plain pyshacl only up to pyshacl_max triples."""
    for engine in ("compiled", "pyshacl"):
        if engine not in engines:
            continue
        if engine == "pyshacl" and row["triples"] > pyshacl_max:
            row[engine] = None
            continue
        dt, rep = _time(lambda e=engine: validate(e), repeat)
        row[engine] = dt
        row[engine + "_results"] = (rep.count("Violation"), rep.count("Warning"), rep.count("Info"))


def run(sizes: list, engines: list[str], pyshacl_max: int, repeat: int) -> list[dict]:
    from jiukg import validation
    from jiukg.pipeline import static_graphs
    from jiukg.store import open_store

    rows = []
    for n in sizes:
        if n == "bundled":
            row = bundled(engines, pyshacl_max, repeat)
            rows.append(row)
            print(_line(row), flush=True)
            continue
        graphs = generate(n)
        triples = sum(len(g) for g in graphs.values())
        row = {"size": n, "triples": triples, "graphs": len(graphs)}
        _engines(row, engines, pyshacl_max, repeat,
                 lambda e, g=graphs: validation.validate_write(None, dict(g), engine=e))
        if "gate" in engines:
            # the write gate: one progress report replacing its graph in a store holding the rest
            with open_store(":memory:") as st:
                st.replace_graphs({**static_graphs(), **graphs})
                gid = next(g for g in graphs if "graph/WO/PBC/" in str(g) or "/PR/" in str(g))
                one = {gid: graphs[gid]}
                dt, rep = _time(lambda st=st, one=one: validation.validate_write(st, dict(one)), repeat)
                row["gate"] = dt
                row["gate_triples"] = rep.triples
        rows.append(row)
        print(_line(row), flush=True)
    return rows


def _fmt(v):
    return "—" if v is None else f"{v:8.2f} s"


HEADER = f"{'size':>9} {'triples':>9} {'graphs':>6}  {'compiled':>10} {'pyshacl':>10} {'speed-up':>8}  {'gate (1 doc)':>12}  V/W/I"


def _line(row) -> str:
    c, p = row.get("compiled"), row.get("pyshacl")
    sp = f"{p / c:7.1f}x" if c and p else "       —"
    vwi = row.get("compiled_results") or row.get("pyshacl_results") or ("", "", "")
    gate = _fmt(row.get("gate")) + (f" ({row['gate_triples']} t)" if row.get("gate_triples") else "")
    return (f"{row['size']:>9} {row['triples']:>9} {row['graphs']:>6}  {_fmt(c):>10} {_fmt(p):>10} {sp:>8}  "
            f"{gate:>12}  {'/'.join(map(str, vwi))}")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="bundled,10000,100000",
                    help="comma-separated: 'bundled' (data/corpus) and triple counts (e.g. bundled,10000,1000000)")
    ap.add_argument("--engines", default="compiled,pyshacl,gate", help="compiled, pyshacl, gate")
    ap.add_argument("--pyshacl-max", type=int, default=150_000, help="skip plain pyshacl above this many triples")
    ap.add_argument("--repeat", type=int, default=1, help="runs per measurement (best is kept)")
    a = ap.parse_args(argv)
    sizes = [s.strip() if s.strip() == "bundled" else int(s.replace("_", "")) for s in a.sizes.split(",") if s.strip()]
    print(HEADER)
    run(sizes, a.engines.split(","), a.pyshacl_max, a.repeat)


if __name__ == "__main__":
    main()
