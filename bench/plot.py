"""The cost-against-size plot of docs/benchmarks.md: load, validation and a query, 10k to 10M, log-log."""

from __future__ import annotations


def plot(rows: list[dict], path: str) -> None:
    import matplotlib

    matplotlib.use("Agg")  # no display: a file
    import matplotlib.pyplot as plt

    series: dict[str, list[tuple[int, float]]] = {}

    def add(name, quads, seconds):
        if seconds:
            series.setdefault(name, []).append((quads, seconds))

    for r in rows:
        if r["section"] == "load" and r["reference"] == "pyoxigraph bulk_load" and r["jiukg"].startswith("jiukg load"):
            add("jiukg load --bulk (gated)", r["quads"], r["jiukg_s"])
            add("pyoxigraph bulk_load", r["quads"], r["ref_s"])
        elif r["section"] == "load" and r["reference"] == "oxigraph load (CLI)":
            add("oxigraph load (CLI)", r["quads"], r["ref_s"])
        elif r["section"] == "load" and r["jiukg"].startswith("jiukg restore"):
            add("jiukg restore", r["quads"], r["jiukg_s"])
        elif r["section"] == "shacl" and r["reference"] == "—":
            add("SHACL gate (parse + validate)", r["quads"], r["jiukg_s"])
        elif r["section"] == "query" and r["query"] in ("ceb-deferrals", "provenance"):
            add(f"query {r['query']} (median)", r["quads"], r["jiukg_s"])
            if r.get("capped"):  # stopped at its cap: the cost is at least that
                add(f"query {r['query']}: stopped at the cap (at least)", r["quads"], r["capped"])
    fig, ax = plt.subplots(figsize=(8, 5.5))
    for name, pts in sorted(series.items()):
        pts.sort()
        capped = "stopped" in name
        ax.plot([p[0] for p in pts], [p[1] for p in pts], marker="^" if capped else "o", ls="none" if capped else "-",
                label=name)
    xs = sorted({p[0] for pts in series.values() for p in pts})
    if xs:  # a line of slope 1: linear cost
        ax.plot(xs, [x / xs[0] * 0.05 for x in xs], ls=":", color="grey", label="linear (slope 1)")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("quads")
    ax.set_ylabel("seconds")
    ax.set_title("jiukg: cost against size")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main(argv=None) -> int:
    """`python -m bench.plot RESULTS.json OUT.png`: the plot from a runner's --json (a full run, or one
    stopped half-way: the file is written after every size)."""
    import argparse
    import json

    ap = argparse.ArgumentParser(description=main.__doc__.splitlines()[0])
    ap.add_argument("results", help="the JSON `python -m bench --json` wrote")
    ap.add_argument("out", help="the PNG to write")
    a = ap.parse_args(argv)
    with open(a.results, encoding="utf-8") as f:
        plot(json.load(f)["rows"], a.out)
    print(f"wrote {a.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
