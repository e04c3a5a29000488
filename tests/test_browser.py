"""The home page in a real Chromium: run an example query, read the table, follow a
link to a recommendation and find its source passage; type in the editor and get
completions; read the API docs. Nothing leaves the service."""

from __future__ import annotations

from pathlib import Path

import pytest

from _service_server import serve

pytestmark = pytest.mark.browser

OUT = Path(__file__).resolve().parent.parent / "test-output"
REC = "https://w3id.org/jiukg/id/doc/JIU/REP/2024/4/rec/2"


@pytest.fixture(scope="module")
def base(built_store):
    with serve(built_store) as url:
        yield url


def watched_page(browser, base):
    """A page and the list of every request it makes to another host."""
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    outside: list[str] = []
    page.on("request", lambda r: None if r.url.startswith((base, "data:")) else outside.append(r.url))
    return page, outside


def type_in_editor(page, text_before: str, typed: str) -> None:
    """Put text in the editor, then type at its end as a person would, and ask for completions."""
    page.evaluate("""t => { const y = window.jiukgYasgui.getTab().getYasqe(); y.setValue(t); y.focus();
                          y.setCursor(y.lastLine(), y.getLine(y.lastLine()).length); }""", text_before)
    page.keyboard.type(typed, delay=20)
    page.keyboard.press("Control+Space")


def test_editor_completes_from_this_service_only(browser, base):
    page, outside = watched_page(browser, base)
    page.goto(base + "/?lang=en")
    page.wait_for_selector(".yasqe .CodeMirror")
    # YASQE's own class and property completers ask lov.linkeddata.es, and prefix.cc when configured
    type_in_editor(page, "PREFIX foaf: <http://xmlns.com/foaf/0.1/>\nSELECT * WHERE { ?s a ", "foaf:Pe")
    type_in_editor(page, "SELECT * WHERE {\n  ?s ", "foaf:na")
    # the undeclared prefix was completed from the service's own namespaces
    assert "PREFIX foaf: <http://xmlns.com/foaf/0.1/>" in page.evaluate(
        "() => window.jiukgYasgui.getTab().getYasqe().getValue()")
    type_in_editor(page, "PREFIX jiu: <https://w3id.org/jiukg/ontology#>\nSELECT * WHERE { ?s a ", "jiu:Rec")
    page.wait_for_selector("li.CodeMirror-hint:text-is('jiu:Recommendation')", timeout=20000)
    page.keyboard.press("Escape")
    type_in_editor(page, "SELECT * WHERE {\n  ?s ", "jiu:recommendationT")
    page.wait_for_selector("li.CodeMirror-hint:text-is('jiu:recommendationText')", timeout=20000)
    value = page.evaluate("() => window.jiukgYasgui.getTab().getYasqe().getValue()")
    assert "PREFIX jiu: <https://w3id.org/jiukg/ontology#>" in value  # declared for the user
    page.close()
    assert outside == [], outside


def test_api_docs_load_from_this_service(browser, base):
    page, outside = watched_page(browser, base)
    page.goto(base + "/docs")
    page.wait_for_selector(".swagger-ui .info .title", timeout=20000)
    assert "jiukg" in page.locator(".swagger-ui .info .title").inner_text()
    page.wait_for_selector(".opblock-summary-path[data-path='/sparql']", timeout=20000)
    assert page.locator(".opblock").count() > 10
    OUT.mkdir(exist_ok=True)
    page.screenshot(path=str(OUT / "browser-docs.png"))
    page.close()
    assert outside == [], outside


def test_editor_to_recommendation_passage(browser, built_store, base):
    OUT.mkdir(exist_ok=True)
    passages = {str(r["t"]) for r in built_store.query(f"""SELECT ?t WHERE {{
        {{ <{REC}> <http://www.w3.org/ns/prov#wasDerivedFrom> ?p }}
        UNION {{ ?x <https://w3id.org/jiukg/ontology#aboutRecommendation> <{REC}> ;
                    <http://www.w3.org/ns/prov#wasDerivedFrom> ?p }}
        ?p <https://w3id.org/jiukg/ontology#passageText> ?t }}""").rows}
    assert passages, "the built corpus has no source passage for the recommendation"
    page, outside = watched_page(browser, base)
    page.goto(base + "/?lang=en")
    page.wait_for_selector(".yasqe .CodeMirror")

    # a counting query draws a bar chart next to the table
    page.select_option("#examples", "classes")
    page.wait_for_selector("#chart svg rect.bar", timeout=20000)
    assert page.locator("#chart svg rect.bar").count() > 3

    page.select_option("#examples", "recommendations")
    page.wait_for_selector(f'.yasr table tbody a[href="{base}/id/doc/JIU/REP/2024/4/rec/2?lang=en"]', timeout=20000)
    rows = page.locator(".yasr table tbody tr").count()
    assert rows >= 5
    page.screenshot(path=str(OUT / "browser-home.png"), full_page=True)

    page.locator(f'.yasr table tbody a[href="{base}/id/doc/JIU/REP/2024/4/rec/2?lang=en"]').first.click()
    page.wait_for_url(f"{base}/id/doc/JIU/REP/2024/4/rec/2?lang=en")
    page.wait_for_selector("figure.passage")
    for d in page.locator("details").all():  # statuses and comments keep their passages folded
        d.evaluate("e => e.open = true")
    shown = page.locator("figure.passage blockquote").all_inner_texts()
    assert any(p.strip() and p.strip() in {s.strip() for s in shown} for p in passages)
    assert page.locator("table.statuses tbody tr").count() >= 1
    page.screenshot(path=str(OUT / "browser-recommendation.png"), full_page=True)
    page.close()
    assert outside == [], outside
