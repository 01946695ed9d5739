"""One `lifestream serve` (the built web app + API, a real uvicorn subprocess) and one `lifestream worker`
over a local cloud on the session's moto server and a real PostgreSQL, plus one headless Debian
Chromium driven by Playwright, shared by the module's tests. Console errors and serious accessibility
findings (axe-core injected into the page) fail the test that caused them."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from lifestream.core.constants import LOCAL_ACCOUNT, ResourceNames
from lifestream.jobs import JobStore
from lifestream.local import cloud as local_cloud
from tests.support.postgres import free_port

ROOT = Path(__file__).resolve().parents[2]
WEB = ROOT / "web"
DIST = WEB / "dist"
AXE = WEB / "node_modules" / "axe-core" / "axe.min.js"
SHOTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM = os.environ.get("LIFESTREAM_CHROMIUM", "/usr/bin/chromium")
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


def _ensure_build() -> None:
    if (DIST / "index.html").is_file() and AXE.is_file():
        return
    if not (WEB / "node_modules").is_dir():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=WEB, check=True)
    subprocess.run(["npm", "run", "build"], cwd=WEB, check=True)


def _wait_http(url: str, proc: subprocess.Popen, log: Path, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            httpx.get(url, timeout=2)
            return
        except httpx.TransportError:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"{url} never answered:\n{log.read_text()[-4000:]}") from None
            time.sleep(0.2)


@dataclass
class Site:
    url: str
    env: dict
    logs: Path
    browser: object
    console_errors: list[str] = field(default_factory=list)

    def new_page(self):
        page = self.browser.new_page(viewport=DESKTOP)
        page.set_default_timeout(20_000)

        def on_console(msg):
            if msg.type == "error":
                self.console_errors.append(f"{page.url}: {msg.text}")

        page.on("console", on_console)
        page.on("pageerror", lambda exc: self.console_errors.append(f"{page.url}: {exc}"))
        return page

    def api(self, path: str, **kw):
        return httpx.get(f"{self.url}{path}", timeout=20, **kw)

    def videos(self) -> list[dict]:
        return self.api("/api/videos", params={"limit": 200}).json()["items"]

    def delete_videos(self, *, keep: str | None = None) -> None:
        """Every video of the library but `keep` forgotten, through the API."""
        for video in self.videos():
            if video["video_id"] != keep:
                gone = httpx.delete(f"{self.url}/api/videos/{video['video_id']}", timeout=60)
                assert gone.status_code in (200, 404), gone.text

    def upload(self, video: Path, subtitles: Path) -> dict:
        """The upload page's flow without the page: a ticket per file, the subtitles first (the worker
        reads them when the video's arrival starts the job), each POSTed straight to the bucket. Returns
        the video once its job is over, whichever way it ended."""
        ticket = self._ticket(video, "video/mp4")
        self._send(self._ticket(subtitles, "text/vtt", beside=ticket["key"]), subtitles)
        self._send(ticket, video)
        deadline = time.monotonic() + 150
        while time.monotonic() < deadline:
            ours = [v for v in self.videos() if v["title"] == video.name]
            if ours and ours[0]["status"] in ("completed", "failed"):
                return ours[0]
            time.sleep(0.5)
        worker_log = (self.logs / "worker.log").read_text()[-4000:]
        raise AssertionError(f"{video.name} was not processed in time:\n{worker_log}")

    def _ticket(self, path: Path, content_type: str, *, beside: str | None = None) -> dict:
        body = {"filename": path.name, "size": path.stat().st_size, "content_type": content_type}
        ticket = httpx.post(f"{self.url}/api/uploads", json={**body, "beside": beside}, timeout=20)
        assert ticket.status_code == 201, ticket.text
        return ticket.json()

    @staticmethod
    def _send(ticket: dict, path: Path) -> None:
        files = {"file": (path.name, path.read_bytes())}
        sent = httpx.post(ticket["url"], data=ticket["fields"], files=files, timeout=60)
        assert sent.status_code in (200, 204), sent.text


@contextmanager
def running_site(moto_endpoint, postgres_server, tmp: Path, **settings: str) -> Iterator[Site]:
    """`lifestream serve` and `lifestream worker` over a fresh local cloud, with extra LIFESTREAM_*
    `settings`, and a headless Chromium."""
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).is_file(), (
        f"Debian's chromium is needed at {CHROMIUM} (scripts/setup.sh installs it)"
    )
    _ensure_build()
    names = ResourceNames(env=f"w{uuid.uuid4().hex[:10]}", account=LOCAL_ACCOUNT)
    resources = local_cloud.provision(moto_endpoint, names=names, visibility_timeout=120)
    database = postgres_server.create_database(f"web_{uuid.uuid4().hex[:10]}")
    JobStore(database).migrate()
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p),
        "LIFESTREAM_ENV": names.env,
        "LIFESTREAM_DATA_DIR": str(tmp / "data"),
        "LIFESTREAM_AWS_ENDPOINT_URL": resources.endpoint_url,
        "LIFESTREAM_BUCKET": resources.bucket,
        "LIFESTREAM_QUEUE_URL": resources.queue_url,
        "LIFESTREAM_DLQ_URL": resources.dlq_url,
        "LIFESTREAM_DATABASE_URL": database,
        "LIFESTREAM_FAISS_DIR": str(tmp / "faiss"),
        "LIFESTREAM_TRANSCRIBER": "subtitles",
        "LIFESTREAM_SUMMARIZER": "extractive",
        "LIFESTREAM_DIARIZER": "none",
        "LIFESTREAM_OCR": "none",
        "LIFESTREAM_BLOCK_MAX_SECONDS": "4",
        "LIFESTREAM_TIMEZONE": "UTC",
        "OMP_NUM_THREADS": "1",
        **settings,
    }
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    logs = tmp / "logs"
    logs.mkdir()
    procs = []
    try:
        with open(logs / "serve.log", "wb") as out:
            serve = subprocess.Popen(
                [sys.executable, "-m", "lifestream", "serve", "--port", str(port), "--web-dir", str(DIST)],
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        procs.append(serve)
        with open(logs / "worker.log", "wb") as out:
            worker = subprocess.Popen(
                [sys.executable, "-m", "lifestream", "worker", "--function-timeout", "120"],
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        procs.append(worker)
        _wait_http(f"{url}/api/health", serve, logs / "serve.log")
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=CHROMIUM, args=["--no-sandbox", "--disable-dev-shm-usage"], headless=True
            )
            try:
                yield Site(url=url, env=env, logs=logs, browser=browser)
            finally:
                browser.close()
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()


@pytest.fixture(scope="module")
def site(moto_endpoint, postgres_server, tmp_path_factory):
    with running_site(moto_endpoint, postgres_server, tmp_path_factory.mktemp("web")) as running:
        yield running


def check_accessibility(page) -> None:
    """axe-core in the page: no serious or critical violation. Injected through the DevTools protocol
    (a script tag would be refused by the page's own CSP, which is the point of having one)."""
    page.evaluate(AXE.read_text())
    result = page.evaluate("() => axe.run(document, { resultTypes: ['violations'] })")
    bad = [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert not bad, "accessibility violations:\n" + "\n".join(bad)


def screenshots(page, name: str) -> None:
    """The page at desktop and phone width, into test-artifacts/screenshots/ (not committed)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size(DESKTOP)
    page.screenshot(path=str(SHOTS / f"{name}-desktop.png"), full_page=True)
    page.set_viewport_size(PHONE)
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    page.screenshot(path=str(SHOTS / f"{name}-phone.png"), full_page=True)
    check_accessibility(page)
    page.set_viewport_size(DESKTOP)
