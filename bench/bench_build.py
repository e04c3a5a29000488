"""Time `build` of the bundled corpus: read, extract, validate and write, per store kind.

    .venv/bin/python bench/bench_build.py [--repeat 5]

Prints the best and median wall time of whole builds into a fresh in-memory
store and a fresh on-disk store, and the time of each loader alone.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from jiukg import pipeline  # noqa: E402
from jiukg.paths import CORPUS_DIR  # noqa: E402
from jiukg.store import open_store  # noqa: E402
from loaders import SourceText, UnrecognisedDocument, load_text  # noqa: E402


def timed(fn, repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    pipeline.build(open_store(":memory:"), CORPUS_DIR)  # warm caches: ontology, shapes, lexicons

    def memory():
        pipeline.build(open_store(":memory:"), CORPUS_DIR)

    def disk():
        with tempfile.TemporaryDirectory() as d, open_store(str(Path(d) / "s")) as st:
            pipeline.build(st, CORPUS_DIR)

    print(f"{'what':40} {'best s':>8} {'median s':>9}")
    for name, fn in (("build, in-memory store", memory), ("build, on-disk store", disk)):
        ts = timed(fn, args.repeat)
        print(f"{name:40} {min(ts):8.3f} {statistics.median(ts):9.3f}")
    for f in sorted(CORPUS_DIR.iterdir()):
        text = SourceText.from_file(f)
        try:
            ts = timed(lambda: load_text(text), args.repeat)
        except UnrecognisedDocument:
            continue
        print(f"{'extract ' + load_text(text).symbol:40} {min(ts):8.3f} {statistics.median(ts):9.3f}")


if __name__ == "__main__":
    main()
