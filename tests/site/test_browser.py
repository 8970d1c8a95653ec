"""The site as a reader's browser sees it: headless Chromium, every outside host unreachable.

Skipped when Debian's Chromium is not installed, unless NN_REQUIRE_BROWSER=1 (CI), where that fails.
"""
import os
import shutil
from urllib.parse import urlparse

import pytest

from built_site import notebook_pages, page_url, source_pages

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-dev-shm-usage",
        # no outside host resolves: a request that leaves the machine fails, and is recorded
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1"]
MATH_TIMEOUT_MS = 20_000

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser():
    if not shutil.which(CHROMIUM):
        message = f"{CHROMIUM} is not installed (apt-get install chromium)"
        if os.environ.get("NN_REQUIRE_BROWSER") == "1":
            pytest.fail(message + ", and NN_REQUIRE_BROWSER=1 says the browser is required")
        pytest.skip(message)
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


class Visit:
    """A browser tab that records console errors, requests off the machine, and failed responses."""

    def __init__(self, browser, server):
        self.page = browser.new_page()
        self.errors, self.outside, self.failed = [], [], []
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("request", self._request)
        self.page.on("response", lambda r: r.status >= 400 and self.failed.append(f"{r.status} {r.url}"))
        self.page.on("requestfailed", lambda r: self.failed.append(f"failed {r.url}"))

    def _request(self, request):
        host = urlparse(request.url).hostname
        if request.url.startswith(("http:", "https:", "ws:", "wss:")) and host not in ("127.0.0.1", "localhost"):
            self.outside.append(request.url)

    def math(self) -> dict:
        """Wait for MathJax to finish, then count what it typeset and what it could not."""
        self.page.wait_for_function("window.MathJax && MathJax.startup && MathJax.startup.promise",
                                    timeout=MATH_TIMEOUT_MS)
        self.page.evaluate("MathJax.startup.promise")
        self.page.wait_for_load_state("networkidle")   # fonts fetched after typesetting
        return self.page.evaluate(r"""() => ({
            containers: document.querySelectorAll('mjx-container:not(mjx-assistive-mml mjx-container)').length,
            errors: [...document.querySelectorAll('mjx-merror')].map(e => e.getAttribute('data-mjx-error') || e.textContent),
            arithmatex: document.querySelectorAll('.arithmatex').length,
            raw: [...document.querySelectorAll('.arithmatex')].filter(e => !e.querySelector('mjx-container'))
                     .map(e => e.textContent.slice(0, 80)),
            // notebook markdown keeps $...$: after typesetting, none may be left as text
            rawNotebook: [...document.querySelectorAll('.jp-RenderedMarkdown')]
                     .map(e => e.innerText).filter(t => /\$[^$\s][^$]*\$/.test(t)).map(t => t.slice(0, 80)),
            notebookMath: [...document.querySelectorAll('.jp-RenderedMarkdown')]
                     .filter(e => e.querySelector('mjx-container')).length,
        })""")

    def clean(self, what: str):
        assert not self.errors, f"{what}: console errors {self.errors}"
        assert not self.outside, f"{what}: requests left 127.0.0.1: {self.outside}"
        assert not self.failed, f"{what}: failed responses {self.failed}"


ALL_PAGES = [*source_pages(), *notebook_pages()]


@pytest.mark.parametrize("page", ALL_PAGES, ids=str)
def test_page_typesets_its_math_offline(page, browser, server, build):
    visit = Visit(browser, server)
    visit.page.goto(page_url(build.port, page))
    math = visit.math()
    assert not math["errors"], f"{page}: MathJax errors {math['errors']}"
    assert not math["raw"] and not math["rawNotebook"], f"{page}: math left untypeset: {math}"
    if math["arithmatex"]:
        assert math["containers"] > 0, f"{page}: no formula was typeset"
    visit.clean(str(page))
    visit.page.close()


def test_notebook_math_is_typeset(browser, server, build):
    """Math in a notebook's Markdown cells ($...$) is typeset by the site's MathJax 3."""
    visit = Visit(browser, server)
    visit.page.goto(page_url(build.port, notebook_pages()[0].with_name("four-steps.ipynb")))
    math = visit.math()
    assert math["notebookMath"] > 0 and not math["rawNotebook"], math
    visit.clean("notebook math")


def test_math_survives_instant_navigation(browser, server, build):
    """Material swaps pages without a reload: the new page's math must still be typeset."""
    visit = Visit(browser, server)
    visit.page.goto(server)
    visit.math()
    before = visit.page.evaluate("() => window.__sameDocument = 1")
    visit.page.click("a.md-nav__link[href$='foundations/losses/']")
    visit.page.wait_for_url("**/foundations/losses/")
    visit.page.wait_for_function("document.querySelectorAll('.arithmatex mjx-container').length > 0",
                                 timeout=MATH_TIMEOUT_MS)
    assert visit.page.evaluate("() => window.__sameDocument") == before, "navigation reloaded the page"
    math = visit.math()
    assert not math["raw"] and not math["errors"], math
    visit.clean("instant navigation")


def search(visit, query: str) -> list[str]:
    """Type a query into Material's search box; the result links, best first."""
    visit.page.keyboard.press("/")                     # Material's shortcut that opens search
    box = visit.page.locator("input.md-search__input")
    box.press_sequentially(query, delay=10)           # typed key by key, as a reader does
    visit.page.wait_for_selector(".md-search-result__item", timeout=10_000)
    links = visit.page.eval_on_selector_all("li.md-search-result__item > a.md-search-result__link",
                                            "links => links.map(a => a.href)")
    return [urlparse(link).path for link in links]


@pytest.mark.parametrize("query", ["losses", "sparse categorical cross entropy", "SparseCategoricalCrossentropy",
                                   "softmax_cross_entropy_with_integer_labels", "BCEWithLogitsLoss"])
def test_search_finds_the_loss_page_first(query, browser, server):
    visit = Visit(browser, server)
    visit.page.goto(server)
    results = search(visit, query)
    assert results and results[0] == "/foundations/losses/", f"{query!r} -> {results[:3]}"
    visit.clean(f"search {query!r}")


def test_the_watch_catches_outside_requests_and_console_errors(browser, server):
    """The checks above can fail: a request off the machine and a console error are both recorded."""
    visit = Visit(browser, server)
    visit.page.goto(server)
    visit.page.evaluate("""() => { const img = document.createElement('img');
                                   img.src = 'https://example.com/pixel.png'; document.body.append(img);
                                   console.error('deliberate'); }""")
    visit.page.wait_for_timeout(500)
    assert any("example.com" in url for url in visit.outside)
    assert "deliberate" in visit.errors
