"""Answers that answer (issue 19, section 2): the extractive answer quotes the sentence that answers (scored
against the question, dense and lexical, within the moments retrieved), once, with the speaker's name when
the voice is named, never with a bare "Speaker N:" label."""

from __future__ import annotations

import pytest

from lifestream.core.models import SearchResult, TranscriptSegment
from lifestream.memory.answers import extractive_answer


@pytest.fixture(scope="module")
def embedder():
    # The real local model (tests/memory/conftest.py's `embedder` is a word-hashing stand-in): which
    # sentence answers is a question of meaning.
    from lifestream.memory.embeddings.local_embedder import OnnxMiniLMEmbedder

    return OnnxMiniLMEmbedder()


def _hit(i: int, text: str, start: float, end: float, *, kind: str = "transcript", score: float = 0.5):
    return SearchResult(
        id=f"meeting#{kind}#{i:04d}",
        video_id="meeting",
        start=start,
        end=end,
        score=score,
        text=text,
        chunk_type=kind,
        recorded_date="2026-06-08",
    )


def _quotes(answer) -> list[str]:
    return [line for line in answer.text.splitlines()[1:]]


def test_the_sentence_that_answers_is_quoted_first_not_the_chunks_opening(embedder):
    chunk = _hit(
        0,
        "Speaker 2: Good morning everyone. The weather is lovely today. "
        "I'll order twelve new chairs for the meeting room. Then we can have lunch.",
        10.0,
        24.0,
        score=0.9,
    )
    other = _hit(1, "Speaker 1: The budget figures go to finance by Thursday.", 30.0, 35.0, score=0.4)

    answer = extractive_answer("What furniture is being bought for the office?", [chunk, other], embedder=embedder)

    assert "twelve new chairs" in _quotes(answer)[0], answer.text
    assert not any("Good morning" in q for q in _quotes(answer)), answer.text


def test_a_sentence_said_in_two_chunks_of_one_moment_is_quoted_once(embedder):
    said = _hit(0, "Speaker 3: I'll order twelve new chairs for the meeting room.", 20.0, 24.0)
    task = _hit(1, "Action item: I'll order twelve new chairs for the meeting room.", 20.0, 24.0, kind="action_item")

    answer = extractive_answer("How many chairs will be ordered?", [said, task], embedder=embedder)

    assert sum("twelve new chairs" in q for q in _quotes(answer)) == 1, answer.text
    assert "Speaker 3:" not in answer.text


def test_a_named_voice_is_quoted_with_its_name(embedder):
    said = _hit(0, "Maya: I think we should move the launch to the fourteenth of July.", 28.0, 32.0)
    noise = _hit(1, "Speaker 1: Great, thanks everyone.", 36.0, 37.5)

    answer = extractive_answer("Who wants to move the launch date?", [said, noise], embedder=embedder)

    assert _quotes(answer)[0].startswith("- Maya: I think we should move the launch"), answer.text


def test_transcript_chunks_carry_the_name_a_voice_was_given():
    from datetime import UTC, datetime

    from lifestream.understand.chunking import build_chunks
    from lifestream.understand.diary import Diary, DiaryBlock

    segs = [
        TranscriptSegment(start=0, end=3, text="Maya, what do you think about the launch date?", speaker="Speaker 1"),
        TranscriptSegment(start=3.5, end=7, text="I think we should move the launch to July.", speaker="Speaker 2"),
    ]
    block = DiaryBlock(
        index=0, start=0, end=7, title="Launch", activity="", location="Not mentioned", participants=[],
        visual_summary="", source_reliability="", transcript=segs,
    )  # fmt: skip
    diary = Diary(
        date="2026-06-08", video_id="meeting", recorded_at=datetime(2026, 6, 8, tzinfo=UTC),
        recorded_at_is_fallback=False, duration=7, transcriber="t", summarizer="extractive", vision="none",
        blocks=[block],
    )  # fmt: skip

    said = [c for c in build_chunks(diary) if c.chunk_type == "transcript"]

    assert [c.text.split(":")[0] for c in said] == ["Speaker 1", "Maya"]
    assert said[1].speakers == ["Maya"]
