"""The summarize stage with the local LLM: "local" with no model falls back to extractive and the diary says
so; with the packaged model (real, slow) the demo video gets a short title and the diary says "local"."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from lifestream.core.local_llm import PACKAGED_DEFAULT, install_packaged, runtime_installed
from lifestream.understand.pipeline import plan
from lifestream.understand.pipeline import process_video

UPLOADED = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)


def run(sample, settings, out):
    return process_video(
        sample.path,
        settings=settings,
        video_id="my-day",
        output_dir=out,
        uploaded_at=UPLOADED,
        subtitle_paths=[sample.subtitles],
    )


def test_local_without_a_model_falls_back_to_extractive_and_says_so(
    sample, offline_settings, out_dir, tmp_path
):
    settings = offline_settings(summarizer="local", llm_model=str(tmp_path / "absent.gguf"))

    result = run(sample, settings, out_dir)

    assert result.summary.summarizer == "extractive"
    assert "summary: extractive" in result.markdown_path.read_text()
    assert result.summary.blocks and result.summary.blocks[0].title


def test_auto_picks_local_only_when_a_model_is_installed(offline_settings, tmp_path, monkeypatch):
    from lifestream.media.probe import MediaInfo

    info = MediaInfo.model_construct(has_audio=False)
    monkeypatch.setattr(plan, "choose_source", lambda *a, **k: "none")
    absent = offline_settings(llm_model=str(tmp_path / "absent.gguf"))
    assert plan.make_plan(absent, info, tmp_path / "v.mp4", [], False).summarizer == "extractive"

    model = tmp_path / "present.gguf"
    model.write_bytes(b"GGUF")
    present = offline_settings(llm_model=str(model))
    expected = "local" if runtime_installed() else "extractive"
    assert plan.make_plan(present, info, tmp_path / "v.mp4", [], False).summarizer == expected


@pytest.mark.slow
def test_the_packaged_model_summarizes_the_demo_video(sample, offline_settings, out_dir):
    if not (runtime_installed() and PACKAGED_DEFAULT.installed()):
        pytest.skip("the packaged local model is not installed (scripts/setup.sh installs it)")
    settings = offline_settings(summarizer="local", llm_model=str(install_packaged()))

    result = run(sample, settings, out_dir)

    assert result.summary.summarizer == "local"
    assert "summary: local" in result.markdown_path.read_text()
    block = result.summary.blocks[0]
    assert 0 < len(block.title.split()) <= 8 and not block.title.startswith("Good morning")
    spoken = " ".join(sample.lines).lower()
    assert all(item.text.lower() in spoken for item in block.action_items)  # nothing invented
    assert all(item.owner is None for item in block.action_items)  # no named speaker in the demo


def test_a_long_block_is_read_as_its_opening_and_central_sentences_within_the_limit():
    """Issue 19 (speed): reading the prompt was most of a block's cost, so a long block's transcript is cut
    to MAX_TRANSCRIPT_CHARS by sentence, keeping the opening (introductions) and the most central ones."""
    from lifestream.core.models import TranscriptSegment
    from lifestream.understand.summarize.local_llm import MAX_TRANSCRIPT_CHARS, transcript_text
    from tests.support.media import varied_sentences

    said = varied_sentences(900)
    segments = [
        TranscriptSegment(start=3.0 * i, end=3.0 * i + 3, text=s, speaker=f"Speaker {1 + (i % 5 == 0)}")
        for i, s in enumerate(said)
    ]
    text = transcript_text(segments)

    assert sum(len(s) for s in said) > 2 * MAX_TRANSCRIPT_CHARS and len(text) <= MAX_TRANSCRIPT_CHARS
    lines = text.splitlines()
    assert lines[0] == f"Speaker 2: {said[0]}" and lines[1].startswith(f"Speaker 1: {said[1]}")
    assert "[…]" in lines
    kept = [line.split(": ", 1)[1] for line in lines if line != "[…]"]
    assert all(part in " ".join(said) for part in kept)  # whole sentences, in the order said
    short = segments[:4]
    assert transcript_text(short) == "\n".join(f"{s.speaker}: {s.text}" for s in short)


class _CountingServer:
    """xllamacpp.Server at its boundary: counts the requests, answers one fixed heading."""

    def __init__(self):
        self.requests: list[dict] = []

    def handle_chat_completions(self, request):
        import json

        self.requests.append(request)
        content = json.dumps({"title": "Seeds and soil", "activity": "Planting.", "location": None})
        return {"choices": [{"message": {"content": content}}], "usage": {}}


def test_a_block_with_next_to_no_speech_is_not_sent_to_the_model_and_long_ones_are():
    from lifestream.core.local_llm import LocalLLM
    from lifestream.core.models import TranscriptSegment
    from lifestream.understand.summarize.local_llm import summarize_block_local

    server = _CountingServer()
    llm = LocalLLM(server, model_path="fake.gguf", threads=1)
    short = [TranscriptSegment(start=0, end=2, text="Okay, thanks.", speaker="Speaker 1")]
    summarize_block_local(llm, short, visual_summary="", scene_count=1)
    assert server.requests == []

    said = "We planted the tomato seeds in the back garden and watered them well before the rain came."
    summarize_block_local(
        llm, [TranscriptSegment(start=0, end=6, text=said, speaker="Speaker 1")], visual_summary="",
        scene_count=1, screen_text=["00:00:12", "GARDEN CENTRE", "GARDEN CENTRE", "7"],
    )  # fmt: skip
    (request,) = server.requests
    assert request["messages"][-1]["content"].endswith("On screen: GARDEN CENTRE")
