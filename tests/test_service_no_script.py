"""No script from data or requests: an IRI that is not http(s) is never a link, whether it comes from a
request parameter or from stored data, and every HTML page carries a Content-Security-Policy that a
real Chromium enforces without a single violation on the service's own pages."""

from __future__ import annotations

import re

import httpx
import pytest

from jiukg.config import Settings
from tests._service_server import serve, static_store

TOKEN = "test-write-token"
WIPO = "https://w3id.org/jiukg/id/org/WIPO"
EVIL = "javascript:alert(document.domain)"
LINK = re.compile(r"""<a\b[^>]*\bhref\s*=\s*["']?\s*javascript:""", re.I)


@pytest.fixture(scope="module")
def writable(tmp_path_factory):
    """A service whose store holds `WIPO rdfs:seeAlso <javascript:...>`, written with the write token."""
    st = static_store(tmp_path_factory.mktemp("noscript") / "store")
    with serve(st, settings=Settings(write_token=TOKEN)) as url:
        data = f"<{WIPO}> <http://www.w3.org/2000/01/rdf-schema#seeAlso> <{EVIL}> , <https://www.wipo.int/> .\n"
        r = httpx.post(f"{url}/data", params={"name": "see-also.ttl"}, content=data,
                       headers={"Content-Type": "text/turtle", "Authorization": f"Bearer {TOKEN}"}, timeout=60)
        assert r.status_code == 200, r.text
        yield url
    st.close()


def test_a_javascript_iri_from_a_request_parameter_is_not_a_link(writable):
    r = httpx.get(f"{writable}/browse", params={"class": EVIL}, headers={"Accept": "text/html"})
    assert r.status_code == 200
    assert "javascript:alert" in r.text  # shown, as text
    assert not LINK.search(r.text), r.text
    assert "content-security-policy" in r.headers


def test_a_javascript_iri_from_stored_data_is_not_a_link(writable):
    page = httpx.get(f"{writable}/id/org/WIPO", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert "javascript:alert" in page.text
    assert not LINK.search(page.text), page.text
    assert 'href="https://www.wipo.int/"' in page.text  # http(s) IRIs stay links
    # the catalogue's and the graph's pages too
    graphs = httpx.get(f"{writable}/dataset", headers={"Accept": "text/html"}).text
    assert not LINK.search(graphs)
    q = httpx.get(f"{writable}/search", params={"q": "WIPO"}, headers={"Accept": "text/html"})
    assert not LINK.search(q.text)
    cat = httpx.get(f"{writable}/queries/provenance", params={"resource": WIPO, "format": "html"})
    assert cat.status_code == 200 and not LINK.search(cat.text)


def test_html_pages_have_a_content_security_policy(writable):
    for path in ("/", "/browse", "/ontology", "/dataset", "/docs", "/queries", "/validate", "/id/no/such/thing"):
        r = httpx.get(writable + path, headers={"Accept": "text/html"}, timeout=60)
        assert r.headers["content-type"].startswith("text/html"), path
        csp = r.headers.get("content-security-policy", "")
        assert "script-src 'self' 'nonce-" in csp and "unsafe-inline" not in csp.split("style-src")[0], (path, csp)
        assert "object-src 'none'" in csp and "base-uri 'none'" in csp
        # every inline script carries this response's nonce
        nonce = re.search(r"'nonce-([^']+)'", csp).group(1)
        for tag in re.findall(r"<script\b[^>]*>", r.text):
            if "src=" not in tag and 'type="application/json"' not in tag:
                assert f'nonce="{nonce}"' in tag, (path, tag)


def test_links_are_paths_whatever_the_host_header(writable):
    r = httpx.get(writable + "/", headers={"Accept": "text/html", "Host": "evil.example"})
    assert "evil.example" not in r.text


# --- a real Chromium: the pages run under their policy without a single violation or script error

WATCH = """window.__csp = []; document.addEventListener('securitypolicyviolation',
  e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));"""


@pytest.mark.browser
def test_pages_run_in_chromium_without_policy_violations(writable, browser):
    pages = ["/?lang=en", "/search?q=WIPO", "/browse", f"/browse?class={EVIL}", "/ontology", "/dataset",
             "/docs", "/queries", "/validate", "/id/org/WIPO", "/sparql", "/id/no/such/thing"]
    problems: list[str] = []
    for path in pages:
        page = browser.new_page()
        page.add_init_script(WATCH)
        expected_404 = path.startswith("/id/no/")  # the page itself is a 404, which Chromium logs
        page.on("console", lambda m, path=path, e=expected_404: problems.append(
            f"{path}: console {m.type}: {m.text}") if m.type == "error" and not (e and "404" in m.text)
            else None)
        page.on("pageerror", lambda e, path=path: problems.append(f"{path}: page error: {e}"))
        page.goto(writable + path)
        if path.startswith("/?"):
            page.wait_for_selector(".yasqe .CodeMirror", timeout=20000)
            page.select_option("#examples", "classes")
            page.wait_for_selector("#chart svg rect.bar", timeout=20000)
            # the editor's results: the stored javascript: IRI is shown, not linked
            page.evaluate("""q => { const t = window.jiukgYasgui.getTab(); t.setQuery(q);
                                   t.getYasqe().query(); }""",
                          "SELECT ?o WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#seeAlso> ?o }")
            page.wait_for_selector(".yasr td >> text=javascript:alert", timeout=20000)
            page.wait_for_selector(".yasr td a[href='https://www.wipo.int/']", timeout=20000)
            assert page.locator(".yasr a[href^='javascript:' i]").count() == 0
        if path == "/docs":
            page.wait_for_selector(".opblock", timeout=20000)
        if path == "/validate":
            page.wait_for_selector("form.filter")
        page.wait_for_load_state("networkidle")
        problems += [f"{path}: CSP {v}" for v in page.evaluate("window.__csp")]
        # nothing on the page links to a javascript: URL
        assert page.locator("a[href^='javascript:' i]").count() == 0, path
        page.close()
    assert problems == [], "\n".join(problems)
