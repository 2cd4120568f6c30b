"""The rendered book, opened in headless Chromium the way a reader opens it.

Builds the book with `make book` (warnings are errors; the execution cache makes a rebuild cheap), serves
`_build/html` on localhost, and for every page checks what a reader would notice: math typeset, figures
loaded, widgets drawn from their saved state, no error output — and that nothing is fetched from any host
but this machine, so the book works offline. A full-page screenshot of each page is kept under
`_build/screenshots/` for a human to look at.
"""
import functools
import http.server
import re
import shutil
import subprocess
import threading
from pathlib import Path
from urllib.parse import urlparse

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
HTML = ROOT / "_build" / "html"
SHOTS = ROOT / "_build" / "screenshots"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Chromium's own background services (updates, safe browsing, sync) would otherwise try the network.
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--disable-default-apps", "--disable-domain-reliability", "--metrics-recording-only",
                  "--no-default-browser-check", "--disable-features=Translate,OptimizationHints,MediaRouter"]


def _toc_pages():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    pages = [toc["root"]]
    for part in toc["parts"]:
        pages += [entry["file"] for entry in part["chapters"]]
    return pages


PAGES = _toc_pages()
CHAPTERS = [p for p in PAGES if p.startswith("chapters/")]


@pytest.fixture(scope="module")
def site():
    subprocess.run(["make", "book"], cwd=ROOT, check=True)
    handler = functools.partial(_QuietHandler, directory=str(HTML))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def browser(site):
    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is missing: `make test` installs Debian's chromium package")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


def test_no_page_links_an_outside_script_or_stylesheet(site):
    outside = re.compile(r'<(?:script[^>]+src|link[^>]+href)="(https?:)?//', re.I)
    offenders = [str(p.relative_to(HTML)) for p in HTML.rglob("*.html") if outside.search(p.read_text())]
    assert not offenders, f"pages that load scripts or styles from another host: {offenders}"


@pytest.mark.parametrize("page_name", PAGES)
def test_page_renders_offline(browser, site, page_name):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.set_default_timeout(90_000)      # generous: CI shares two cores with the notebook tests
    outside_requests, page_errors = [], []

    def only_localhost(route):
        if urlparse(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            outside_requests.append(route.request.url)
            route.abort()

    page.route("**/*", only_localhost)
    page.on("pageerror", lambda err: page_errors.append(str(err)))
    page.goto(f"{site}/{page_name}.html", wait_until="load")
    if page.locator('script[src*="mathjax/tex-chtml.js"]').count():
        page.wait_for_function("window.MathJax && MathJax.startup && MathJax.startup.promise")
        page.evaluate("MathJax.startup.promise")

    widget_views = page.locator('script[type="application/vnd.jupyter.widget-view+json"]').count()
    if widget_views:
        page.wait_for_selector(".jupyter-widgets")
    page.wait_for_function("[...document.images].every(image => image.complete)")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{Path(page_name).name}.png"), full_page=True)

    report = page.evaluate("""() => {
        const main = document.querySelector('main') || document.body;
        const prose = main.cloneNode(true);
        prose.querySelectorAll('pre, code, script, style, mjx-container, .cell_output').forEach(e => e.remove());
        const images = [...main.querySelectorAll('img')];
        return {
            text: prose.innerText,
            math: main.querySelectorAll('mjx-container').length,
            images: images.length,
            broken: images.filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src),
            widgets: main.querySelectorAll('.jupyter-widgets').length,
            // An error output (myst-nb marks it .traceback) or a printed traceback; a chapter may still
            // print a ValueError it caught on purpose to show a clear message.
            errors: [...main.querySelectorAll('.cell_output')]
                    .filter(e => e.querySelector('.traceback, .error')
                                 || /Traceback \\(most recent call last\\)/.test(e.innerText))
                    .map(e => e.innerText),
        };
    }""")
    page.close()

    assert not outside_requests, f"{page_name} asked other hosts for: {outside_requests}"
    assert not page_errors, f"{page_name} raised JavaScript errors: {page_errors}"
    assert not report["broken"], f"{page_name} has images that did not load: {report['broken']}"
    assert not report["errors"], f"{page_name} shows an error in a cell output: {report['errors'][:1]}"
    raw_tex = re.findall(r"\$\$|\\\[|\\\(|\\begin\{|\$[^$\n]*\\[a-zA-Z]+", report["text"])
    assert not raw_tex, f"{page_name} shows untypeset TeX: {raw_tex[:5]}"
    if page_name in CHAPTERS:
        assert report["math"] > 0, f"{page_name}: no typeset math found"
        assert report["images"] > 0, f"{page_name}: no figure found"
    assert report["widgets"] >= widget_views, (
        f"{page_name}: {widget_views} saved widget views but only {report['widgets']} drawn")
