"""Open the built documentation in a real browser, as a reader would, and fail on what is broken.

Usage: ``python .ci/docs_in_browser.py BUILD_DIR SHOTS_DIR``

Debian's Chromium (``/usr/bin/chromium``) is driven by Playwright for Python; no browser is
downloaded. For the index, the tutorial and one reference page it:

* collects the console and fails on any error message or uncaught page error;
* fails on an image that did not load, and on a page whose inline pictures are missing;
* follows every link to another page of the site and fails when the page or the anchor
  it names does not exist;
* takes a full-page screenshot into SHOTS_DIR, to be looked at.
"""

from __future__ import annotations

import sys
from pathlib import Path
from urllib.parse import unquote, urldefrag, urlparse

from playwright.sync_api import ConsoleMessage, Page, sync_playwright

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Each page opened, and how many inline pictures (charts and diagrams) it must show.
PAGES = {
    "index.html": 0,
    "tutorial.html": 0,
    "complaints.html": 1,
    "architecture.html": 1,
    "reference/services.html": 0,
}


def _broken_links(page: Page, build: Path, here: Path) -> list[str]:
    """Links to pages of the site whose file or anchor does not exist."""
    problems = []
    hrefs: list[str] = page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
    for href in hrefs:
        url = urlparse(href)
        if url.scheme != "file":
            continue
        target_url, anchor = urldefrag(href)
        target = Path(unquote(urlparse(target_url).path))
        if build not in target.parents and target != build:
            continue
        if not target.is_file():
            problems.append(f"{here.name}: link to a missing page {target.relative_to(build)}")
            continue
        if anchor and f'id="{anchor}"' not in target.read_text(encoding="utf-8"):
            problems.append(f"{here.name}: link to a missing anchor {href}")
    return problems


def check(build: Path, shots: Path) -> list[str]:
    """Every problem found on the pages, as lines to print."""
    problems: list[str] = []
    shots.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for name, charts in PAGES.items():
            path = build / name
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            errors: list[str] = []

            def on_console(message: ConsoleMessage, errors: list[str] = errors) -> None:
                if message.type == "error":
                    errors.append(message.text)

            page.on("console", on_console)
            page.on("pageerror", lambda error, errors=errors: errors.append(str(error)))
            page.goto(path.as_uri(), wait_until="load")
            problems += [f"{name}: console error: {text}" for text in errors]
            unloaded = page.eval_on_selector_all(
                "img", "els => els.filter(e => !(e.complete && e.naturalWidth > 0)).map(e => e.src)"
            )
            problems += [f"{name}: image did not load: {src}" for src in unloaded]
            shown = page.locator("figure.propcrm-picture svg").count()
            if shown < charts:
                problems.append(f"{name}: {shown} pictures shown, {charts} expected")
            problems += _broken_links(page, build, path)
            page.screenshot(path=str(shots / (name.replace("/", "-") + ".png")), full_page=True)
            page.close()
        browser.close()
    return problems


def main() -> int:
    build, shots = Path(sys.argv[1]).resolve(), Path(sys.argv[2]).resolve()
    problems = check(build, shots)
    for problem in problems:
        print(problem)
    print(f"{len(PAGES)} pages opened; screenshots in {shots}; {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
