"""Take the README's day-view screenshot from a running `lifestream serve` (e.g. after ./scripts/run.sh):

    .venv/bin/python scripts/readme_screenshot.py http://127.0.0.1:8000 docs/web-day-view.png

It opens the library, the newest day, and photographs the first 1200×760 of it in Debian's Chromium."""

from __future__ import annotations

import sys

from playwright.sync_api import sync_playwright


def main(url: str, out: str) -> None:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1200, "height": 760})
        page.goto(url)
        page.locator("a.title").first.click()
        page.locator("video").wait_for()
        page.locator("ol.blocks li").first.wait_for()
        page.wait_for_function("document.querySelector('video').readyState >= 2")
        page.wait_for_timeout(500)  # thumbnails
        page.screenshot(path=out)
        browser.close()


if __name__ == "__main__":
    main(*sys.argv[1:3])
