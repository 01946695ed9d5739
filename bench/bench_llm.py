"""The local LLM stage alone: block summaries (focused prompts vs one prompt for everything) and one answer,
on the demo video and on a real recorded phone call.

    .venv/bin/python bench/bench_llm.py [--model PATH|owner/repo/file.gguf] [--threads N] [--runs 1]

Recordings (transcripts as the LLM stage receives them; the stage is measured alone, so no Whisper here):
- demo: the sample video of lifestream/media/sample_media.py (espeak-ng speech), its subtitle cues;
- call: the real two-person telephone call that ships in the `pyannote.audio` 4.0.7 wheel
  (pyannote/audio/sample/sample.{wav,stm,rttm}; fetched with `pip download`, not committed), its reference
  transcript with the speakers relabelled "Speaker 1/2" as the diarizer gives them.
Per recording and mode: seconds per block, prompt and generation tok/s (llama.cpp's timings), peak RSS,
ratio to real time, and against the truth below: action-item precision/recall, names, place, title checks.
Generation collapses when another process competes for the cores: the load average is printed; run it on a
quiet machine for the figures that count.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import psutil

from lifestream.core.local_llm import get_local_llm
from lifestream.core.models import SearchResult, TranscriptSegment
from lifestream.media.sample_media import make_sample_video
from lifestream.memory.answers import local_answer
from lifestream.understand.summarize.grounding import normalize
from lifestream.understand.summarize.local_llm import _is_prefix_title, summarize_block_local

CACHE = ROOT / ".cache" / "bench-llm"
PYANNOTE = "pyannote.audio==4.0.7"

TRUTH = {
    "demo": {
        "tasks": ["We need to buy more compost", "Remember to send the holiday photos"],
        "names": set(),
        "places": {"back garden", "garden", "hardware store"},
        "question": ("What do we need to buy?", "compost"),
    },
    "call": {
        "tasks": [],
        "names": {"Diane", "Sheila"},
        "places": {"new jersey", "texas", "chicago"},
        "question": ("Where is Sheila from?", "chicago"),
    },
}


class PeakRSS:
    def __init__(self) -> None:
        self.proc, self.peak, self._stop = psutil.Process(), 0, threading.Event()

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self.proc.memory_info().rss)
            self._stop.wait(0.05)

    def __enter__(self):
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def demo_recording() -> tuple[list[TranscriptSegment], float]:
    sample = make_sample_video(CACHE / "demo" / "my-day.mp4")
    return [TranscriptSegment(start=s, end=e, text=t) for s, e, t in sample.cues], sample.duration


def call_recording() -> tuple[list[TranscriptSegment], float]:
    wheel = next(CACHE.glob("pyannote_audio-4.0.7-*.whl"), None)
    if wheel is None:
        CACHE.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "-d", str(CACHE), PYANNOTE],
            check=True,
        )
        wheel = next(CACHE.glob("pyannote_audio-4.0.7-*.whl"))
    with zipfile.ZipFile(wheel) as z:
        stm = z.read("pyannote/audio/sample/sample.stm").decode()
        wav_bytes = len(z.read("pyannote/audio/sample/sample.wav"))
    labels: dict[str, str] = {}
    segments = []
    for line in stm.splitlines():
        _, _, who, start, end, text = line.split(None, 5)
        labels.setdefault(who, f"Speaker {len(labels) + 1}")
        segments.append(TranscriptSegment(start=float(start), end=float(end), text=text, speaker=labels[who]))
    return segments, (wav_bytes - 44) / 32000  # 16 kHz, 16-bit mono


def talk_blocks(minutes: float, block_seconds: float = 300.0) -> list[list[TranscriptSegment]]:
    """The generated talk of bench_pipeline.py (same sentences), timed at espeak's 2.6 words/s, in blocks."""
    from tests.support.media import varied_sentences

    segments, clock = [], 0.0
    for sentence in varied_sentences(int(minutes * 60 * 2.6) + 40):
        length = len(sentence.split()) / 2.6
        if clock + length > minutes * 60:
            break
        segments.append(TranscriptSegment(start=clock, end=clock + length, text=sentence))
        clock += length
    blocks: list[list[TranscriptSegment]] = []
    for seg in segments:
        if not blocks or seg.start >= block_seconds * len(blocks):
            blocks.append([])
        blocks[-1].append(seg)
    return blocks


def score(summary, truth, segments) -> dict[str, object]:
    got = [normalize(a.text) for a in summary.action_items]
    wanted = [normalize(t) for t in truth["tasks"]]
    hits = sum(any(w in g for g in got) for w in wanted)
    right = sum(any(w in g for w in wanted) for g in got)
    names = {p for p in summary.participants if not p.startswith("Speaker ")}
    return {
        "tasks": f"{len(got)} (P {right / len(got):.2f}" if got else "0 (P –",
        "recall": f"{hits / len(wanted):.2f})" if wanted else "–)",
        "names": "ok" if names == truth["names"] else f"{sorted(names)}",
        "place": "ok" if any(p in normalize(summary.location) for p in truth["places"]) else summary.location,
        "title": summary.title,
        "title_ok": len(summary.title.split()) <= 8 and not _is_prefix_title(summary.title, segments),
    }


def raw_view(raw: dict) -> str:
    names = raw.get("names")
    heading = raw.get("heading")
    tasks = raw.get("tasks")
    return (
        f"names {[(n.label, n.name) for n in names.speakers] if names else None}; "
        f"title {heading.title if heading else None!r}; location {heading.location if heading else None!r}; "
        f"tasks {getattr(tasks, 'commitments', None) or [t.task for t in getattr(tasks, 'items', [])]}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default=None)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--talk-minutes", type=float, default=10.0, help="0: skip the long talk")
    args = parser.parse_args()

    recordings = {"demo": demo_recording(), "call": call_recording()}
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    with PeakRSS() as rss:
        started = time.perf_counter()
        llm = get_local_llm(args.model, args.threads)
        load_s = time.perf_counter() - started
    print(
        f"model {llm.model_path.name}, {llm.threads} thread(s), load {load_s:.1f} s, RSS {rss.peak / 2**20:.0f} MB"
    )
    header = "| recording | mode | s/block | × real time | prompt tok/s | gen tok/s | tokens in/out | peak RSS MB |"
    print(header + " tasks (P | R) | names | place | title |")
    print("|---" * 12 + "|")
    for name, (segments, duration) in recordings.items():
        for mode in ("focused", "single"):
            for _ in range(args.runs):
                before = len(llm.usage.per_request)
                with PeakRSS() as rss:
                    started = time.perf_counter()
                    raw: dict = {}
                    summary = summarize_block_local(
                        llm,
                        segments,
                        visual_summary="",
                        scene_count=1,
                        single_prompt=mode == "single",
                        raw=raw,
                    )
                    seconds = time.perf_counter() - started
                gens = llm.usage.per_request[before:]
                p_ms = sum(g.timings.get("prompt_ms", 0) for g in gens)
                g_ms = sum(g.timings.get("predicted_ms", 0) for g in gens)
                p_n = sum(g.timings.get("prompt_n", 0) for g in gens)
                g_n = sum(g.timings.get("predicted_n", 0) for g in gens)
                s = score(summary, TRUTH[name], segments)
                print(f"  raw {name}/{mode} before grounding: {raw_view(raw)}")
                print(
                    f"| {name} ({duration:.0f} s) | {mode} | {seconds:.1f} | {seconds / duration:.2f} | "
                    f"{p_n / p_ms * 1000 if p_ms else 0:.0f} | {g_n / g_ms * 1000 if g_ms else 0:.1f} | "
                    f"{sum(g.prompt_tokens for g in gens)}/{sum(g.completion_tokens for g in gens)} | "
                    f"{rss.peak / 2**20:.0f} | {s['tasks']} | {s['recall']} | {s['names']} | {s['place']} | "
                    f"{s['title']!r} {'ok' if s['title_ok'] else 'BAD'} |"
                )
        question, expected = TRUTH[name]["question"]
        chunk = SearchResult(
            id=f"{name}#0",
            video_id=name,
            start=segments[0].start,
            end=segments[-1].end,
            score=0.5,
            text=" ".join(s.text for s in segments),
            chunk_type="transcript",
        )
        started = time.perf_counter()
        answer = local_answer(question, [chunk], llm)
        print(
            f"answer {name}: {question!r} in {time.perf_counter() - started:.1f} s → correct: "
            f"{expected in answer.text.lower()}; citations ≤ 25 s: "
            f"{all(c.end - c.start <= 25 for c in answer.citations)}; {answer.text!r}"
        )
    if args.talk_minutes:
        blocks = talk_blocks(args.talk_minutes)
        with PeakRSS() as rss:
            started = time.perf_counter()
            for block in blocks:
                summarize_block_local(llm, block, visual_summary="", scene_count=1)
            seconds = time.perf_counter() - started
        real = args.talk_minutes * 60
        print(
            f"talk ({args.talk_minutes:g} min, {len(blocks)} blocks, focused): {seconds:.1f} s = "
            f"{seconds / real:.3f}× real time, {seconds / len(blocks):.1f} s/block, peak RSS {rss.peak / 2**20:.0f} MB"
        )
    print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    with tempfile.TemporaryDirectory():
        main()
