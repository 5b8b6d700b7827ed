"""The HTML report in a real browser: Playwright for Python driving the system's Chromium.

No browser is downloaded: the test launches ``/usr/bin/chromium`` (Debian's
package). Where it or Playwright is missing the test is skipped — except in CI
(``CI`` set), where it fails, so the check cannot silently stop running.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import pytest

from propcrm.demo._command import build_database
from propcrm.report._build import build_report
from propcrm.report._command import write_html
from propcrm.report._html import CHART_IDS
from propcrm.storage.sqlite import SqliteStore

CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = pytest.mark.browser


def _require_browser() -> None:
    missing = [
        what
        for what, present in (
            (str(CHROMIUM), CHROMIUM.exists()),
            ("playwright (pip install playwright)", importlib.util.find_spec("playwright")),
        )
        if not present
    ]
    if not missing:
        return
    message = f"the browser check needs {' and '.join(missing)}"
    if os.environ.get("CI"):
        pytest.fail(f"{message}; CI installs them (.ci/run)")
    pytest.skip(f"{message}; install them to run it (apt-get install chromium fonts-noto-cjk)")


def test_report_page_loads_with_its_charts_and_no_console_error(tmp_path: Path) -> None:
    """The page loads without a console error, shows every chart, and no personal value."""
    _require_browser()
    from playwright.sync_api import sync_playwright

    database = tmp_path / "demo.sqlite3"
    build_database(database, households=120, months=3, seed=11, progress=False)
    page_path = tmp_path / "report.html"
    write_html(build_report(database), page_path)
    store = SqliteStore(database, read_only=True)
    customer = store.customers.get("C000001")
    store.close()
    messages: list[str] = []
    errors: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1100, "height": 900})
            page.on("console", lambda m: messages.append(f"{m.type}: {m.text}"))
            page.on("pageerror", lambda e: errors.append(str(e)))
            requests: list[str] = []
            page.on("request", lambda r: requests.append(r.url))
            page.goto(page_path.as_uri())
            page.screenshot(path=str(tmp_path / "report.png"), full_page=True)
            charts = {i: page.locator(f"figure#{i} svg").count() for i in CHART_IDS}
            text = page.inner_text("body")
        finally:
            browser.close()
    assert [m for m in messages if m.startswith("error")] == []
    assert errors == []
    assert charts == dict.fromkeys(CHART_IDS, 1)
    assert [r for r in requests if not r.startswith("file:")] == []
    assert customer.name not in text
    assert customer.phone is not None
    assert customer.phone.reveal() not in text
    assert "投诉等级" in text
    screenshot = os.environ.get("PROPCRM_REPORT_SCREENSHOT")
    if screenshot:  # keep the screenshot for a person to look at
        Path(screenshot).write_bytes((tmp_path / "report.png").read_bytes())
