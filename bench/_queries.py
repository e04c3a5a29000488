"""Child of `python -m bench`: times catalogue queries on one store, one JSON line per query.

A child process because pyoxigraph cannot stop a running query: the parent kills this
process when a query passes its cap, and starts another for the queries after it."""

from __future__ import annotations

import json
import statistics
import sys
import time

import pyoxigraph as ox

from jiukg import catalogue
from jiukg.store import open_store


def main(store_path: str, params_json: str, names: list[str], runs: int, seconds: float) -> None:
    synthetic = json.loads(params_json)
    with open_store(store_path, read_only=True) as st:
        raw = st._store
        for name in names:
            q = catalogue.get_query(name)
            params = {k: synthetic.get(k, v) for k, v in q.example.items()}
            text = catalogue.bound_text(q, catalogue.bind(q, params))
            print(json.dumps({"start": name}), flush=True)
            times = {"jiukg": [], "raw": []}
            nrows = None
            try:
                nrows = _time(st, raw, q, params, text, times, runs, seconds)
            except Exception as e:  # e.g. a parameter the data at this size does not hold: say so, go on
                print(json.dumps({"query": name, "error": f"{type(e).__name__}: {e}"[:300],
                                  "params": " ".join(f"{k}={v}" for k, v in params.items())}), flush=True)
                continue
            out = {"query": name, "rows": nrows, "params": " ".join(f"{k}={v}" for k, v in params.items()),
                   "runs": len(times["jiukg"])}
            for side, ts in times.items():
                ts.sort()
                out[side] = statistics.median(ts)
                out[side + "_p99"] = ts[min(len(ts) - 1, int(0.99 * len(ts)))]
            print(json.dumps(out), flush=True)


def _time(st, raw, q, params, text, times, runs, seconds) -> int | None:
    """Up to `runs` runs of the query each way within `seconds` (at least one): the times, and the rows."""
    nrows = None
    for side in ("jiukg", "raw"):
        end = time.perf_counter() + seconds
        while len(times[side]) < runs and (not times[side] or time.perf_counter() < end):
            t0 = time.perf_counter()
            if side == "jiukg":
                nrows = len(catalogue.run(st, q, params).rows)
            else:
                # as jiukg's store asks: its union graph (the default graph), or the bag union for a store without
                res = raw.query(text, use_default_graph_as_union=not st.union_graph)
                if isinstance(res, ox.QuerySolutions):
                    names_ = res.variables
                    _ = [[sol[v] for v in names_] for sol in res]
                elif not isinstance(res, (bool, ox.QueryBoolean)):
                    _ = list(res)
            times[side].append(time.perf_counter() - t0)
            print(json.dumps({"tick": q.name}), flush=True)  # one run done: the parent's cap is per run
    return nrows


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[5:], int(sys.argv[3]), float(sys.argv[4]))
