"""`jiukg query` end to end, in a subprocess, on an on-disk store."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

JIUKG = str(Path(sys.executable).parent / "jiukg")


def jiukg(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run the installed command; output decoded as UTF-8 with line ends kept (CSV uses CRLF)."""
    r = subprocess.run([JIUKG, *args], capture_output=True, timeout=timeout)
    return subprocess.CompletedProcess(r.args, r.returncode, r.stdout.decode("utf-8"), r.stderr.decode("utf-8"))


@pytest.fixture(scope="module")
def fixture_store_dir(tmp_path_factory):
    """The hand-written catalogue fixture in an on-disk store, closed so a subprocess can open it."""
    from jiukg.store import open_store
    from test_catalogue import load_fixture

    d = tmp_path_factory.mktemp("cli") / "store"
    st = open_store(str(d))
    load_fixture(st)
    st.close()
    return str(d)


def test_ceb_deferrals_csv(fixture_store_dir):
    r = jiukg("query", "ceb-deferrals", "--param", "org=WIPO", "--format", "csv", "--store", fixture_store_dir)
    assert r.returncode == 0, r.stderr
    assert r.stdout == (
        "report,rec,mechanism,evidence,asOf,source\r\n"
        "JIU/NOTE/2022/1/Rev.1,4,CEB,这项建议将通过首协会机构间协调机制进行处理,2025-02-28,WO/PBC/38/2\r\n"
        "JIU/REP/2023/8,7,HR Network,这项建议将通过机构间机制进行处理,2025-02-28,WO/PBC/38/2\r\n"
        "JIU/REP/2024/3,1,CEB,这项建议将通过首协会机构间协调机制进行处理,2025-02-28,WO/PBC/38/2\r\n")


def test_json_and_table(fixture_store_dir):
    r = jiukg("query", "status-history", "-p", "report=JIU/REP/2020/7", "-p", "rec=6", "--format", "json",
              "--store", fixture_store_dir)
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert [b["implementation"]["value"] for b in data["results"]["bindings"]] == ["in-progress", "implemented"]
    t = jiukg("query", "outstanding-by-official", "--param", "org=WIPO", "--store", fixture_store_dir)
    assert t.returncode == 0 and t.stdout.splitlines()[-1] == "(3 rows)"


def test_errors_are_clear(fixture_store_dir):
    r = jiukg("query", "no-such-query", "--store", fixture_store_dir)
    assert r.returncode == 2
    assert "no query named 'no-such-query'" in r.stderr and "ceb-deferrals: CEB-level" in r.stderr
    r = jiukg("query", "status-history", "--param", "report=JIU/REP/2020/7", "--param", "rec=x",
              "--store", fixture_store_dir)
    assert r.returncode == 2 and "not an integer" in r.stderr
    r = jiukg("query", "ceb-deferrals", "--param", "colour=red", "--store", fixture_store_dir)
    assert r.returncode == 2 and "unknown parameter colour" in r.stderr
    r = jiukg("query", "ceb-deferrals", "--format", "xml", "--store", fixture_store_dir)
    assert r.returncode == 2


def test_injection_through_the_cli_changes_nothing(fixture_store_dir):
    def dump():  # N-Quads lines, sorted, blank-node labels blanked: both differ between processes
        out = jiukg("export", "--store", fixture_store_dir).stdout
        return sorted(re.sub(r"_:\S+", "_:b", line) for line in out.splitlines())

    before = dump()
    r = jiukg("query", "ceb-deferrals", "--param", 'org=WIPO" } ; DROP ALL ; #', "--format", "csv",
              "--store", fixture_store_dir)
    assert r.returncode == 2 and r.stdout == "" and "no organisation 'WIPO\" } ; DROP ALL ; #'" in r.stderr
    r = jiukg("query", "ceb-deferrals", "--param", "org=UNICEF", "--store", fixture_store_dir)
    assert r.returncode == 2 and "no organisation 'UNICEF' in the data; known:" in r.stderr and "WIPO" in r.stderr
    r = jiukg("query", "provenance", "--param", "resource=https://w3id.org/x>\n{", "--store", fixture_store_dir)
    assert r.returncode == 2 and "not an absolute IRI" in r.stderr
    assert dump() == before and len(before) > 1000


def test_a_query_file_runs_too(fixture_store_dir, tmp_path):
    rq = tmp_path / "mine.rq"
    rq.write_text("# title: mine\n# param: org | string | WIPO | d\n"
                  "PREFIX jiu: <https://w3id.org/jiukg/ontology#>\n"
                  "SELECT DISTINCT ?o WHERE { ?o jiu:acronym ?a FILTER(STR(?a) = ?_org) } ORDER BY ?o\n")
    r = jiukg("query", str(rq), "--format", "csv", "--store", fixture_store_dir)
    assert r.returncode == 0, r.stderr
    assert r.stdout == "o\r\nhttps://w3id.org/jiukg/id/org/WIPO\r\n"


def test_corpus_flagship_through_the_cli(tmp_path):
    """`jiukg build` then `jiukg query ceb-deferrals --param org=WIPO --format csv` on the bundled corpus."""
    try:
        import loaders

        loaders.registry()
    except ImportError as e:
        pytest.skip(f"the loaders are not all written yet: {e}")
    store = str(tmp_path / "store")
    b = jiukg("build", "--store", store, "--quiet", timeout=600)
    assert b.returncode == 0, b.stderr
    r = jiukg("query", "ceb-deferrals", "--param", "org=WIPO", "--format", "csv", "--store", store)
    assert r.returncode == 0, r.stderr
    table = list(csv.reader(io.StringIO(r.stdout)))
    assert table[0] == ["report", "rec", "mechanism", "evidence", "asOf", "source"]
    got = {(row[0], row[1]) for row in table[1:]}
    must = {("JIU/REP/2024/3", "1"), ("JIU/REP/2024/2", "3"), ("JIU/NOTE/2022/1/Rev.1", "1"),
            ("JIU/NOTE/2022/1/Rev.1", "4"), ("JIU/REP/2023/8", "7")}
    assert must <= got <= must | {("JIU/REP/2023/3", "4")}
    assert all(row[4:] == ["2025-02-28", "WO/PBC/38/2"] for row in table[1:])
