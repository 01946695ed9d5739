"""Other web pages against `lifestream serve` without sign-in, in a real browser (Debian's Chromium):

- **DNS rebinding**: a page loaded from the attacker's `rebind.test`, whose name then resolves to
  127.0.0.1 (Chromium's --host-resolver-rules), is same-origin with the server as far as the browser
  knows. It must read nothing and delete nothing.
- **Another loopback origin**: a page served from 127.0.0.2 (another site to the browser) sends what a
  page may send without CORS (a no-cors POST, a `<video>`, a CORS fetch). Each reaches the server and
  must be refused there, not only left unreadable by the browser.

Local Network Access checks (Chromium only) are turned off: Firefox and Safari have none, so the server
must not lean on them."""

from __future__ import annotations

import http.server
import os
import re
import subprocess
import sys
import threading
from pathlib import Path

import httpx
import pytest

from tests.support.postgres import free_port
from tests.web.conftest import CHROMIUM, _wait_http

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
NO_LNA = "--disable-features=LocalNetworkAccessChecks,PrivateNetworkAccessRespectPreflightResults"

# What the rebound page's script does once its name points at the victim: it is "same-origin" now.
REBOUND_SCRIPT = """async () => {
  const out = {};
  const list = await fetch('/api/videos').catch(e => null);
  out.list = list ? [list.status, await list.text()] : null;
  const del = await fetch('/api/videos/walk-1', {method: 'DELETE'}).catch(e => null);
  out.del = del ? del.status : null;
  return out;
}"""

OTHER_ORIGIN_PAGE = """<!doctype html><html><body><script>
const api = %(api)r;
window.done = (async () => {
  await fetch(api + '/api/ask', {method: 'POST', mode: 'no-cors',
    headers: {'Content-Type': 'text/plain'},
    body: JSON.stringify({question: 'what did I say?'})}).catch(() => 0);
  await fetch(api + '/api/videos').catch(() => 0);
  await new Promise(done => {
    const v = document.createElement('video');
    v.onerror = v.onloadedmetadata = done;
    v.src = api + '/api/videos/walk-1/media/file';
    document.body.append(v);
  });
  return true;
})();
</script></body></html>"""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """`lifestream serve` in local mode over an empty library (no cloud: nothing here needs one)."""
    tmp = tmp_path_factory.mktemp("guard")
    port = free_port()
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p),
        "LIFESTREAM_DATA_DIR": str(tmp / "data"),
        "LIFESTREAM_AUTH": "none",
    }
    log = tmp / "serve.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "lifestream", "serve", "--port", str(port), "--web-dir", str(tmp)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_http(f"http://127.0.0.1:{port}/api/health", proc, log)
        yield port, log
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="module")
def other_origin(server):
    """A page served by a second web server on 127.0.0.2 (another site for the browser)."""
    port, _ = server
    page = (OTHER_ORIGIN_PAGE % {"api": f"http://127.0.0.1:{port}"}).encode()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the stdlib's name
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.2", free_port()), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.2:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()


def _browser(p, *args):
    assert Path(CHROMIUM).is_file(), f"Debian's chromium is needed at {CHROMIUM} (setup.sh installs it)"
    flags = ["--no-sandbox", "--disable-dev-shm-usage", NO_LNA, *args]
    return p.chromium.launch(executable_path=CHROMIUM, args=flags, headless=True)


def test_a_rebound_page_reads_and_deletes_nothing(server):
    from playwright.sync_api import sync_playwright

    port, _ = server
    origin = f"http://rebind.test:{port}"
    with sync_playwright() as p:
        browser = _browser(p, "--host-resolver-rules=MAP rebind.test 127.0.0.1")
        try:
            page = browser.new_page()
            # GIVEN the attacker's page, first served by the attacker (once), then the name re-pointed.
            page.route(
                f"{origin}/",
                lambda route: route.fulfill(status=200, content_type="text/html", body="<p>cute cats</p>"),
                times=1,
            )
            page.goto(f"{origin}/")
            # WHEN its script calls the API by its own, now loopback, name
            result = page.evaluate(REBOUND_SCRIPT)
        finally:
            browser.close()
    # THEN the server refused to answer a name that is not its own
    assert result["list"] is not None and result["list"][0] == 400, result
    assert "items" not in result["list"][1] and "invalid_host" in result["list"][1]
    assert result["del"] == 400, result


def test_a_page_of_another_origin_is_refused_by_the_server(server, other_origin):
    from playwright.sync_api import sync_playwright

    port, log = server
    before = log.read_text()
    with sync_playwright() as p:
        browser = _browser(p)
        try:
            page = browser.new_page()
            page.goto(other_origin)
            page.evaluate("() => window.done")
        finally:
            browser.close()
    # What the server answered, from its access log (the page itself is not allowed to know).
    seen = re.findall(r'"(GET|POST) (/api/\S+) HTTP/1.1" (\d{3})', log.read_text()[len(before) :])
    # Each request the page could make reached the server (a browser alone would not have saved us) ...
    assert {(m, path) for m, path, _ in seen} >= {
        ("POST", "/api/ask"),
        ("GET", "/api/videos"),
        ("GET", "/api/videos/walk-1/media/file"),
    }, seen
    # ... and the server refused every one: nothing was asked, read or probed.
    assert all(status == "403" for _, _, status in seen), seen
    assert httpx.get(f"http://127.0.0.1:{port}/api/videos", timeout=5).status_code == 200
