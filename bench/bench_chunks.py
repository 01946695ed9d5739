"""The transcript chunk target, chosen on the pipeline's own chunker with real recognition output (issue 19).

    .venv/bin/python bench/bench_chunks.py [--targets 8 10 12 15 20 25] [--json OUT]

Development material only (never the held-out test split):
- bench/retrieval's dev corpus (corpus.DEV, 7 scripted days, 133 questions): each day is said line by line
  by espeak-ng, one voice per speaker, and heard by local Whisper (cached in .cache/chunks/). A segment's
  speaker is the scripted line it overlaps most ("Speaker N": the diarizer is not what is measured here);
  the truth span of a line is where its audio really is. Action items and the day's summary are indexed as
  corpus.py does, so only the transcript chunks change between targets.
- bench/quality's dev recordings (bench/quality/heard/*.srt, local Whisper's output, no speaker labels) and
  the 10 questions of truth.yaml, each with the moment that holds the answer.

For each target the transcript chunks come from `lifestream.understand.chunking.build_chunks(...,
max_seconds=target)` over a one-block diary, are indexed with the configured embedder (FAISS + the lexical
index on SQLite) and searched in hybrid mode: hit@1 / hit@3 (a hit is a result of at most 25 s overlapping
the truth), the mean transcript chunk length, and how many chunks there are.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import tempfile
import wave
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from bench.retrieval.corpus import DEV, PAUSE  # noqa: E402
from bench.retrieval.evaluate import CachedEmbedder, is_hit  # noqa: E402
from lifestream.core.constants import LOCAL_USER  # noqa: E402
from lifestream.core.models import Chunk, ChunkType, TranscriptSegment  # noqa: E402

CACHE = ROOT / ".cache" / "chunks"
VOICES = ("en-us", "en+m3", "en+f3", "en-gb+m7", "en+f5", "en-us+m1")
RATE = 16_000
TARGETS = (8.0, 10.0, 12.0, 15.0, 20.0, 25.0)


def render_day(day: str, directory: Path) -> tuple[Path, dict[str, tuple[float, float, str]], float]:
    """The day said by espeak-ng: the wav, each line key's (start, end, speaker) in it, the duration."""
    from tests.support.media import spoken_samples

    _, _, lines, _ = DEV.days[day]
    voices: dict[str, str] = {}
    pieces, spans, clock = [np.zeros(int(0.3 * RATE), np.float32)], {}, 0.3
    for key, speaker, text in lines:
        voice = voices.setdefault(speaker, VOICES[len(voices) % len(VOICES)])
        samples = spoken_samples(text, voice, directory)
        spans[key] = (clock, clock + len(samples) / RATE, speaker)
        pieces += [samples, np.zeros(int(PAUSE * RATE), np.float32)]
        clock += len(samples) / RATE + PAUSE
    audio = np.concatenate(pieces)
    path = directory / f"{day}.wav"
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes((np.clip(audio, -1, 1) * 32767).astype("<i2").tobytes())
    return path, spans, len(audio) / RATE


def heard_day(day: str, engine) -> dict:
    """Whisper's segments of the day and the lines' true spans (cached by the day's script)."""
    from lifestream.media.audio import AudioTrack
    from lifestream.understand.transcribe import transcribe_audio

    key = hashlib.sha256(json.dumps([DEV.days[day][2], VOICES]).encode()).hexdigest()[:12]
    cached = CACHE / f"{day}-{key}.json"
    if cached.exists():
        return json.loads(cached.read_text())
    with tempfile.TemporaryDirectory() as tmp:
        wav, spans, duration = render_day(day, Path(tmp))
        track = AudioTrack(path=wav, duration=duration)
        transcript = transcribe_audio(track, engine(), window_seconds=60, overlap=0)
    data = {
        "spans": spans,
        "duration": duration,
        "segments": [s.model_dump(mode="json") for s in transcript.segments],
    }
    CACHE.mkdir(parents=True, exist_ok=True)
    cached.write_text(json.dumps(data, indent=1))
    return data


def labelled(segments: list[dict], spans: dict[str, list]) -> list[TranscriptSegment]:
    """Each segment under "Speaker N" of the scripted line it overlaps most."""
    order: dict[str, str] = {}
    for start, end, speaker in sorted(spans.values()):
        order.setdefault(speaker, f"Speaker {len(order) + 1}")
    out = []
    for s in segments:
        best = max(spans.values(), key=lambda x: min(s["end"], x[1]) - max(s["start"], x[0]))
        out.append(TranscriptSegment(start=s["start"], end=s["end"], text=s["text"], speaker=order[best[2]]))
    return out


def read_srt(path: Path) -> list[TranscriptSegment]:
    from lifestream.understand.transcribe.subtitles import read_subtitle_file

    return [s.model_copy(update={"speaker": None}) for s in read_subtitle_file(path)]


def transcript_chunks(
    video_id: str, date: str, segments: list[TranscriptSegment], duration: float, target: float
) -> list[Chunk]:
    """The pipeline's transcript chunks of a one-block diary at `target` seconds."""
    from lifestream.understand.chunking import build_chunks
    from lifestream.understand.diary import Diary, DiaryBlock

    block = DiaryBlock(
        index=0, start=0.0, end=duration, source_reliability="high", transcript=segments,
        title="", activity="", location="Not mentioned", visual_summary="", participants=[], per_speaker=[], key_points=[],
        action_items=[],
    )  # fmt: skip
    diary = Diary(
        date=date, video_id=video_id, recorded_at=datetime.fromisoformat(f"{date}T12:00:00+00:00"),
        recorded_at_is_fallback=False, duration=duration, transcriber="local", summarizer="extractive",
        vision="timeline", blocks=[block],
    )  # fmt: skip
    return [c for c in build_chunks(diary, max_seconds=target) if c.chunk_type == ChunkType.TRANSCRIPT]


def other_chunks(day: str, video_id: str, spans: dict, duration: float) -> list[Chunk]:
    """Action items at their line and the day's summary, as corpus.chunks() makes them."""
    date, summary, _, actions = DEV.days[day]
    out = [
        Chunk(
            id=Chunk.make_id(video_id, ChunkType.ACTION_ITEM, i), text=f"Action item: {action}",
            video_id=video_id, chunk_type=ChunkType.ACTION_ITEM, start=spans[key][0], end=spans[key][1],
            recorded_date=date,
        )  # fmt: skip
        for i, (key, action) in enumerate(actions.items())
    ]
    out.append(
        Chunk(
            id=Chunk.make_id(video_id, ChunkType.SUMMARY, 0), text=summary, video_id=video_id,
            chunk_type=ChunkType.SUMMARY, start=0.0, end=duration, recorded_date=date,
        )  # fmt: skip
    )
    return out


def evaluate(videos: dict[str, list[Chunk]], questions, embedder, now, tz) -> tuple[float, float, list[str]]:
    """hit@1, hit@3 and the questions missed at 1; `questions` are (text, spans or None)."""
    from lifestream.jobs import JobStore
    from lifestream.memory.lexical import LexicalIndex
    from lifestream.memory.search import search
    from lifestream.memory.vectors.faiss_store import FaissVectorStore
    from lifestream.memory.vectors.owned import for_owner
    from lifestream.memory.video_index import VideoIndex

    with tempfile.TemporaryDirectory() as tmp:
        jobs = JobStore(f"sqlite:///{Path(tmp) / 'jobs.db'}")
        jobs.migrate()
        lexical = LexicalIndex(jobs.engine)
        raw = FaissVectorStore(Path(tmp) / "faiss", dimension=embedder.dimension, embedder_name=embedder.name)
        store = for_owner(raw, LOCAL_USER)
        for video_id, chunks in videos.items():
            VideoIndex(store, embedder.inner, lexical).index(video_id, chunks)
        index = VideoIndex(store, embedder, lexical)
        ranks, misses = [], []
        for text, spans in questions:
            if spans is None:
                continue
            results = search(text, index=index, mode="hybrid", top_k=3, now=now, timezone=tz).results
            rank = next((i for i, r in enumerate(results, 1) if is_hit(r, spans, DEV.copies)), None)
            ranks.append(rank)
            if rank != 1:
                misses.append(text)
    n = max(1, len(ranks))
    return sum(r == 1 for r in ranks) / n, sum(r is not None for r in ranks) / n, misses


def retrieval_material(engine) -> tuple[dict, list]:
    """(day -> (date, segments, duration, spans), questions with their true spans) of corpus.DEV."""
    days = {}
    for day in DEV.days:
        data = heard_day(day, engine)
        spans = {k: tuple(v) for k, v in data["spans"].items()}
        days[day] = (DEV.days[day][0], labelled(data["segments"], spans), data["duration"], spans)
    questions = []
    for text, truth, _kind in DEV.questions:
        if truth is None:
            questions.append((text, None))
            continue
        spans = []
        for ref in truth.split("|"):
            day, key = ref.split(":")
            lines = [v for k, v in days[day][3].items() if key == "*" or k == key]
            spans += [(day, s, e) for s, e, _ in lines]
        questions.append((text, spans))
    return days, questions


def quality_material() -> tuple[dict, list]:
    import yaml

    truth = yaml.safe_load((ROOT / "bench" / "quality" / "truth.yaml").read_text())["recordings"]
    durations = json.loads((ROOT / "bench" / "quality" / "heard" / "durations.json").read_text())
    recs, questions = {}, []
    for rec, want in truth.items():
        srt = ROOT / "bench" / "quality" / "heard" / f"{rec}.srt"
        if not srt.exists():
            continue
        recs[rec] = ("2026-11-20", read_srt(srt), durations.get(rec, 0.0), {})
        questions += [(q["question"], [(rec, *q["span"])]) for q in want.get("qa", [])]
    return recs, questions


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--targets", nargs="+", type=float, default=list(TARGETS))
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()

    from bench.retrieval.run import make_embedder
    from lifestream.core.settings import load_settings
    from lifestream.understand.transcribe import make_engine

    engines: list = []

    def engine():
        if not engines:
            engines.append(make_engine("local", load_settings()))
        return engines[0]

    embedder = CachedEmbedder(make_embedder(None))
    material = {"retrieval dev": retrieval_material(engine), "quality dev": quality_material()}
    rows = []
    print(f"embedder {embedder.name}")
    print("| material | target s | transcript chunks | mean chunk s | hit@1 | hit@3 |")
    print("|---|---|---|---|---|---|")
    for name, (recs, questions) in material.items():
        for target in args.targets:
            videos = {}
            for rec, (date, segments, duration, spans) in recs.items():
                videos[rec] = transcript_chunks(rec, date, segments, duration, target)
                if spans:
                    videos[rec] += other_chunks(rec, rec, spans, duration)
            for copy, original in DEV.copies.items() if name == "retrieval dev" else ():
                date, segments, duration, spans = recs[original]
                videos[copy] = transcript_chunks(copy, date, segments, duration, target)
                videos[copy] += other_chunks(original, copy, spans, duration)
            lengths = [c.end - c.start for v in videos.values() for c in v if c.chunk_type == ChunkType.TRANSCRIPT]
            hit1, hit3, misses = evaluate(videos, questions, embedder, DEV.now, DEV.tz)
            row = {"material": name, "target": target, "chunks": len(lengths),
                   "mean seconds": float(np.mean(lengths)), "hit@1": hit1, "hit@3": hit3, "misses": misses}  # fmt: skip
            rows.append(row)
            print(
                f"| {name} | {target:g} | {row['chunks']} | {row['mean seconds']:.1f} | {hit1:.3f} | {hit3:.3f} |",
                flush=True,
            )
    if args.json:
        args.json.write_text(json.dumps({"embedder": embedder.name, "at": datetime.now(UTC).isoformat(), "rows": rows}, indent=1))


if __name__ == "__main__":
    main()
