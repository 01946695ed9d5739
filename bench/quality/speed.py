"""The whole offline pipeline's speed on a generated talk video (`bench/quality/run.py --speed`): wall and
CPU seconds, per stage, as ratios to real time, with the peak RSS and the local model's calls and tokens."""

from __future__ import annotations

import os
import resource
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import recordings

class _PeakRSS:
    def __init__(self) -> None:
        import psutil

        self.proc, self.peak, self._stop = psutil.Process(), 0, threading.Event()

    def __enter__(self):
        def loop():
            while not self._stop.is_set():
                self.peak = max(self.peak, self.proc.memory_info().rss)
                self._stop.wait(0.05)

        self._thread = threading.Thread(target=loop, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def _cpu_seconds() -> float:
    """CPU seconds of this process and its waited-for children (ffmpeg): on 2 cores shared by several
    people the wall clock says as much about the neighbours as about us; CPU time does not."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def speed(minutes: float, overrides: dict[str, Any]) -> dict[str, Any]:
    """The whole offline pipeline on a generated talk video: wall and CPU seconds, in total and per stage
    (the time since the previous progress report goes to the stage that reports, which did the work), as
    ratios to the audio's duration, with the peak RSS and the local model's token counts."""
    from lifestream.core.settings import load_settings
    from lifestream.memory.video_index import VideoIndex
    from lifestream.understand.pipeline import process_video
    from tests.support.media import MediaFactory

    video = MediaFactory(root=recordings.CACHE / "speed").long_talk_video(minutes, size="1280x720")
    stages: dict[str, list[float]] = {}
    last = [time.perf_counter(), _cpu_seconds()]

    def progress(stage: str, _share: float) -> None:
        now, cpu = time.perf_counter(), _cpu_seconds()
        spent = stages.setdefault(stage, [0.0, 0.0])
        spent[0] += now - last[0]
        spent[1] += cpu - last[1]
        last[:] = [now, cpu]

    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings(
            data_dir=Path(tmp) / "data", faiss_dir=Path(tmp) / "index", transcriber="local", **overrides
        )
        llm_before = _llm_usage()
        with _PeakRSS() as rss:
            t0, c0 = time.perf_counter(), _cpu_seconds()
            last[:] = [t0, c0]
            result = process_video(
                video,
                settings=settings,
                video_id="speed",
                output_dir=Path(tmp) / "out",
                on_progress=progress,
                index=VideoIndex.from_settings(settings),
            )
            wall, cpu = time.perf_counter() - t0, _cpu_seconds() - c0
        llm_after = _llm_usage()
    d = result.duration
    return {
        "seconds": wall,
        "cpu seconds": cpu,
        "ratio": wall / d,
        "cpu ratio": cpu / d,
        "summarize ratio": stages.get("summarize", [0.0, 0.0])[0] / d,
        "summarize cpu ratio": stages.get("summarize", [0.0, 0.0])[1] / d,
        "stages": {k: {"wall": w, "cpu": c, "wall ratio": w / d, "cpu ratio": c / d} for k, (w, c) in stages.items()},
        "peak RSS MB": rss.peak / 2**20,
        "duration": d,
        "summarizer": result.summary.summarizer,
        "llm": {k: llm_after[k] - llm_before.get(k, 0) for k in llm_after},
        "blocks": len(result.summary.blocks),
        "chunks": result.chunk_count,
        "load": os.getloadavg()[0],
    }


def _llm_usage() -> dict[str, float]:
    """The loaded local model's running totals (empty when none is loaded)."""
    from lifestream.core import local_llm

    totals: dict[str, float] = {}
    for llm in local_llm._loaded.values():
        u = llm.usage
        totals = {"requests": u.requests, "prompt tokens": u.prompt_tokens,
                  "completion tokens": u.completion_tokens, "seconds": u.seconds}  # fmt: skip
    return totals


def speed_line(figures: dict[str, Any]) -> str:
    stages = ", ".join(
        f"{k} {v['wall ratio']:.3f}/{v['cpu ratio']:.3f}" for k, v in figures["stages"].items() if v["wall"] >= 0.5
    )
    llm = figures["llm"]
    model = (
        f"; model: {llm['requests']:.0f} calls, {llm['prompt tokens']:.0f} prompt / {llm['completion tokens']:.0f} "
        f"completion tokens, {llm['seconds']:.1f} s"
        if llm.get("requests")
        else ""
    )
    return (
        f"summarizer {figures['summarizer']}, {figures['duration']:.0f} s talk (1280x720), {figures['blocks']} blocks: "
        f"wall {figures['seconds']:.1f} s = {figures['ratio']:.3f}×, CPU {figures['cpu seconds']:.1f} s = "
        f"{figures['cpu ratio']:.3f}× (process + children); summary stage {figures['summarize ratio']:.3f}× wall, "
        f"{figures['summarize cpu ratio']:.3f}× CPU; per stage wall/CPU ×: {stages}; peak RSS "
        f"{figures['peak RSS MB']:.0f} MB; load average {figures['load']:.1f}{model}"
    )
