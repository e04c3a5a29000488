"""POST /data: writes through the gated pipeline, authenticated, all or nothing."""

from __future__ import annotations

import httpx
import pytest

from jiukg.config import Settings
from tests._service_server import serve, static_store

TOKEN = "test-write-token"
BAD = """@prefix jiu: <https://w3id.org/jiukg/ontology#> .
<https://w3id.org/jiukg/id/doc/JIU/REP/2099/1/rec/1> a jiu:Recommendation ; jiu:recommendationNumber "one" .
"""


def dump(url) -> list[bytes]:
    return sorted(httpx.get(f"{url}/dump", params={"format": "nquads"}, timeout=30).content.splitlines())


@pytest.fixture
def writable(tmp_path):
    st = static_store(tmp_path / "store")
    with serve(st, settings=Settings(write_token=TOKEN)) as url:
        yield url
    st.close()


def auth(token=TOKEN):
    return {"Authorization": f"Bearer {token}"}


def test_writes_are_off_without_a_configured_token(tmp_path):
    st = static_store(tmp_path / "store")
    with serve(st) as url:
        before = dump(url)
        r = httpx.post(f"{url}/data", content=BAD, headers={"Content-Type": "text/turtle", **auth()})
        assert r.status_code == 403 and "JIUKG_WRITE_TOKEN" in r.text
        assert dump(url) == before
    st.close()


def test_a_wrong_token_is_refused(writable):
    r = httpx.post(f"{writable}/data", content=BAD, headers={"Content-Type": "text/turtle", **auth("nope")})
    assert r.status_code == 401


def test_data_breaking_a_shape_is_refused_with_the_report_and_nothing_written(writable):
    before = dump(writable)
    r = httpx.post(f"{writable}/data", content=BAD, headers={"Content-Type": "text/turtle", **auth()})
    assert r.status_code == 422
    body = r.json()
    assert body["written"] is False
    focus = {res["focusNode"] for res in body["report"]["results"] if res["severity"] == "Violation"}
    assert "https://w3id.org/jiukg/id/doc/JIU/REP/2099/1/rec/1" in focus
    assert dump(writable) == before


@pytest.mark.parametrize("content", [b"", "Lorem ipsum, no UN document here.\n".encode(), bytes(range(256))])
def test_unrecognised_text_is_refused_and_nothing_written(writable, content):
    before = dump(writable)
    r = httpx.post(f"{writable}/data", content=content, headers={"Content-Type": "text/plain", **auth()})
    assert r.status_code == 422 and "nothing was written" in r.text
    assert dump(writable) == before


def test_a_source_document_is_loaded_and_published(writable, corpus_dir):
    note = next(p for p in corpus_dir.iterdir() if "JIU/REP/2024/4" in p.read_text(encoding="utf-8")[:1000])
    r = httpx.post(f"{writable}/data", params={"name": note.name}, content=note.read_bytes(),
                   headers={"Content-Type": "text/plain; charset=utf-8", **auth()}, timeout=60)
    assert r.status_code == 200, r.text
    assert r.json()["written"] is True and r.json()["records"]["ceb-comment"] == 6
    page = httpx.get(f"{writable}/id/doc/JIU/REP/2024/4/rec/2", headers={"Accept": "text/turtle"})
    assert page.status_code == 200 and "ceb-comment" in page.text


def test_shapes_are_published(writable):
    r = httpx.get(f"{writable}/shapes", headers={"Accept": "text/turtle"})
    assert r.status_code == 200
    assert "sh:NodeShape" in r.text and "jiu:StatusStatement" in r.text
    html = httpx.get(f"{writable}/shapes", headers={"Accept": "text/html"}, follow_redirects=True)
    assert html.status_code == 200 and "/ontology" in str(html.url)
