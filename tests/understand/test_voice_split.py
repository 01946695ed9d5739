"""A voice the words show to be two people is split where the audio allows it (speakers/split.py), and only
then: a forced split divides one voice as readily as two."""

from __future__ import annotations

import numpy as np
import pytest

from lifestream.core.models import TranscriptSegment
from lifestream.media.audio import SAMPLE_RATE, AudioTrack, wav_bytes
from lifestream.understand.speakers import Turn, assign_speakers
from lifestream.understand.speakers import local as local_mod
from lifestream.understand.speakers.local import local_diarizer_available
from lifestream.understand.speakers.split import split_joined
from lifestream.understand.summarize.names import speaker_names
from tests.support.media import spoken_samples

# A call with Mum, whose voice and the brother's are of close pitch (espeak-ng voice, pitch, words/min).
VOICES = {"me": ("en-us+m2", 48, 150), "mum": ("en-gb+grandma", 45, 140), "Martin": ("en-us+m1", 46, 150)}
CALL = (
    ("me", "Hi Mum, can you hear me?"),
    ("mum", "Yes, love, and your brother is here too."),
    ("Martin", "Hey, Martin here, I just got back from Portland."),
    ("mum", "How was the dentist today?"),
    ("me", "Fine, no cavities, but I have to go back in March for a cleaning."),
    ("mum", "Your father turns seventy on the second of November."),
    ("Martin", "I'll book a table at the Italian place on Elm Street."),
    ("me", "Perfect."),
    ("mum", "I'm sorry I missed your call on Sunday."),
    ("me", "Martin, could you pick up the cake on the way?"),
    ("Martin", "Sure thing."),
    ("mum", "Good night, both of you."),
)


def _segments(spans: list[tuple[float, float]], speaker_of: dict[str, str]) -> list[TranscriptSegment]:
    return [
        TranscriptSegment(start=a, end=b, text=line, speaker=speaker_of[who])
        for (who, line), (a, b) in zip(CALL, spans, strict=True)
    ]


SPANS = [(i * 3.0, i * 3.0 + 2.8) for i in range(len(CALL))]
JOINED = {"me": "Speaker 1", "mum": "Speaker 2", "Martin": "Speaker 2"}


def _turns(part_of: dict[str, int | None]) -> list[Turn]:
    return [
        Turn(start=a, end=b, speaker=JOINED[who], part=part_of[who])
        for (who, _), (a, b) in zip(CALL, SPANS, strict=True)
    ]


def test_a_joined_voice_whose_halves_part_the_evidence_is_split_and_named():
    segments = _segments(SPANS, JOINED)
    assert speaker_names(segments) == {}  # "Yes, love" as family and "Martin here" on one voice: joined

    out = split_joined(segments, _turns({"me": None, "mum": 0, "Martin": 1}))

    assert [s.speaker for s in out] == [
        {"me": "Speaker 1", "mum": "Speaker 2", "Martin": "Speaker 3"}[who] for who, _ in CALL
    ]
    assert speaker_names(out) == {"Speaker 3": "Martin"}
    assert [s.text for s in out] == [line for _, line in CALL]


def test_halves_that_do_not_part_the_evidence_leave_the_voice_whole_and_unnamed():
    # The split put Martin's introduction with Mum's answer as family: the words still show a join.
    part = {"me": None, "mum": 0, "Martin": 0}
    turns = _turns(part)
    turns[-1] = turns[-1].model_copy(update={"part": 1})  # only "Good night" in the other half
    turns[3] = turns[3].model_copy(update={"part": 1})
    segments = _segments(SPANS, JOINED)

    out = split_joined(segments, turns)

    assert out == segments
    assert speaker_names(out) == {}


def test_a_sentence_between_the_halves_leaves_the_voice_whole():
    turns = _turns({"me": None, "mum": 0, "Martin": 1})
    a, b = SPANS[2]  # "Martin here" heard half in each half
    turns[2:3] = [
        Turn(start=a, end=(a + b) / 2, speaker="Speaker 2", part=0),
        Turn(start=(a + b) / 2, end=b, speaker="Speaker 2", part=1),
    ]
    segments = _segments(SPANS, JOINED)
    assert split_joined(segments, turns) == segments


def test_without_halves_or_without_a_join_nothing_changes():
    segments = _segments(SPANS, JOINED)
    assert split_joined(segments, _turns({"me": None, "mum": None, "Martin": None})) == segments
    apart = _segments(SPANS, {"me": "Speaker 1", "mum": "Speaker 2", "Martin": "Speaker 3"})
    assert split_joined(apart, _turns(dict.fromkeys(VOICES, 0))) == apart


def test_an_endearment_is_no_name():
    segments = [
        TranscriptSegment(start=0, end=2, text="Sam, are you coming?", speaker="Speaker 1"),
        # Capitalised as the recogniser wrote it.
        TranscriptSegment(start=2, end=4, text="Yes, Love, in a minute.", speaker="Speaker 2"),
        TranscriptSegment(start=4, end=6, text="Okay.", speaker="Speaker 1"),
    ]
    assert speaker_names(segments) == {"Speaker 2": "Sam"}


# --- the diarizer's halves -------------------------------------------------------------------------------
def test_halves_split_each_voice_and_leave_a_short_one_whole():
    pytest.importorskip("sklearn")
    rng = np.random.default_rng(3)
    a, b, c = (rng.normal(size=256) for _ in range(3))
    embeds = np.stack(
        [a + rng.normal(scale=0.2, size=256) for _ in range(20)]
        + [b + rng.normal(scale=0.2, size=256) for _ in range(12)]
        + [c + rng.normal(scale=0.2, size=256) for _ in range(4)]  # 1.6 s of windows: too short to split
    )
    labels = np.array([0] * 32 + [1] * 4)

    parts = local_mod.halves(np.maximum(embeds, 0).astype(np.float32), labels)

    assert len(set(parts[:20].tolist())) == 1 and len(set(parts[20:32].tolist())) == 1
    assert parts[0] != parts[20]
    assert parts[32:].tolist() == [-1] * 4


def test_a_turn_is_cut_where_its_half_changes():
    step = int(local_mod.FRAME_SECONDS * SAMPLE_RATE)
    spans = [(i * step * 4, (i + 1) * step * 4) for i in range(10)]  # ten windows of 0.4 s, end to end
    labels = np.zeros(10, dtype=int)
    parts = np.array([0] * 5 + [1] * 5)
    speech = [(0, spans[-1][1])]

    turns = local_mod.label_frames(labels, spans, speech, 4.0, parts=parts)

    assert [(t.speaker, t.part) for t in turns] == [("Speaker 1", 0), ("Speaker 1", 1)]
    assert turns[0].end == pytest.approx(2.0) and turns[1].start == pytest.approx(2.0)
    assert turns[-1].end == pytest.approx(4.0)


# --- real voices -----------------------------------------------------------------------------------------
@pytest.mark.skipif(not local_diarizer_available(), reason="resemblyzer/torch not installed")
def test_two_close_voices_joined_by_the_diarizer_are_split_by_their_words(tmp_path):
    pieces, spans, t = [], [], 0.0
    for who, line in CALL:
        voice, pitch, speed = VOICES[who]
        samples = spoken_samples(line, voice, tmp_path, pitch=pitch, speed=speed)
        spans.append((round(t, 2), round(t + len(samples) / SAMPLE_RATE, 2)))
        pieces += [samples, np.zeros(SAMPLE_RATE // 2, dtype=np.float32)]
        t += len(samples) / SAMPLE_RATE + 0.5
    path = tmp_path / "call.wav"
    path.write_bytes(wav_bytes(np.concatenate(pieces)))
    turns = local_mod.LocalDiarizer().diarize(AudioTrack(path=path, duration=t))
    said = [TranscriptSegment(start=a, end=b, text=line) for (_, line), (a, b) in zip(CALL, spans, strict=True)]
    segments = assign_speakers(said, turns)
    # The diarizer joins Mum and Martin (close pitch): so no name may go on that voice.
    assert len({s.speaker for who, s in zip(CALL, segments) if who[0] != "me"}) == 1
    assert speaker_names(segments) == {}

    out = split_joined(segments, turns)

    martin = {s.speaker for (who, _), s in zip(CALL, out, strict=True) if who == "Martin"}
    mum = {s.speaker for (who, _), s in zip(CALL, out, strict=True) if who == "mum"}
    assert len(martin) == 1 and not martin & mum
    assert speaker_names(out) == {martin.pop(): "Martin"}
