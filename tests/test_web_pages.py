"""The researcher's web in a real Chromium against a real uvicorn server on the bundled corpus: the
flagship answer one click from the home page, the organisation, report and mechanism pages, Chinese
pages that stay Chinese, an HTML 404. Every request is recorded by route interception: none may leave
127.0.0.1, and no page may log a console error. Screenshots go to docs/screenshots/ (README)."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from _service_server import serve

pytestmark = pytest.mark.browser

SHOTS = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
JIU = "https://w3id.org/jiukg/ontology#"
REPORT = "/id/doc/JIU/REP/2024/4"
PAGES = {"home": "/", "wipo": "/id/org/WIPO", "report": REPORT, "recommendation": REPORT + "/rec/2",
         "mechanism": "/id/org/CEB"}


@pytest.fixture(scope="module")
def base(built_store):
    with serve(built_store) as url:
        yield url


class Watch:
    """Every request a page makes (route interception: anything not for 127.0.0.1 is aborted and
    recorded) and every console error or uncaught exception."""

    def __init__(self):
        self.requests: list[str] = []
        self.outside: list[str] = []
        self.errors: list[str] = []

    def route(self, route):
        url = route.request.url
        self.requests.append(url)
        if url.startswith("data:") or urlsplit(url).hostname == "127.0.0.1":
            route.continue_()
        else:
            self.outside.append(url)
            route.abort()

    def check(self, allow_404: bool = False):
        assert self.outside == [], self.outside
        errors = [e for e in self.errors if not (allow_404 and "404" in e)]
        assert errors == [], errors


@pytest.fixture
def open_page(browser):
    pages = []

    def make(width: int = 1280, height: int = 900):
        page = browser.new_page(viewport={"width": width, "height": height})
        w = Watch()
        page.route("**/*", w.route)
        page.on("console", lambda m: w.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: w.errors.append(str(e)))
        pages.append(page)
        return page, w

    yield make
    for p in pages:
        p.close()


def test_flagship_answer_one_click_from_home(open_page, base, built_store):
    from jiukg import catalogue

    expected = catalogue.run(built_store, "ceb-deferrals", {"org": "WIPO"}).rows
    assert expected, "the bundled corpus answers the flagship question"
    page, w = open_page()
    page.goto(base + "/?lang=en")
    page.click("#flagship-link")
    page.wait_for_selector("table.catalogue tbody tr")
    assert "/queries/ceb-deferrals" in page.url
    rows = page.locator("table.catalogue tbody tr")
    assert rows.count() == len(expected)
    for i, row in enumerate(expected):
        tr = rows.nth(i)
        rec = tr.locator("td.rec-link a").get_attribute("href")
        assert re.fullmatch(rf"/id/doc/{re.escape(str(row['report']))}/rec/{row['rec']}\?lang=en", rec), rec
        passages = tr.locator("td.passage-link a")
        assert passages.count() >= 1
        assert "/passage/" in passages.first.get_attribute("href")
        # plain values: no "1"^^<...#integer> in the cells
        assert "^^" not in tr.inner_text()
    # follow the first row to its recommendation, then back and to its source passage
    first = rows.first
    first.locator("td.rec-link a").click()
    page.wait_for_selector("blockquote.rectext")
    assert page.locator("h1").inner_text()
    page.go_back()
    page.locator("table.catalogue tbody tr").first.locator("td.passage-link a").first.click()
    page.wait_for_load_state()
    text = built_store.query(f"""SELECT ?t WHERE {{ <https://w3id.org/jiukg{urlsplit(page.url).path}>
                                 <{JIU}passageText> ?t }}""").rows
    assert text and str(text[0]["t"]).strip()[:20] in page.locator("main").inner_text()
    # the CSV and JSON links answer
    page.go_back()
    for fmt in ("csv", "json"):
        href = page.locator(f"a[href*='format={fmt}']").first.get_attribute("href")
        assert page.request.get(base + href).status == 200
    w.check()


def test_wipo_page_summarises(open_page, base, built_store):
    n_recs = len(built_store.query(f"""SELECT DISTINCT ?r WHERE {{ ?st <{JIU}reportingOrganization>
        <https://w3id.org/jiukg/id/org/WIPO> ; <{JIU}aboutRecommendation> ?r }}""").rows)
    page, w = open_page()
    page.goto(base + "/id/org/WIPO?lang=en")
    table = page.locator("table.statustable")
    assert table.locator("tbody tr:not(.group)").count() == n_recs
    assert page.locator("table.periods tbody tr").count() >= 2  # one row per reporting document
    assert page.locator("figure.chartbox svg.chart rect.seg").count() >= 4
    assert page.locator("table.deferrals tbody tr").count() >= 1
    assert page.locator("details.raw").count() == 1  # the raw properties, folded
    assert not page.locator("details.raw").evaluate("e => e.open")
    # overdue as of a chosen date: an early date finds fewer or as many as a late one
    page.goto(base + "/id/org/WIPO?lang=en&asof=2020-01-01")
    early = page.locator("table.overdue tbody tr").count()
    page.goto(base + "/id/org/WIPO?lang=en&asof=2030-12-31")
    late = page.locator("table.overdue tbody tr").count()
    assert early <= late and late >= 1
    w.check()


def test_report_page_lists_recommendations_with_texts(open_page, base, built_store):
    recs = built_store.query(f"""SELECT DISTINCT ?r WHERE {{ ?r <{JIU}inPublication>
        <https://w3id.org/jiukg{REPORT}> }}""").rows
    page, w = open_page()
    page.goto(base + REPORT + "?lang=en")
    items = page.locator("article.recitem")
    assert items.count() == len(recs) >= 3
    for i in range(items.count()):
        assert items.nth(i).locator("blockquote.rectext").inner_text().strip()
    assert page.locator("ol.timeline li").count() >= 1
    w.check()


def test_chinese_pages_stay_chinese(open_page, base):
    page, w = open_page()
    page.goto(base + "/?lang=zh")
    assert page.locator("html").get_attribute("lang") == "zh"
    skip = ("/static/", "/docs", "/sparql", "format=csv", "format=json", "#")
    local = [h for h in page.eval_on_selector_all("a[href]", "as => as.map(a => a.getAttribute('href'))")
             if h.startswith("/") and not any(s in h for s in skip)]
    assert len(local) > 10
    assert [h for h in local if "lang=zh" not in h] == []
    for path in ("/id/org/WIPO", REPORT, REPORT + "/rec/2", "/id/org/CEB", "/browse", "/dataset", "/queries"):
        page.goto(f"{base}{path}?lang=zh")
        assert page.locator("html").get_attribute("lang") == "zh", path
        hrefs = [h for h in page.eval_on_selector_all("a[href]", "as => as.map(a => a.getAttribute('href'))")
                 if h.startswith("/") and not any(s in h for s in skip)]
        assert [h for h in hrefs if "lang=zh" not in h] == [], path
    page.goto(base + "/?lang=zh")
    # a click further the page is still Chinese, and so are its links
    page.click("#flagship-link")
    page.wait_for_selector("table.catalogue")
    assert page.locator("html").get_attribute("lang") == "zh"
    assert "首协会" in page.locator("h1").inner_text() and "首协会" in page.locator("main p.muted").first.inner_text()
    page.locator("td.rec-link a").first.click()
    page.wait_for_selector("blockquote.rectext")
    assert page.locator("html").get_attribute("lang") == "zh" and "lang=zh" in page.url
    w.check()


def test_unknown_path_is_an_html_404(open_page, base):
    page, w = open_page()
    r = page.goto(base + "/no/such/page?lang=zh")
    assert r.status == 404 and r.headers["content-type"].startswith("text/html")
    assert "404" in page.locator("h1").inner_text() and "未找到" in page.locator("h1").inner_text()
    assert page.locator("head title").count() == 1
    assert page.locator("a[href='/?lang=zh']").count() >= 1  # a way home, still in Chinese
    # API clients keep FastAPI's JSON
    r = page.request.get(base + "/no/such/page", headers={"Accept": "application/json"})
    assert r.status == 404 and r.json() == {"detail": "Not Found"}
    w.check(allow_404=True)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_screenshots(open_page, base, lang):
    """Each page at a desktop and a phone width; the phone's home page starts at the top."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width, height in ((1280, 900), (390, 844)):
        page, w = open_page(width, height)
        for name, path in PAGES.items():
            page.goto(f"{base}{path}?lang={lang}")
            page.wait_for_load_state("networkidle")
            assert page.locator("html").get_attribute("lang") == lang
            titles = page.locator("head title")
            assert titles.count() == 1 and titles.inner_text().count(
                "JIU knowledge graph" if lang == "en" else "联检组知识图谱") == 1
            if name == "home":
                assert page.evaluate("window.scrollY") == 0  # no jump to the editor
            page.screenshot(path=str(SHOTS / f"{name}-{lang}-{width}.png"))
        w.check()


def test_editor_results_are_plain_values(open_page, base):
    page, w = open_page()
    page.goto(base + "/?lang=en")
    page.wait_for_selector(".yasqe .CodeMirror")
    page.select_option("#examples", "ceb-deferrals")
    page.wait_for_selector(".yasr table tbody tr", timeout=20000)
    table = page.locator(".yasr table.dataTable")
    assert "^^" not in table.inner_text() and "XMLSchema" not in table.inner_text()
    assert page.locator(".yasr td span.typed[title='xsd:integer']").count() >= 1  # the datatype on hover
    page.locator(".yasr .tableControls input[type=checkbox]").first.check()  # "Simple view"
    page.wait_for_selector(".yasr table tbody tr")
    cells = page.locator(".yasr table.dataTable tbody tr").first.locator("td")
    pads = cells.evaluate_all("tds => tds.map(td => parseFloat(getComputedStyle(td).paddingLeft))")
    assert len(pads) >= 6 and min(pads) > 0  # cells kept apart: no "4CEB"
    w.check()


def test_editor_shows_iris_by_label_in_the_page_language(open_page, base):
    page, w = open_page()
    page.goto(base + "/?lang=zh")
    page.wait_for_selector(".yasqe .CodeMirror")
    page.select_option("#examples", "classes")
    # jiu:Recommendation is shown by its Chinese label and links to its entry on the ontology page
    link = page.locator(".yasr td a[data-iri='https://w3id.org/jiukg/ontology#Recommendation']")
    link.first.wait_for(timeout=20000)
    page.wait_for_function("""() => { const a = document.querySelector(
        ".yasr td a[data-iri='https://w3id.org/jiukg/ontology#Recommendation']"); return a && a.textContent === '联检组建议'; }""",
                           timeout=20000)
    assert link.first.get_attribute("href") == base + "/ontology?lang=zh#Recommendation"
    w.check()


def test_mechanism_page_lists_what_is_deferred_to_it(open_page, base, built_store):
    deferred = built_store.query(f"""SELECT DISTINCT ?st WHERE {{ ?st <{JIU}deferredTo>
        <https://w3id.org/jiukg/id/org/CEB> }}""").rows
    page, w = open_page()
    page.goto(base + "/id/org/CEB?lang=en")
    assert page.locator("section.summary h3 a[href='/id/org/WIPO?lang=en']").count() == 1
    assert page.locator("section.summary h3 + ul li").count() == len(deferred) >= 1
    page.goto(base + "/id/org/HLCM-HR?lang=en")  # part of HLCM, as a passage of the source says
    assert page.locator("section.summary a[href='/id/org/HLCM?lang=en']").count() == 1
    page.click("a[href='#passages']")
    assert page.locator("#passages figure.passage").count() >= 1
    w.check()
