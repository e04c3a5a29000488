"""The question jiukg was built for gives the same rows through every door:
the catalogue over HTTP, the CLI, and a plain SPARQL request to /sparql."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from jiukg import catalogue
from tests._service_server import serve

JIUKG = str(Path(sys.executable).with_name("jiukg"))
COLUMNS = ["report", "rec", "mechanism", "evidence", "asOf", "source"]


def table(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory):
    d = tmp_path_factory.mktemp("flagship") / "store"
    out = subprocess.run([JIUKG, "build", "--store", str(d), "-q"], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return d


def test_same_rows_over_http_cli_and_sparql(store_dir):
    cli = subprocess.run([JIUKG, "query", "ceb-deferrals", "--param", "org=WIPO", "--format", "csv",
                          "--store", str(store_dir)], capture_output=True, text=True)
    assert cli.returncode == 0, cli.stderr
    rows = table(cli.stdout)
    assert rows[0] == COLUMNS
    assert len(rows) > 5
    # every row names a mechanism and the phrase that shows the deferral
    assert all(r[2] and r[3] for r in rows[1:])

    from jiukg.store import open_store

    with open_store(str(store_dir)) as st, serve(st) as url:
        over_http = httpx.get(f"{url}/queries/ceb-deferrals", params={"org": "WIPO"},
                              headers={"Accept": "text/csv"}, timeout=30)
        assert over_http.status_code == 200
        assert table(over_http.text) == rows
        page = httpx.get(f"{url}/queries/ceb-deferrals", params={"org": "WIPO", "lang": "zh", "format": "html"})
        assert page.status_code == 200 and "JIU/REP/2024/3" in page.text

        q = catalogue.get_query("ceb-deferrals")
        text = catalogue.bound_text(q, catalogue.bind(q, {"org": "WIPO"}))
        over_sparql = httpx.post(f"{url}/sparql", data={"query": text}, headers={"Accept": "text/csv"}, timeout=30)
        assert over_sparql.status_code == 200
        assert table(over_sparql.text) == rows
