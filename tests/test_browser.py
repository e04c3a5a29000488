"""The home page in a real Chromium: run an example query, read the table, follow a
link to a recommendation and find its source passage; nothing leaves the service."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from _service_server import serve

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
OUT = Path(__file__).resolve().parent.parent / "test-output"
REC = "https://w3id.org/jiukg/id/doc/JIU/REP/2024/4/rec/2"


@pytest.fixture(scope="module")
def browser():
    if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        pytest.skip("Debian's chromium is not installed (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def test_editor_to_recommendation_passage(browser, built_store):
    OUT.mkdir(exist_ok=True)
    passages = {str(r["t"]) for r in built_store.query(f"""SELECT ?t WHERE {{
        {{ <{REC}> <http://www.w3.org/ns/prov#wasDerivedFrom> ?p }}
        UNION {{ ?x <https://w3id.org/jiukg/ontology#aboutRecommendation> <{REC}> ;
                    <http://www.w3.org/ns/prov#wasDerivedFrom> ?p }}
        ?p <https://w3id.org/jiukg/ontology#passageText> ?t }}""").rows}
    assert passages, "the built corpus has no source passage for the recommendation"
    with serve(built_store) as base:
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        outside = []
        page.on("request", lambda r: None if r.url.startswith((base, "data:")) else outside.append(r.url))
        page.goto(base + "/?lang=en")
        page.wait_for_selector(".yasqe .CodeMirror")

        # a counting query draws a bar chart next to the table
        page.select_option("#examples", "classes")
        page.wait_for_selector("#chart svg rect.bar", timeout=20000)
        assert page.locator("#chart svg rect.bar").count() > 3

        page.select_option("#examples", "recommendations")
        page.wait_for_selector(f'.yasr table tbody a[href="{base}/id/doc/JIU/REP/2024/4/rec/2"]', timeout=20000)
        rows = page.locator(".yasr table tbody tr").count()
        assert rows >= 5
        page.screenshot(path=str(OUT / "browser-home.png"), full_page=True)

        page.locator(f'.yasr table tbody a[href="{base}/id/doc/JIU/REP/2024/4/rec/2"]').first.click()
        page.wait_for_url(f"{base}/id/doc/JIU/REP/2024/4/rec/2")
        page.wait_for_selector("figure.passage")
        for d in page.locator("details").all():  # statuses and comments keep their passages folded
            d.evaluate("e => e.open = true")
        shown = page.locator("figure.passage blockquote").all_inner_texts()
        assert any(p.strip() and p.strip() in {s.strip() for s in shown} for p in passages)
        assert page.locator("table.statuses tbody tr").count() >= 1
        page.screenshot(path=str(OUT / "browser-recommendation.png"), full_page=True)
        page.close()
    assert outside == [], outside
