"""In a real browser with no network, every formula on the docs site is typeset.

The site is built (``mkdocs build --strict``), served on 127.0.0.1 and opened
in Chromium through Playwright; every request that is not to 127.0.0.1 is
aborted and counted as a failure. Every page whose built HTML has math
(elements with class ``arithmatex``) is opened at a phone's width (390 px)
and a desktop's (1280 px), in the light and the dark palette. MathJax, served
by the site itself (see ``docs/hooks/mathjax.py``), must turn every such
element into an ``mjx-container``, leave no raw TeX delimiters in the visible
text, and cause no console error and no failed request; every formula must be
drawn at a real size (MathJax's SVG once collapsed to 1 x 1 px below 45em),
display formulas at their natural size, one wider than its column scrolling
inside its own box; no page may scroll sideways. The same holds after instant
navigation (a click in the nav, no reload) and after the palette toggle.
Full-page screenshots of the pages a learner reads first are saved to
``test-artifacts/`` at both widths in both palettes (listed in
``test-artifacts/README.txt``): look at them.

Needs Chromium at /usr/bin/chromium (``apt-get install -y chromium``); without
it the tests are skipped, unless ``REQUIRE_BROWSER=1`` (CI), which fails them.
"""

from __future__ import annotations

import functools
import http.server
import os
import subprocess
import sys
import threading
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
#: The page reached by instant navigation and whose palette toggle is clicked (any page with math if it has none).
SCREENSHOT_PAGE = "derivation/"
#: Pages screenshotted at every width in both palettes (those missing from the site are skipped).
SCREENSHOT_PAGES = ("", "derivation/", "worked-example/", "activations/sigmoid/", "verify/", "performance/")
#: A phone (iPhone 12 to 15) and a desktop browser window, in CSS pixels.
WIDTHS = {"phone": 390, "desktop": 1280}
PALETTES = {"light": "default", "dark": "slate"}
TIMEOUT_MS = 60_000
#: Pages whose every line must be readable on a phone without scrolling anything sideways.
READ_WITHOUT_SWIPING = ("verify/",)
#: Below this many CSS pixels in width or height a formula is not drawn (MathJax's floor is 1 px).
MIN_FORMULA_PX = 4

# Text nodes of the page that are visible and not code, nor MathJax output.
VISIBLE_TEXT_JS = """() => {
  const skip = "pre, code, script, style, textarea, mjx-container";
  const parts = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (!el || el.closest(skip) || !el.checkVisibility({visibilityProperty: true})) continue;
    parts.push(node.textContent);
  }
  return parts.join(" ");
}"""

# Resolves once MathJax has typeset the page: every arithmatex element holds output.
MATH_STATE_JS = """async () => {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) await MathJax.startup.promise;
  const math = [...document.querySelectorAll(".arithmatex")];
  return {
    arithmatex: math.length,
    containers: document.querySelectorAll("mjx-container").length,
    untypeset: math.filter(el => !el.querySelector("mjx-container")).map(el => el.textContent.slice(0, 80)),
    // TeX errors, and undefined macros (MathJax's noundefined extension shows them as red text).
    errors: [...document.querySelectorAll('mjx-container svg g[data-mml-node="merror"]')].map(
      el => el.getAttribute("data-mjx-error")),
    undefined: [...document.querySelectorAll('mjx-container svg g[data-mml-node="mtext"][fill="red"]')].map(
      el => el.closest("mjx-container").querySelector("mjx-assistive-mml")?.textContent),
  };
}"""


# Sizes of every formula on the page, and what would make one unreadable: drawn at (next to)
# no size, shrunk below its natural size, wider than its box while the box does not scroll,
# or the page scrolling sideways.
FORMULA_SIZES_JS = """min => {
  const describe = c => (c.querySelector("mjx-assistive-mml")?.textContent || "").slice(0, 60);
  const bad = [];
  const containers = [...document.querySelectorAll("mjx-container")];
  for (const c of containers) {
    const svg = c.querySelector(":scope > svg");
    const r = (svg || c).getBoundingClientRect();
    const display = c.getAttribute("display") === "true";
    if (r.width < min || r.height < min) {
      bad.push(`${display ? "display" : "inline"} formula drawn ${r.width.toFixed(1)} x ${r.height.toFixed(1)} px: ${describe(c)}`);
      continue;
    }
    // Display formulas and those in tables keep their natural size (the width MathJax gives the SVG).
    const natural = svg ? svg.width.baseVal.value : r.width;
    if ((display || c.closest("td, th")) && r.width < 0.98 * natural)
      bad.push(`formula shrunk to ${Math.round(100 * r.width / natural)}% of its size: ${describe(c)}`);
    if (!display) continue;
    const box = c.closest("div.arithmatex") || c.parentElement;
    const scrolls = ["auto", "scroll"].includes(getComputedStyle(box).overflowX);
    if (r.width > box.clientWidth + 1 && !scrolls)
      bad.push(`display formula ${Math.round(r.width)} px wide in a ${box.clientWidth} px box that does not scroll: ${describe(c)}`);
    const article = box.closest("article") || document.body;
    if (box.getBoundingClientRect().width > article.getBoundingClientRect().width + 40)
      bad.push(`the box of a display formula is wider than the page's column: ${describe(c)}`);
  }
  const color = getComputedStyle(document.querySelector("article") || document.body).color;
  const background = getComputedStyle(document.body).backgroundColor;
  for (const c of containers.slice(0, 1))
    if (getComputedStyle(c).color === background) bad.push(`formulas are drawn in the background colour ${background}`);
  // Code blocks wrap (docs/stylesheets/extra.css): none may hide text in a sideways scroll.
  for (const code of document.querySelectorAll(".md-typeset pre > code"))
    if (code.scrollWidth > code.clientWidth + 1)
      bad.push(`a code block scrolls sideways: ${code.textContent.slice(0, 60).replace(/\\s+/g, " ")}`);
  if (document.documentElement.scrollWidth > innerWidth + 1)
    bad.push(`the page scrolls sideways: ${document.documentElement.scrollWidth} px of content in a ${innerWidth} px window`);
  return {bad, display: containers.filter(c => c.getAttribute("display") === "true").length,
          inline: containers.filter(c => c.getAttribute("display") !== "true").length, color, background};
}"""


# Elements of the page's content that scroll sideways (a table, a formula, a code block).
SIDEWAYS_JS = """() => [...document.querySelectorAll("article *")]
  .filter(e => e.scrollWidth > e.clientWidth + 1 && ["auto", "scroll"].includes(getComputedStyle(e).overflowX))
  .map(e => (e.textContent || "").slice(0, 60).replace(/\\s+/g, " "))"""


def _require_browser():
    """Skip (or fail, with REQUIRE_BROWSER=1) when Chromium or Playwright is missing."""
    reason = None
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        reason = "Playwright is not installed: run `make install` (it is in the dev extra)"
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} not found: install Chromium with `apt-get install -y chromium`"
    if reason:
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(reason + " (REQUIRE_BROWSER=1)")
        pytest.skip(reason + " (set REQUIRE_BROWSER=1 to make this a failure)")


class _ArithmatexCounter(HTMLParser):
    def __init__(self):
        super().__init__()
        self.count = 0

    def handle_starttag(self, tag, attrs):
        if "arithmatex" in (dict(attrs).get("class") or "").split():
            self.count += 1


def _math_pages(site: Path) -> dict[str, int]:
    """Site-relative URL -> number of arithmatex elements, for every built page that has math."""
    pages = {}
    for html in sorted(site.rglob("index.html")):
        counter = _ArithmatexCounter()
        counter.feed(html.read_text(encoding="utf-8"))
        if counter.count:
            rel = html.parent.relative_to(site).as_posix()
            pages["" if rel == "." else rel + "/"] = counter.count
    return pages


def _all_pages(site: Path) -> list[str]:
    """Site-relative URL of every built page."""
    return sorted("" if h.parent == site else h.parent.relative_to(site).as_posix() + "/" for h in site.rglob("index.html"))


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """Build the site and serve it on a free port of 127.0.0.1: (base URL, site dir)."""
    _require_browser()
    root = tmp_path_factory.mktemp("browser") / "site"
    root.mkdir()
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(root))
    )
    server.daemon_threads = True
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    try:
        # Material's instant navigation only intercepts links listed in sitemap.xml, which
        # needs site_url: build for the address served here (as `mkdocs serve` does).
        config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8") + f"\nsite_url: {base}\n"
        proc = subprocess.run(
            [str(Path(sys.executable).parent / "mkdocs"), "build", "--strict", "-f", "-", "--site-dir", str(root)],
            input=config, cwd=ROOT, capture_output=True, text=True, timeout=900,
            env=dict(os.environ, NO_MKDOCS_2_WARNING="1"),
        )
        assert proc.returncode == 0, proc.stderr
        assert "WARNING" not in proc.stderr, proc.stderr
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield base, root
        finally:
            server.shutdown()
            thread.join()
    finally:
        server.server_close()


@pytest.fixture(scope="module")
def browser(site):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


class _Watch:
    """A browser context that aborts every request not to 127.0.0.1 and records what went wrong."""

    def __init__(self, browser, width=1280, color_scheme="light"):
        self.context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=color_scheme)
        self.context.set_default_timeout(TIMEOUT_MS)
        self.external, self.failed, self.console = [], [], []
        self.context.route("**/*", self._route)
        self.context.on("requestfailed", self._request_failed)
        self.context.on("response", self._response)
        self.context.on("console", lambda message: message.type == "error" and self.console.append(message.text))

    def _route(self, route):
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            self.external.append(route.request.url)
            route.abort()

    def _request_failed(self, request):
        # net::ERR_ABORTED is the browser cancelling its own request (the page moved on or closed while
        # the favicon was still loading, seen under load): the site served it; a missing file is a 404 below
        if urlsplit(request.url).hostname == "127.0.0.1" and request.failure != "net::ERR_ABORTED":
            self.failed.append(f"{request.url}: {request.failure}")

    def _response(self, response):
        if response.status >= 400:
            self.failed.append(f"{response.url}: HTTP {response.status}")

    def new_page(self):
        page = self.context.new_page()
        page.on("pageerror", lambda error: self.console.append(f"uncaught: {error}"))
        return page

    def problems(self, where):
        """Everything recorded since the last call, as messages naming `where`; then forget it."""
        found = [f"{where}: request to the network (aborted): {url}" for url in self.external]
        found += [f"{where}: failed request: {failure}" for failure in self.failed]
        found += [f"{where}: console error: {text}" for text in self.console]
        self.external, self.failed, self.console = [], [], []
        return found


@pytest.fixture
def watch(browser):
    watch = _Watch(browser)
    try:
        yield watch
    finally:
        watch.context.close()


def _check_math(page, where, expected):
    """Wait until MathJax has typeset `expected` formulas; return what is wrong on the page."""
    problems = []
    try:
        page.wait_for_function(
            "n => document.querySelectorAll('mjx-container').length >= n", arg=expected, timeout=TIMEOUT_MS
        )
    except Exception as error:  # the counts below say what is missing
        problems.append(f"{where}: timed out waiting for {expected} formulas: {str(error).splitlines()[0]}")
    state = page.evaluate(MATH_STATE_JS)
    if not (state["arithmatex"] == state["containers"] == expected):
        problems.append(
            f"{where}: {expected} arithmatex elements in the built HTML, {state['arithmatex']} in the page, "
            f"{state['containers']} rendered mjx-container"
        )
    if state["untypeset"]:
        problems.append(f"{where}: not typeset: {state['untypeset'][:5]}")
    if state["errors"]:
        problems.append(f"{where}: TeX errors: {state['errors'][:5]}")
    if state["undefined"]:
        problems.append(f"{where}: undefined TeX macros: {state['undefined'][:5]}")
    text = page.evaluate(VISIBLE_TEXT_JS)
    for delimiter in ("\\(", "\\[", "$$"):
        at = text.find(delimiter)
        if at >= 0:
            problems.append(f"{where}: raw {delimiter!r} in the visible text: ...{text[max(0, at - 40):at + 60]!r}...")
    return problems


def test_site_has_math(site):
    base, root = site
    pages = _math_pages(root)
    assert "notation/" in pages, "the Notation page has no math: is pymdownx.arithmatex configured?"
    assert (root / "assets" / "mathjax" / "tex-svg-full.js").is_file(), "MathJax is not in the built site"


def test_instant_navigation_renders_math(site, watch):
    base, root = site
    pages = _math_pages(root)
    target = SCREENSHOT_PAGE if SCREENSHOT_PAGE in pages else next(iter(pages))
    page = watch.new_page()
    page.goto(base, wait_until="networkidle")
    page.evaluate("window.__sameDocument = true")
    found = page.evaluate(
        """url => {
          const link = [...document.querySelectorAll("nav.md-nav--primary a.md-nav__link")].find(a => a.href === url);
          if (link) link.setAttribute("data-test-target", "");
          return Boolean(link);
        }""",
        base + target,
    )
    assert found, f"no link to /{target} in the home page's navigation"
    page.click("[data-test-target]")
    page.wait_for_url(base + target)
    page.wait_for_load_state("networkidle")
    problems = _check_math(page, f"/{target} (instant navigation)", pages[target])
    assert page.evaluate("window.__sameDocument === true"), "the click reloaded the page: instant navigation is off"
    problems += watch.problems(f"/{target}")
    assert not problems, "\n".join(problems)


def test_palette_toggle_keeps_the_formulas(site, watch):
    """Switching to the dark palette with the header's toggle leaves every formula typeset and sized."""
    base, root = site
    pages = _math_pages(root)
    target = SCREENSHOT_PAGE if SCREENSHOT_PAGE in pages else next(iter(pages))
    page = watch.new_page()
    page.goto(base + target, wait_until="networkidle")
    problems = _check_math(page, f"/{target}", pages[target])
    assert page.get_attribute("body", "data-md-color-scheme") == "default"
    light = page.evaluate(FORMULA_SIZES_JS, MIN_FORMULA_PX)
    # Material's palette toggle in the header (the visible one of its two labels).
    page.locator('form[data-md-component="palette"] label.md-header__button:visible').click()
    page.wait_for_function("document.body.getAttribute('data-md-color-scheme') === 'slate'")
    problems += _check_math(page, f"/{target} (dark)", pages[target])
    dark = page.evaluate(FORMULA_SIZES_JS, MIN_FORMULA_PX)
    problems += [f"/{target} (dark): {text}" for text in dark["bad"]]
    assert dark["color"] != light["color"] and dark["background"] != light["background"], (light, dark)
    problems += watch.problems(f"/{target}")
    assert not problems, "\n".join(problems)


def _open(page, base, rel, expected):
    """Go to a page and wait for its formulas; what is wrong with them."""
    page.goto(base + rel, wait_until="networkidle")
    return _check_math(page, "/" + rel, expected)


@pytest.mark.parametrize("palette", PALETTES)
@pytest.mark.parametrize("device", WIDTHS)
def test_every_formula_renders_offline_at_a_real_size(site, browser, device, palette):
    """Every page with math, at a phone's width and a desktop's, in both palettes: typeset with no
    network, no console error or failed request, and every formula drawn readably."""
    base, root = site
    pages = _math_pages(root)
    if device == "phone":  # on a phone, pages without math are checked too (code blocks, sideways scrolling)
        pages = {rel: pages.get(rel, 0) for rel in _all_pages(root)}
    watch = _Watch(browser, width=WIDTHS[device], color_scheme="dark" if palette == "dark" else "light")
    problems, counted = [], 0
    try:
        page = watch.new_page()
        for rel, expected in pages.items():
            where = f"/{rel} at {WIDTHS[device]} px, {palette}"
            problems += _open(page, base, rel, expected)
            scheme = page.get_attribute("body", "data-md-color-scheme")
            if scheme != PALETTES[palette]:
                problems.append(f"{where}: palette {scheme!r}, expected {PALETTES[palette]!r}")
            sizes = page.evaluate(FORMULA_SIZES_JS, MIN_FORMULA_PX)
            problems += [f"{where}: {text}" for text in sizes["bad"]]
            if rel in READ_WITHOUT_SWIPING and device == "phone":
                problems += [f"{where}: scrolls sideways: {text}" for text in page.evaluate(SIDEWAYS_JS)]
            counted += sizes["display"] + sizes["inline"]
            page.wait_for_load_state("networkidle")
            problems += watch.problems(where)
    finally:
        watch.context.close()
    assert counted == sum(pages.values())
    if device == "phone":
        assert "verify/" in pages and "" in pages
    assert not problems, f"{len(problems)} problem(s) on {len(pages)} pages with math:\n" + "\n".join(problems)


def test_screenshots_of_the_first_pages(site, browser):
    """Full-page screenshots a person looks at: each page of SCREENSHOT_PAGES, at each width, in each palette."""
    base, root = site
    pages = _math_pages(root)
    ARTIFACTS.mkdir(exist_ok=True)
    taken, problems = [], []
    for device, width in WIDTHS.items():
        for palette in PALETTES:
            watch = _Watch(browser, width=width, color_scheme="dark" if palette == "dark" else "light")
            try:
                page = watch.new_page()
                for rel in SCREENSHOT_PAGES:
                    if not (root / rel / "index.html").is_file():
                        continue
                    problems += _open(page, base, rel, pages.get(rel, 0))
                    name = f"{rel.strip('/').replace('/', '-') or 'home'}-{width}-{palette}.png"
                    page.screenshot(path=str(ARTIFACTS / name), full_page=True)
                    taken.append(name)
                    problems += watch.problems(f"/{rel} at {width} px, {palette}")
            finally:
                watch.context.close()
    (ARTIFACTS / "README.txt").write_text(
        "Screenshots written by tests/docs/test_browser.py (full pages):\n" + "".join(f"  {n}\n" for n in taken)
    )
    assert len(taken) >= 4 * len(WIDTHS) * len(PALETTES), taken
    assert not problems, "\n".join(problems)
