"""Stages 6-9 on their own: blocks, offline summaries, the diary format, chunks."""

from __future__ import annotations

import random
import re
from datetime import UTC, datetime

import pytest

from lifestream.core.models import ChunkType, TranscriptSegment
from lifestream.media.scenes import Scene
from lifestream.understand.blocks import block_boundaries, make_blocks
from lifestream.core.constants import MOMENT_SECONDS
from lifestream.understand.chunking import build_chunks, group_segments
from lifestream.understand.diary import Diary, DiaryBlock, render_markdown
from lifestream.understand.summarize import Evidence, reliability, summarize_block_extractive
from lifestream.understand.summarize.extractive import action_items


def _scene(i: int, start: float, end: float) -> Scene:
    return Scene(index=i, start=start, end=end, keyframe=f"scene_{i:04d}.jpg", keyframe_time=start)


def _speech(duration: float, seed: int = 7) -> list[TranscriptSegment]:
    rng = random.Random(seed)
    out, t = [], 0.0
    while t < duration - 1:
        length = rng.uniform(0.5, 12.0)
        out.append(
            TranscriptSegment(
                start=round(t, 2),
                end=round(min(duration, t + length), 2),
                text=" ".join(f"word{rng.randint(0, 50)}" for _ in range(int(length * 2.5))),
            )
        )
        t += length + rng.uniform(0.0, 1.5)
    return out


# --- blocks --------------------------------------------------------------------------------------------
def test_blocks_end_at_scene_changes_and_respect_the_maximum():
    bounds = block_boundaries(1000, [100, 250, 420, 700, 710], max_seconds=300)

    assert bounds == [0, 250, 420, 710, 1000]
    assert all(b - a <= 300 for a, b in zip(bounds, bounds[1:]))


def test_a_long_scene_is_split_evenly():
    assert block_boundaries(1000, [], max_seconds=300) == [0, 250, 500, 750, 1000]


def test_every_segment_lands_in_exactly_one_block():
    # GIVEN 20 minutes of speech with segments straddling block boundaries
    segments = _speech(1200)
    scenes = [_scene(i, s, s + 1) for i, s in enumerate([0, 130, 290, 610, 905, 1000])]

    blocks = make_blocks(1200, scenes, segments, max_seconds=300)

    placed = [seg for block in blocks for seg in block.segments]
    assert sorted(placed, key=lambda s: s.start) == sorted(segments, key=lambda s: s.start)
    assert len(placed) == len(segments)
    assert all(b.length <= 300 + 1e-6 for b in blocks)
    for block in blocks:
        for seg in block.segments:
            assert block.start <= (seg.start + seg.end) / 2 <= block.end


def test_zero_length_video_still_has_one_block():
    blocks = make_blocks(0.0, [], [], max_seconds=300)
    assert len(blocks) == 1 and blocks[0].segments == []


# --- summaries -----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("sentence", "owner"),
    [
        # No one named is speaking: a commitment has no owner rather than a placeholder one.
        ("I will send the report by Friday.", None),
        ("Let's meet on Monday.", None),
        ("We need to fix the login bug.", None),
        ("Maria will book the room.", "Maria"),
        ("TODO: renew the domain.", None),
    ],
)
def test_commitment_phrases_become_action_items(sentence, owner):
    items = action_items([TranscriptSegment(start=3, end=5, text=sentence)])
    assert [(i.text, i.owner, i.at) for i in items] == [(sentence, owner, 3)]


@pytest.mark.parametrize("sentence", ["It will rain tomorrow.", "The weather was nice.", "This will be fun."])
def test_statements_are_not_action_items(sentence):
    assert action_items([TranscriptSegment(start=0, end=1, text=sentence)]) == []


def test_extractive_summary_uses_only_what_was_said():
    segs = [
        TranscriptSegment(start=0, end=3, text="We are in the kitchen baking bread.", speaker="Ana"),
        TranscriptSegment(start=3, end=6, text="The bread needs two hours to rise.", speaker="Ben"),
        TranscriptSegment(start=6, end=9, text="I will buy more flour tomorrow.", speaker="Ana"),
    ]
    summary = summarize_block_extractive(segs, visual_summary="1 scene", scene_count=1)

    assert summary.location == "Mentioned: in the kitchen"
    assert summary.participants == ["Ana", "Ben"]
    assert [p.speaker for p in summary.per_speaker] == ["Ana", "Ben"]
    assert "bread" in summary.activity.lower()
    assert [(a.text, a.owner) for a in summary.action_items] == [("I will buy more flour tomorrow.", "Ana")]


def test_reliability_reflects_the_evidence():
    strong = Evidence(
        transcript_source="local",
        segments=20,
        speech_seconds=200,
        block_seconds=300,
        keyframes=4,
        images_described=True,
        has_audio=True,
    )
    words_only = strong.model_copy(update={"images_described": False})
    nothing = strong.model_copy(
        update={
            "segments": 0,
            "speech_seconds": 0,
            "images_described": False,
            "has_audio": False,
            "transcript_source": "none",
        }
    )

    assert reliability(strong).startswith("High")
    assert reliability(words_only).startswith("Medium") and "not described" in reliability(words_only)
    assert reliability(nothing).startswith("Low") and "no audio track" in reliability(nothing)


# --- diary -------------------------------------------------------------------------------------------------
def _summary(blocks: list[DiaryBlock]) -> Diary:
    return Diary(
        date="2024-03-15",
        video_id="vid-1",
        source_name="talk.mp4",
        recorded_at=datetime(2024, 3, 15, 9, 30, tzinfo=UTC),
        recorded_at_is_fallback=False,
        duration=400,
        transcriber="local",
        summarizer="extractive",
        vision="timeline",
        blocks=blocks,
    )


def _block(i: int, start: float, end: float, segs: list[TranscriptSegment], **kw) -> DiaryBlock:
    summary = summarize_block_extractive(segs, visual_summary="2 scenes", scene_count=2)
    return DiaryBlock(
        index=i,
        start=start,
        end=end,
        title=summary.title,
        location=summary.location,
        activity=summary.activity,
        source_reliability="Medium — test",
        participants=summary.participants,
        per_speaker=summary.per_speaker,
        visual_summary=summary.visual_summary,
        key_points=summary.key_points,
        action_items=summary.action_items,
        transcript=segs,
        **kw,
    )


def test_markdown_has_the_diary_shape():
    segs = [TranscriptSegment(start=301, end=305, text="I will email the slides tonight.")]
    md = render_markdown(_summary([_block(0, 0, 300, []), _block(1, 300, 400, segs)]))

    assert md.startswith("# Daily Summary: 2024-03-15\n")
    assert re.findall(r"^## (\d\d:\d\d:\d\d) - (\d\d:\d\d:\d\d): (.+)$", md, re.M) == [
        ("00:00:00", "00:05:00", "No speech (2 scenes)"),
        ("00:05:00", "00:06:40", "Email the slides"),
    ]
    for bullet in ("Location", "Activity", "Source Reliability", "Participants", "Visual Summary"):
        assert len(re.findall(rf"^- \*\*{bullet}:\*\* \S", md, re.M)) == 2
    assert re.search(
        r"^  - \[ \] I will email the slides tonight\. — at 00:05:01$", md, re.M
    )
    assert "- **Action Items:** none" in md


# --- chunks ----------------------------------------------------------------------------------------------
def test_transcript_chunks_cover_every_segment_and_point_to_moments():
    segments = _speech(900, seed=3)
    groups = group_segments(segments)

    # every word once, in order (neighbours do not overlap: context goes in Chunk.embed_text instead)
    assert [w for g in groups for s in g for w in s.text.split()] == [w for s in segments for w in s.text.split()]
    assert all(g[-1].end - g[0].start <= MOMENT_SECONDS + 1e-6 for g in groups)
    assert groups[0][0].start == segments[0].start and groups[-1][-1].end == segments[-1].end


def test_an_overlong_segment_is_split_with_interpolated_times():
    long = TranscriptSegment(start=10, end=130, text=" ".join(f"w{i}" for i in range(300)))
    groups = group_segments([long])

    pieces = [s for g in groups for s in g]
    assert " ".join(dict.fromkeys(s.text for s in pieces)).split() == long.text.split()
    assert pieces[0].start == 10 and pieces[-1].end == 130
    assert all(g[-1].end - g[0].start <= MOMENT_SECONDS for g in groups)


def test_chunks_have_deterministic_ids_and_metadata():
    segs = [TranscriptSegment(start=301, end=305, text="I will email the slides tonight.", speaker="Ana")]
    summary = _summary([_block(0, 0, 300, []), _block(1, 300, 400, segs)])

    chunks = build_chunks(summary)
    again = build_chunks(summary)

    assert [c.id for c in chunks] == [c.id for c in again]
    assert len({c.id for c in chunks}) == len(chunks)
    kinds = [c.chunk_type for c in chunks]
    assert kinds.count(ChunkType.SUMMARY) == 2 and kinds.count(ChunkType.TRANSCRIPT) == 1
    assert kinds.count(ChunkType.ACTION_ITEM) == 1
    action = next(c for c in chunks if c.chunk_type == ChunkType.ACTION_ITEM)
    assert (action.start, action.end, action.speakers) == (301, 305, ["Ana"])
    transcript = next(c for c in chunks if c.chunk_type == ChunkType.TRANSCRIPT)
    assert transcript.text == "Ana: I will email the slides tonight."
    assert transcript.metadata()["recorded_date"] == "2024-03-15" and transcript.video_id == "vid-1"
