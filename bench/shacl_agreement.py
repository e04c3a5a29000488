"""The compiled engine beside plain pyshacl on generated data: both times, and every result compared on
the full W3C key (focus node, path, value, source constraint component, source shape, severity).

    .venv/bin/python -m bench.shacl_agreement 100k     # about 10 minutes: plain pyshacl is the slow one

Why a separate script: bench_validation.py compares counts over several sizes; this one answers the
question a steward asks before trusting the fast engine on data of a real size: same results, exactly?
"""

from __future__ import annotations

import argparse
import time

from bench.generate import generate, size
from jiukg import validation
from jiukg.validation.gate import _result_key


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("size", help="quads, e.g. 10k or 100k")
    a = ap.parse_args(argv)
    graphs = generate(size(a.size))
    print(f"{sum(len(g) for g in graphs.values()):,} triples in {len(graphs)} graphs", flush=True)
    runs = {}
    for engine in ("compiled", "pyshacl"):
        t0 = time.perf_counter()
        rep = validation.validate_write(None, dict(graphs), engine=engine)
        took = time.perf_counter() - t0
        keys = {(*_result_key(r), r.severity) for r in rep.results}
        runs[engine] = (took, keys)
        print(f"{engine}: {took:.2f} s, {rep.count('Violation')}/{rep.count('Warning')}/{rep.count('Info')} "
              f"(violations/warnings/infos), {rep.triples:,} triples validated, engine used: {rep.engine}", flush=True)
    (tc, kc), (tp, kp) = runs["compiled"], runs["pyshacl"]
    print(f"speed-up {tp / tc:.0f}x; the same {len(kc):,} results on the full key: {kc == kp} "
          f"(only the compiled engine's: {len(kc - kp)}, only pyshacl's: {len(kp - kc)})")
    return 0 if kc == kp else 1


if __name__ == "__main__":
    raise SystemExit(main())
