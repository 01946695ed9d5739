"""The web app's weight and speed.

1. The built JavaScript (web/dist/assets/*.js), in kB gzipped (level 9, as a CDN would). Target ≤ 150.
2. Time to first render of the day view with 50 blocks, in headless Chromium (Debian's, via Playwright):
   the SPA (index.html → JS → /config.json → /api/days/… → 50 blocks on screen) against a static HTML
   page holding the same 50 blocks with the same stylesheet, in the same run and browser. Both come from
   one small HTTP server on loopback (files from web/dist, the API's answers canned in memory), so the
   difference is the app's own work: loading and running its script, reading /config.json, and the
   day's API round trip before it can draw. The
   moment is `performance.now()` (from navigation start) when the 50th block enters the DOM, read by a
   MutationObserver installed before the page's own scripts. Median of `--runs` fresh pages each.

    .venv/bin/python bench/bench_web.py --runs 15
"""

from __future__ import annotations

import argparse
import gzip
import html
import json
import mimetypes
import statistics
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DIST = ROOT / "web" / "dist"
CHROMIUM = "/usr/bin/chromium"
DAY = "2026-05-02"
VIDEO = "bench-0123456789"

WATCH = """(() => {
  const want = %d;
  const check = () => {
    if (window.__rendered == null && document.querySelectorAll('.block').length >= want) {
      window.__rendered = performance.now();
    }
  };
  new MutationObserver(check).observe(document, { childList: true, subtree: true });
  document.addEventListener('DOMContentLoaded', check);
})()"""


def js_gzip_kb() -> tuple[float, float]:
    files = sorted((DIST / "assets").glob("*.js"))
    if not files:
        raise SystemExit("web/dist has no JavaScript: cd web && npm ci && npm run build")
    raw = sum(f.stat().st_size for f in files)
    packed = sum(len(gzip.compress(f.read_bytes(), compresslevel=9)) for f in files)
    return raw / 1000, packed / 1000


def diary(blocks: int) -> dict:
    out = []
    for i in range(blocks):
        start = i * 60.0
        out.append(
            {
                "index": i,
                "start": start,
                "end": start + 60,
                "title": f"Block {i + 1}: planning the garden",
                "activity": "We talk about planting tomatoes and buying compost for the beds. " * 2,
                "location": "Back garden",
                "participants": ["Anna", "Ben"],
                "per_speaker": [],
                "visual_summary": "Two people beside raised beds; a watering can.",
                "key_points": [],
                "action_items": [{"text": "Buy compost", "owner": "Anna", "at": start + 5}],
                "source_reliability": "High",
                "keyframes": [],
                "transcript": [
                    {
                        "start": start + k * 10,
                        "end": start + k * 10 + 8,
                        "text": f"Line {k} of block {i}.",
                        "speaker": "Anna",
                    }
                    for k in range(3)
                ],
            }
        )
    return {"date": DAY, "video_id": VIDEO, "duration": blocks * 60.0, "blocks": out}


def api_answers(blocks: int) -> dict[str, tuple[str, str]]:
    video = {
        "video_id": VIDEO,
        "job_id": 1,
        "title": "bench.mp4",
        "status": "completed",
        "progress": 1.0,
        "duration": blocks * 60.0,
        "recorded_at": f"{DAY}T09:30:00Z",
        "created_at": f"{DAY}T10:00:00Z",
    }
    day = {"date": DAY, "videos": [{"video": video, "diary": diary(blocks), "markdown": None}]}
    config = {"apiUrl": "", "auth": "none", "timezone": "UTC"}
    media = {"video_id": VIDEO, "video_url": None, "keyframes": []}
    j = "application/json"
    return {
        "/config.json": (json.dumps(config), j),
        f"/api/days/{DAY}": (json.dumps(day), j),
        f"/api/videos/{VIDEO}/media": (json.dumps(media), j),
        f"/api/videos/{VIDEO}": (json.dumps(day["videos"][0]), j),
    }


def static_page(blocks: int) -> str:
    """The same blocks, as the SPA renders them, written out by hand with the built stylesheet."""
    css = "".join(
        f'<link rel="stylesheet" href="/assets/{p.name}">' for p in sorted((DIST / "assets").glob("*.css"))
    )
    items = []
    for b in diary(blocks)["blocks"]:
        e = html.escape
        items.append(
            f'<li class="block"><h3><button type="button" class="block-seek"><time>{b["start"]:.0f}</time>'
            f'<span>{e(b["title"])}</span></button></h3><p class="summary">{e(b["activity"])}</p>'
            f"<dl><dt>Participants</dt><dd>{', '.join(b['participants'])}</dd><dt>Where</dt><dd>{e(b['location'])}</dd>"
            f'<dt>Seen</dt><dd>{e(b["visual_summary"])}</dd></dl><h4>Action items</h4><ul class="actions">'
            f"<li>{e(b['action_items'][0]['text'])}</li></ul></li>"
        )
    lines = "".join(
        f'<li><button type="button" class="line"><time>{t["start"]:.0f}</time><span>{html.escape(t["text"])}</span></button></li>'
        for b in diary(blocks)["blocks"]
        for t in b["transcript"]
    )
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>static</title>{css}</head><body>'
        f'<main><h1>{DAY}</h1><div class="video-view"><div class="stage"><div class="player empty">video</div>'
        f'<ol class="transcript">{lines}</ol></div><ol class="blocks">{"".join(items)}</ol></div></main></body></html>'
    )


def serve(routes: dict[str, tuple[str, str]]) -> tuple[ThreadingHTTPServer, str]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            path = self.path.split("?")[0]
            if path in routes:
                body, kind = routes[path][0].encode(), routes[path][1]
            elif path.startswith("/api/"):
                body, kind = b'{"error":"not_found","message":"bench"}', "application/json"
            else:
                file = DIST / path.lstrip("/")
                if not file.is_file():
                    file = DIST / "index.html"  # SPA fallback, as `lifestream serve` answers
                body, kind = (
                    file.read_bytes(),
                    mimetypes.guess_type(file.name)[0] or "application/octet-stream",
                )
            self.send_response(404 if path.startswith("/api/") and path not in routes else 200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            try:
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the page was closed once it had drawn (the player's media request, for one)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def measure(browser, url: str, blocks: int) -> float:
    # A fresh context each time: no cache, no warm connections carried from the previous page.
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.add_init_script(WATCH % blocks)
    page.goto(url)
    page.wait_for_function("() => window.__rendered != null", timeout=30_000)
    took = page.evaluate("() => window.__rendered")
    context.close()
    return float(took)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--blocks", type=int, default=50)
    parser.add_argument("--build", action="store_true", help="npm run build in web/ first")
    args = parser.parse_args()
    if args.build:
        subprocess.run(["npm", "run", "build"], cwd=ROOT / "web", check=True)
    raw, packed = js_gzip_kb()
    print(
        f"JavaScript: {raw:.1f} kB raw, {packed:.1f} kB gzipped (target ≤ 150) -> {'ok' if packed <= 150 else 'OVER'}"
    )

    from playwright.sync_api import sync_playwright

    routes = api_answers(args.blocks)
    routes["/static.html"] = (static_page(args.blocks), "text/html")
    server, origin = serve(routes)
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-dev-shm-usage"], headless=True
        )
        try:
            # One warm-up each: the first page of a fresh browser pays its own start-up.
            measure(browser, f"{origin}/static.html", args.blocks)
            measure(browser, f"{origin}/day/{DAY}", args.blocks)
            spa, static = [], []
            for _ in range(args.runs):
                static.append(measure(browser, f"{origin}/static.html", args.blocks))
                spa.append(measure(browser, f"{origin}/day/{DAY}", args.blocks))
        finally:
            browser.close()
            server.shutdown()
    s_med, p_med = statistics.median(static), statistics.median(spa)
    print(f"day view, {args.blocks} blocks, first render (median of {args.runs}):")
    print(f"  static HTML  {s_med:7.1f} ms  (min {min(static):.1f}, max {max(static):.1f})")
    print(f"  web app      {p_med:7.1f} ms  (min {min(spa):.1f}, max {max(spa):.1f})")
    print(f"  ratio        {p_med / s_med:7.2f}x")


if __name__ == "__main__":
    main()
