"""Real-time factor of each pipeline stage on a generated talk video (default: 10 minutes, 720p30, speech).

    .venv/bin/python bench/bench_pipeline.py [--minutes 10] [--size 1280x720] [--no-index] [--write]

Targets on a 2-core machine: every stage except transcription <= 0.01x real time; local transcription
(Whisper base, int8) <= 0.15x. Peak RSS is sampled during each stage. `--write` replaces the "Pipeline"
section of bench/RESULTS.md with the table printed here. The video is generated once and cached.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import psutil  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

from lifestream.core.settings import load_settings  # noqa: E402
from lifestream.media.audio import extract_audio  # noqa: E402
from lifestream.media.probe import probe  # noqa: E402
from lifestream.media.scenes import detect_scenes  # noqa: E402
from lifestream.understand.blocks import make_blocks  # noqa: E402
from lifestream.understand.chunking import build_chunks  # noqa: E402
from lifestream.understand.diary import Diary, DiaryBlock, render_markdown  # noqa: E402
from lifestream.understand.summarize import Evidence, reliability, summarize_block_extractive  # noqa: E402
from lifestream.understand.transcribe import make_engine, transcribe_audio  # noqa: E402
from lifestream.understand.vision import scene_timeline  # noqa: E402
from tests.support.media import MediaFactory  # noqa: E402

TARGET_OTHER = 0.01
TARGET_TRANSCRIBE = 0.15
console = Console()


class PeakRSS:
    """Samples this process's RSS every 20 ms while a stage runs."""

    def __init__(self) -> None:
        self.proc = psutil.Process()
        self.peak = 0
        self._stop = threading.Event()

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self.proc.memory_info().rss)
            self._stop.wait(0.02)

    @contextmanager
    def watch(self):
        self.peak = self.proc.memory_info().rss
        self._stop.clear()
        thread = threading.Thread(target=self._loop, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self._stop.set()
            thread.join()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--size", default="1280x720")
    parser.add_argument(
        "--cache",
        type=Path,
        default=Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "lifestream" / "bench",
    )
    parser.add_argument("--no-index", action="store_true")
    parser.add_argument(
        "--write", action="store_true", help="update the Pipeline section of bench/RESULTS.md"
    )
    args = parser.parse_args()

    factory = MediaFactory(args.cache)
    started = time.perf_counter()
    with console.status(f"generating a {args.minutes:g}-minute {args.size} talk video (cached)…"):
        video = factory.long_talk_video(args.minutes, size=args.size)
    console.print(
        f"video: {video} ({video.stat().st_size / 1e6:.0f} MB, ready in {time.perf_counter() - started:.1f} s)"
    )

    work = Path(tempfile.mkdtemp(prefix="lifestream-bench-"))
    settings = load_settings(data_dir=work / "data", faiss_dir=work / "index")
    rows: list[tuple[str, float, int, str]] = []
    rss = PeakRSS()

    def stage(name: str, fn):
        with rss.watch():
            t0 = time.perf_counter()
            value = fn()
            elapsed = time.perf_counter() - t0
        rows.append((name, elapsed, rss.peak, ""))
        console.print(f"  {name:<11} {elapsed:7.2f} s  peak RSS {rss.peak / 2**20:6.0f} MB")
        return value

    info = stage("probe", lambda: probe(video, uploaded_at=datetime.now(UTC)))
    scenes = stage("scenes", lambda: detect_scenes(video, work / "keyframes", duration=info.duration))
    track = stage("audio", lambda: extract_audio(video, work / "audio.wav"))
    engine = stage("model load", lambda: make_engine("local", settings))
    transcript = stage("transcribe", lambda: transcribe_audio(track, engine, window_seconds=60, overlap=0))
    blocks = stage(
        "blocks",
        lambda: make_blocks(
            info.duration, scenes, transcript.segments, max_seconds=settings.block_max_seconds
        ),
    )

    def summarize_all():
        out = []
        for b in blocks:
            s = summarize_block_extractive(
                b.segments,
                visual_summary=scene_timeline([scenes[i] for i in b.scene_indices]),
                scene_count=len(b.scene_indices),
            )
            ev = Evidence(
                transcript_source="local",
                segments=len(b.segments),
                speech_seconds=b.speech_seconds,
                block_seconds=b.length,
                keyframes=len(b.scene_indices),
                images_described=False,
                has_audio=True,
            )
            out.append(DiaryBlock.of(b, s, source_reliability=reliability(ev)))
        return out

    diary_blocks = stage("summarize", summarize_all)
    summary = Diary(
        date=info.recorded_at.date().isoformat(),
        video_id="bench",
        recorded_at=info.recorded_at,
        recorded_at_is_fallback=info.recorded_at_is_fallback,
        duration=info.duration,
        transcriber="local",
        summarizer="extractive",
        vision="timeline",
        blocks=diary_blocks,
    )
    stage("diary", lambda: (work / "summary.md").write_text(render_markdown(summary)))
    chunks = stage("chunk", lambda: build_chunks(summary))
    if not args.no_index:
        from lifestream.memory.embeddings import make_embedder
        from lifestream.memory.vectors import make_vector_store
        from lifestream.memory.video_index import VideoIndex

        embedder = stage("embed load", lambda: make_embedder(settings))
        index = VideoIndex(make_vector_store(settings, embedder), embedder)
        stage("index", lambda: index.index("bench", chunks))

    duration = info.duration
    table = Table(
        title=f"Pipeline stages on {args.minutes:g} min {args.size} ({duration:.0f} s, {len(scenes)} scenes, "
        f"{len(transcript.segments)} segments, {len(chunks)} chunks, {os.cpu_count()} cores)"
    )
    for col in ("stage", "seconds", "× real time", "target", "peak RSS MB", "ok"):
        table.add_column(col, justify="right" if col != "stage" else "left")
    lines = ["| stage | seconds | × real time | target | peak RSS MB | ok |", "|---|---|---|---|---|---|"]
    for name, elapsed, peak, _ in rows:
        rtf = elapsed / duration
        if name in ("model load", "embed load"):
            target = "one-off"
            ok = "–"
        else:
            limit = TARGET_TRANSCRIBE if name == "transcribe" else TARGET_OTHER
            target = f"≤ {limit:g}×"
            ok = "yes" if rtf <= limit else "NO"
        cells = (name, f"{elapsed:.2f}", f"{rtf:.4f}", target, f"{peak / 2**20:.0f}", ok)
        table.add_row(*cells)
        lines.append("| " + " | ".join(cells) + " |")
    seconds = {n: e for n, e, _, _ in rows}
    non_transcribe = sum(e for n, e in seconds.items() if n not in ("transcribe", "model load", "embed load"))
    media_text = non_transcribe - seconds.get("index", 0.0)
    summary_line = (
        f"All stages except transcription: {non_transcribe:.2f} s = {non_transcribe / duration:.4f}× real time "
        f"(without the embedding/index step: {media_text:.2f} s = {media_text / duration:.4f}×); "
        f"transcription {seconds['transcribe'] / duration:.3f}×."
    )
    console.print(table)
    console.print(summary_line)

    if args.write:
        heard = " ".join(s.text for s in transcript.segments[:3])
        section = "\n".join(
            [
                "## Pipeline",
                "",
                f"`bench/bench_pipeline.py --minutes {args.minutes:g} --size {args.size}` on {datetime.now(UTC):%Y-%m-%d}, "
                f"{os.cpu_count()} cores: {duration:.0f} s video ({video.stat().st_size / 1e6:.0f} MB, "
                f"{len(scenes)} scenes), {len(transcript.segments)} transcript segments, {len(chunks)} chunks. "
                "Peak RSS is the whole process (sampled every 20 ms during the stage). "
                f"Load average at the end: {os.getloadavg()[0]:.1f} (other jobs shared the 2 cores).",
                "",
                *lines,
                "",
                summary_line,
                f"First words heard: “{heard[:160]}”.",
                "",
            ]
        )
        write_section(ROOT / "bench" / "RESULTS.md", "## Pipeline", section)
        console.print("bench/RESULTS.md updated")


def write_section(path: Path, heading: str, section: str) -> None:
    """Replace `heading`'s section (up to the next `## `) or append it; other sections are left alone."""
    text = path.read_text() if path.exists() else "# Benchmark results\n"
    lines = text.splitlines()
    if heading in lines:
        start = lines.index(heading)
        end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
        lines[start:end] = section.rstrip("\n").splitlines() + [""]
        text = "\n".join(lines).rstrip("\n") + "\n"
    else:
        text = text.rstrip("\n") + "\n\n" + section
    path.write_text(text)


if __name__ == "__main__":
    main()
