"""Blocks follow the content: they end where the voices, the words or the picture change, not only on
the time cap — with a floor on their length and the cap kept."""

from __future__ import annotations

from lifestream.core.models import TranscriptSegment
from lifestream.media.scenes import Scene
from lifestream.understand.blocks import make_blocks

GARDEN = [
    "The tomatoes in the garden need more water this week.",
    "I planted the basil next to the tomatoes in the garden.",
    "The garden soil is dry, so the tomatoes need compost too.",
    "Slugs ate the lettuce in the garden again last night.",
]
BUDGET = [
    "The quarterly budget for the marketing team is too high.",
    "Finance wants the budget report with the hiring costs.",
    "We cut the travel budget and the software licences.",
    "The budget review with finance is on the calendar now.",
]


def _scene(i: int, start: float, end: float) -> Scene:
    return Scene(index=i, start=start, end=end, keyframe=f"scene_{i:04d}.jpg", keyframe_time=start)


def _talk(
    lines: list[str], start: float, seconds: float, speakers: list[str | None], step: float = 4.0
) -> list[TranscriptSegment]:
    """Back-to-back segments (as Whisper gives them: no pause between) cycling through lines and voices."""
    out, t, i = [], start, 0
    while t + step <= start + seconds + 1e-6:
        out.append(
            TranscriptSegment(
                start=t, end=t + step, text=lines[i % len(lines)], speaker=speakers[i % len(speakers)]
            )
        )
        t, i = t + step, i + 1
    return out


def _bounds(blocks) -> list[tuple[float, float]]:
    return [(b.start, b.end) for b in blocks]


def test_a_call_then_a_reading_are_two_blocks():
    # GIVEN a two-person call, then one other voice reading, on the same topic words, in one scene
    call = _talk(GARDEN, 0, 60, ["Speaker 1", "Speaker 2"])
    reading = _talk(GARDEN, 60, 60, ["Speaker 3"])

    blocks = make_blocks(120, [_scene(0, 0, 120)], call + reading, max_seconds=300)

    assert _bounds(blocks) == [(0, 60), (60, 120)]
    assert {s.speaker for s in blocks[0].segments} == {"Speaker 1", "Speaker 2"}
    assert {s.speaker for s in blocks[1].segments} == {"Speaker 3"}


def test_a_change_of_topic_ends_a_block_without_speaker_labels():
    segments = _talk(GARDEN, 0, 80, [None]) + _talk(BUDGET, 80, 80, [None])

    blocks = make_blocks(160, [_scene(0, 0, 160)], segments, max_seconds=300)

    assert _bounds(blocks) == [(0, 80), (80, 160)]


def test_one_topic_one_voice_stays_one_block_across_scene_changes():
    segments = _talk(GARDEN, 0, 120, ["Speaker 1"])
    scenes = [_scene(i, s, s + 30) for i, s in enumerate([0, 30, 61, 90])]

    blocks = make_blocks(120, scenes, segments, max_seconds=300)

    assert _bounds(blocks) == [(0, 120)]


def test_a_scene_change_with_a_pause_ends_a_block():
    segments = _talk(GARDEN, 0, 40, ["Speaker 1"]) + _talk(GARDEN, 44, 40, ["Speaker 1"])
    scenes = [_scene(0, 0, 42), _scene(1, 42, 84)]

    blocks = make_blocks(84, scenes, segments, max_seconds=300)

    assert _bounds(blocks) == [(0, 42), (42, 84)]


def test_a_long_silence_is_its_own_block():
    segments = _talk(GARDEN, 0, 40, ["Speaker 1"]) + _talk(GARDEN, 160, 40, ["Speaker 1"])

    blocks = make_blocks(200, [], segments, max_seconds=300)

    assert len(blocks) == 3
    assert blocks[1].segments == [] and blocks[1].length >= 100


def test_no_block_shorter_than_the_minimum():
    # A second voice answers briefly right at the start: not a block of its own
    segments = _talk(GARDEN, 0, 8, ["Speaker 2"]) + _talk(GARDEN, 8, 100, ["Speaker 1"])

    blocks = make_blocks(108, [], segments, max_seconds=300, min_seconds=20)

    assert all(b.length >= 20 for b in blocks)
    assert _bounds(blocks) == [(0, 108)]


def test_the_cap_still_holds_and_every_segment_has_one_block():
    segments = _talk(GARDEN, 0, 1000, ["Speaker 1", "Speaker 2"])
    scenes = [_scene(i, s, s + 1) for i, s in enumerate([0, 250, 420, 700, 710])]

    blocks = make_blocks(1000, scenes, segments, max_seconds=300)

    assert all(b.length <= 300 + 1e-6 for b in blocks)
    assert [s for b in blocks for s in b.segments] == segments
    assert [b.start for b in blocks] == [0, 250, 420, 710]


def test_a_similarity_function_can_be_supplied():
    # An embedder's similarity (here: one that sees the change of register the words do not show)
    segments = _talk(GARDEN, 0, 60, [None]) + _talk([s.upper() for s in GARDEN], 60, 60, [None])

    def shouting(text: str) -> float:
        letters = [c for c in text if c.isalpha()]
        return sum(c.isupper() for c in letters) / len(letters) if letters else 0.0

    def by_case(before: str, after: str) -> float:
        return 1.0 - abs(shouting(before) - shouting(after))

    blocks = make_blocks(120, [], segments, max_seconds=300, similarity=by_case)

    assert _bounds(blocks) == [(0, 60), (60, 120)]


# What local Whisper heard on bench/quality's call_and_reading: the real call (pyannote.audio's sample.wav),
# then a LibriVox reading of Sense and Sensibility; Whisper leaves no pause between them and no labels.
CALL_THEN_READING = [
    (
        6.4,
        12.4,
        "Hello, hello. Oh, hello. I didn't know you were there. I need a design. Okay. I thought you know",
    ),
    (
        12.4,
        19.6,
        "This is Diane in New Jersey. And I'm Sheila and Texas originally from Chicago. Oh, I'm originally",
    ),
    (19.6, 27.3, "Also, I'm in New Jersey now though. Well, there is not much difference at least, you know"),
    (27.3, 29.8, "So I don't hear that New Jersey now."),
    (
        29.8,
        38.0,
        "And Mr. John Dashwood had then leisure to consider how much there might be prudently in his power",
    ),
    (38.0, 39.8, "to do for them."),
    (39.8, 43.2, "He was not an ill-disposed young man."),
    (43.2, 48.9, "Unless to be rather cold-hearted and rather selfish is to be ill-disposed."),
    (
        48.9,
        53.8,
        "Had he married a more amiable woman he might have been made still more respectable than he",
    ),
    (53.8, 55.3, "was."),
    (55.3, 58.1, "he might even have been made amiable himself."),
]


def test_the_embedder_tells_a_call_from_the_reading_after_it(offline_settings):
    from lifestream.memory.embeddings import make_embedder
    from lifestream.understand.blocks import EmbeddingSimilarity

    segments = [TranscriptSegment(start=a, end=b, text=t) for a, b, t in CALL_THEN_READING]
    similarity = EmbeddingSimilarity(make_embedder(offline_settings()).embed)

    blocks = make_blocks(61, [_scene(0, 0, 61)], segments, max_seconds=300, similarity=similarity)

    assert _bounds(blocks) == [(0, 29.8), (29.8, 61)]


def test_a_continuation_keeps_the_blocks_it_started_with(media, offline_settings, out_dir):
    # GIVEN a first call that cut the video into blocks (kept in its checkpoint)
    from lifestream.core.checkpoint import MemoryCheckpoint
    from lifestream.understand.pipeline import process_video

    checkpoint = MemoryCheckpoint()
    settings = offline_settings()
    first = process_video(
        media.subtitled_video(), settings=settings, video_id="v", output_dir=out_dir, checkpoint=checkpoint,
    )  # fmt: skip
    saved = checkpoint.load("blocks")
    assert saved == {"bounds": [0.0, *(b.end for b in first.summary.blocks)]}

    # WHEN a continuation finds other cuts in it (as a first call under other conditions could have made)
    end = saved["bounds"][-1]
    checkpoint.save("blocks", {"bounds": [0.0, 4.0, end]})
    again = process_video(
        media.subtitled_video(), settings=settings, video_id="v", output_dir=out_dir, checkpoint=checkpoint,
    )  # fmt: skip

    # THEN it uses those, so saved summaries and the blocks they belong to agree
    assert [(b.start, b.end) for b in again.summary.blocks] == [(0.0, 4.0), (4.0, end)]
