#!/usr/bin/env python3
"""Worker benchmarks on this machine, through the real path: local cloud (moto server) → S3 notification →
SQS → local event-source loop → Lambda handler → pipeline → FAISS + job store.

    .venv/bin/python bench/bench_worker.py                 # all three, results appended to bench/RESULTS.md
    .venv/bin/python bench/bench_worker.py --clips 4 --no-write

1. latency: upload of a ~20 s clip with speech → job completed and its words searchable (target <= 10 s),
   with local Whisper transcription (the default when no subtitles) and with a sidecar .srt;
2. throughput: N distinct clips uploaded at once, one worker (clips per minute);
3. cold import of the handler: `python -X importtime -c "import worker"` with lambda_src on sys.path
   (target <= 1.5 s; nothing heavy such as torch/onnxruntime/faiss may load at import).
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from rich.console import Console
from rich.table import Table

console = Console()
LATENCY_TARGET = 10.0
IMPORT_TARGET = 1.5
HEAVY_MODULES = (
    "torch",
    "onnxruntime",
    "faiss",
    "faster_whisper",
    "ctranslate2",
    "sentence_transformers",
    "av",
)


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class BackgroundWorker:
    """The local worker polling in a thread, as `lifestream worker` does."""

    def __init__(self, settings) -> None:
        from lifestream.local.worker import LocalWorker
        from lifestream.worker import get_runtime

        self.worker = LocalWorker(settings, wait_seconds=1, function_timeout=900)
        get_runtime().warm()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.worker.run(once=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=30)


def wait_completed(store, keys: list[str], timeout: float = 600) -> dict[str, float]:
    """Poll the job store until every key's job completed; returns key → completion time."""
    done: dict[str, float] = {}
    deadline = time.monotonic() + timeout
    while len(done) < len(keys) and time.monotonic() < deadline:
        for job in store.list_jobs(limit=500):
            if job.key in keys and job.key not in done:
                if job.status == "completed":
                    done[job.key] = time.monotonic()
                elif job.status == "failed":
                    raise RuntimeError(f"{job.key} failed: {job.error}")
        time.sleep(0.05)
    if len(done) < len(keys):
        raise TimeoutError(f"only {len(done)}/{len(keys)} jobs completed")
    return done


def bench_pipeline_path(clips: int, workdir: Path) -> tuple[list[dict], dict]:
    from lifestream.core.settings import load_settings
    from lifestream.jobs import JobStore
    from lifestream.local import cloud as local_cloud
    from lifestream.local.uploads import upload_videos
    from lifestream.media.sample_media import DEMO_LINES, make_sample_video
    from lifestream.memory.search import semantic_search
    from lifestream.memory.search_filters import SearchFilters
    from lifestream.worker import get_runtime

    base = load_settings(data_dir=workdir / "data", summarizer="extractive")
    state = workdir / "cloud"
    cloud, _ = local_cloud.up(state, port=free_port())
    rows: list[dict] = []
    try:
        settings = local_cloud.settings_for(base, cloud.resources)
        jobs = JobStore.from_settings(settings)
        media = workdir / "media"
        twenty = DEMO_LINES[:3]  # ~16 s of speech, padded to 20 s
        clip = make_sample_video(media / "clip20.mp4", lines=twenty, min_seconds=20.0)
        # Each latency clip has different bytes (recording time), so each is a new job.
        variants = {
            "local whisper": make_sample_video(
                media / "whisper.mp4", lines=twenty, min_seconds=20.0, recorded_at="2026-05-03T08:00:00Z"
            ),
            "sidecar .srt": make_sample_video(
                media / "subs.mp4", lines=twenty, min_seconds=20.0, recorded_at="2026-05-04T08:00:00Z"
            ),
        }
        with BackgroundWorker(settings):
            # Warm-up: the first job loads the speech model once per process (a warm Lambda keeps it).
            upload_videos(settings, [clip.path], folder="warmup", sidecars=False)
            wait_completed(jobs, ["uploads/warmup/clip20.mp4"])
            for label, sample in variants.items():
                key = f"uploads/latency/{sample.path.name}"
                started = time.monotonic()
                upload_videos(settings, [sample.path], folder="latency", sidecars=label == "sidecar .srt")
                finished = wait_completed(jobs, [key])[key]
                job = next(j for j in jobs.list_jobs() if j.key == key)
                runtime = get_runtime()
                hits = semantic_search(
                    "buy compost and a watering can",
                    store=runtime.store,
                    embedder=runtime.embedder,
                    top_k=3,
                    filters=SearchFilters(video_id=job.video_id),
                )
                rows.append(
                    {
                        "case": f"latency, {sample.duration:.0f} s clip, {label}",
                        "seconds": finished - started,
                        "target": f"<= {LATENCY_TARGET:.0f} s",
                        "ok": (finished - started) <= LATENCY_TARGET and bool(hits),
                        "note": f"searchable: {'yes' if hits else 'NO'}",
                    }
                )

            # Throughput: distinct clips (different recording times → different bytes → different jobs).
            batch = []
            for i in range(clips):
                lines = DEMO_LINES[i % len(DEMO_LINES) :] + DEMO_LINES[: i % len(DEMO_LINES)]
                batch.append(
                    make_sample_video(
                        media / f"batch{i:02d}.mp4", lines=lines, recorded_at=f"2026-06-{i + 1:02d}T10:00:00Z"
                    ).path
                )
            keys = [f"uploads/batch/{p.name}" for p in batch]
            started = time.monotonic()
            upload_videos(settings, batch, folder="batch", sidecars=False)
            finished = wait_completed(jobs, keys)
            total = max(finished.values()) - started
            rows.append(
                {
                    "case": f"throughput, {clips} clips of ~22 s, 1 worker, local whisper",
                    "seconds": total,
                    "target": "–",
                    "ok": None,
                    "note": f"{clips / total * 60:.1f} clips/min, {total / clips:.2f} s per clip",
                }
            )
    finally:
        local_cloud.down(state)
    return rows, {}


def bench_import() -> dict:
    code = "import worker"
    env = {**os.environ, "PYTHONPATH": f"{ROOT / 'lambda_src'}{os.pathsep}{ROOT}"}
    best = None
    heavy: set[str] = set()
    for _ in range(3):
        started = time.monotonic()
        out = subprocess.run(
            [sys.executable, "-X", "importtime", "-c", code],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        wall = time.monotonic() - started
        cumulative = 0
        for line in out.stderr.splitlines():
            m = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|(\s*)(\S+)", line)
            if m:
                name = m.group(4)
                if name == "worker" and not m.group(3).strip(" "):
                    cumulative = int(m.group(2))
                if name.split(".")[0] in HEAVY_MODULES:
                    heavy.add(name.split(".")[0])
        best = min(best or (wall, cumulative), (wall, cumulative))
    wall, cumulative = best
    return {
        "case": "handler cold import (`import worker`), best of 3",
        "seconds": cumulative / 1e6,
        "target": f"<= {IMPORT_TARGET} s",
        "ok": cumulative / 1e6 <= IMPORT_TARGET and not heavy,
        "note": f"process wall {wall:.2f} s; heavy modules loaded: {', '.join(sorted(heavy)) or 'none'}",
    }


def write_section(path: Path, section: str) -> None:
    """Replace the '## Worker' section (up to the next '## ' heading) or append it: re-runs do not pile up."""
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmark results\n"
    pattern = re.compile(r"^## Worker\n.*?(?=^## |\Z)", re.DOTALL | re.MULTILINE)
    if pattern.search(text):
        text = pattern.sub(lambda _: section + "\n", text, count=1)
    else:
        text = text.rstrip("\n") + "\n\n" + section
    path.write_text(text.rstrip("\n") + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clips", type=int, default=10)
    parser.add_argument("--no-write", action="store_true", help="do not append to bench/RESULTS.md")
    args = parser.parse_args()

    from lifestream.worker.log import logger

    logger.setLevel("WARNING")
    rows = [bench_import()]
    with (
        tempfile.TemporaryDirectory(prefix="lifestream-bench-") as tmp,
        console.status("running the worker benchmarks…"),
    ):
        path_rows, _ = bench_pipeline_path(args.clips, Path(tmp))
    rows += path_rows

    table = Table(title="Worker")
    for col in ("case", "seconds", "target", "ok", "note"):
        table.add_column(col)
    for r in rows:
        ok = "–" if r["ok"] is None else ("yes" if r["ok"] else "NO")
        table.add_row(r["case"], f"{r['seconds']:.2f}", r["target"], ok, r["note"])
    console.print(table)

    if not args.no_write:
        lines = [
            "",
            "## Worker",
            "",
            (
                f"`bench/bench_worker.py --clips {args.clips}` on {date.today().isoformat()}, {os.cpu_count()} "
                "cores: moto server over HTTP, SQLite job store, FAISS, local Whisper (base, int8) unless noted, "
                "extractive summaries. Latency = upload start → job completed (index is the last pipeline step), "
                "with a warm worker."
            ),
            "",
            "| case | seconds | target | ok | note |",
            "|---|---|---|---|---|",
        ]
        for r in rows:
            ok = "–" if r["ok"] is None else ("yes" if r["ok"] else "NO")
            lines.append(f"| {r['case']} | {r['seconds']:.2f} | {r['target']} | {ok} | {r['note']} |")
        write_section(ROOT / "bench" / "RESULTS.md", "\n".join(lines).strip() + "\n")
        console.print("bench/RESULTS.md: Worker section written")


if __name__ == "__main__":
    main()
