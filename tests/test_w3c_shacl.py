"""The W3C SHACL test suite (core and SPARQL, 120 entries) through every engine jiukg offers.

Engines: "compiled" (the default: the compiled engine, or pyshacl where the
shapes use what it does not implement) and "pyshacl" (plain pyshacl, with
jiukg's checks around it). Each entry's outcome per engine is recorded in
tests/expected/w3c-shacl.json and any change fails:

- "pass": the report matches the expected one (tests/w3c_suite.py says how);
- "refused: ...": jiukg refused the shapes with a reason, where the suite
  expects a report (only plain pyshacl, for what it does not implement; each
  listed in KNOWN_PYSHACL with why);
- anything else would be a silently wrong answer: never allowed.

The default engine's route (compiled or handed over) is recorded too, so a
shape that stops being compiled, or starts being, shows up.

    .venv/bin/python tests/test_w3c_shacl.py --record   # rewrite the expected file (review the diff)
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import w3c_suite  # noqa: E402

from jiukg.validation import ENGINES, Shapes, ShapesError, validate_graph  # noqa: E402

EXPECTED = Path(__file__).parent / "expected" / "w3c-shacl.json"

# Where plain pyshacl (0.40) cannot give the suite's answer, and why; jiukg refuses these shapes in
# that mode rather than answer wrongly (the default engine passes them).
KNOWN_PYSHACL = {
    "sparql/node/prefixes-001": "pyshacl does not follow owl:imports of a sh:prefixes node to its "
                                "sh:declare (SHACL 1.0 §5.2.2 says they count)",
    "sparql/pre-binding/shapesGraph-001": "pyshacl does not implement $shapesGraph (SHACL 1.0 §5.2.2, optional "
                                          "for processors: a refusal is allowed)",
}

ENTRIES = w3c_suite.entries()


def outcome(entry: w3c_suite.Entry, engine: str) -> tuple[str, str]:
    """(outcome, route) of one entry on one engine."""
    data, shapes = entry.graphs()
    try:
        report = validate_graph(w3c_suite.copy(data), shapes=Shapes(shapes), engine=engine)
    except ShapesError as e:
        return ("pass" if entry.failure else f"refused: {e}"), "refused"
    route = "compiled" if report.engine == "compiled" else "pyshacl"
    if entry.failure:
        return "wrong: not refused", route
    got = w3c_suite.report_keys(shapes, report.results)
    if got == (entry.conforms, entry.results):
        return "pass", route
    return f"wrong: conforms {got[0]} (expected {entry.conforms}), results {got[1]}", route


def outcomes() -> dict:
    out = {}
    for e in ENTRIES:
        row = {}
        for engine in ENGINES:
            o, route = outcome(e, engine)
            row[engine] = o.split(":", 1)[0] if o.startswith("refused") else o
            if engine == "compiled":
                row["route"] = route
        out[e.id] = row
    return out


def test_the_suite_has_its_120_entries():
    assert len(ENTRIES) == 120
    assert sum(e.id.startswith("core/") for e in ENTRIES) == 98
    assert sum(e.failure for e in ENTRIES) == 7  # the queries SHACL-SPARQL says must be refused


@pytest.mark.parametrize("entry", ENTRIES, ids=[e.id for e in ENTRIES])
def test_entry(entry):
    expected = json.loads(EXPECTED.read_text())[entry.id]
    got = {}
    for engine in ENGINES:
        o, route = outcome(entry, engine)
        assert not o.startswith("wrong"), f"{engine}: silently wrong on {entry.id} ({entry.label}): {o}"
        got[engine] = o.split(":", 1)[0]
        if engine == "compiled":
            got["route"] = route
            assert o == "pass", f"the default engine must pass every entry: {o}"
        elif o != "pass":
            assert entry.id in KNOWN_PYSHACL, f"pyshacl: {o}"
    assert got == expected


def test_expected_file_lists_every_entry_and_known_failure():
    expected = json.loads(EXPECTED.read_text())
    assert set(expected) == {e.id for e in ENTRIES}
    assert all(row["compiled"] == "pass" for row in expected.values())
    assert {k for k, row in expected.items() if row["pyshacl"] != "pass"} == set(KNOWN_PYSHACL)
    # the compiled engine runs most of the suite itself, not everything by hand-over
    assert sum(row["route"] == "compiled" for row in expected.values()) >= 80


if __name__ == "__main__" and "--record" in sys.argv:
    EXPECTED.write_text(json.dumps(outcomes(), indent=1, sort_keys=True) + "\n")
    print(f"wrote {EXPECTED}")
