"""The bench's words-as-said sidecar: the script's lines, under anonymous voices, read back by the pipeline's
own subtitle reader with their voices and times."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench" / "quality"))

import said_words

from lifestream.understand.transcribe.subtitles import read_subtitle_file

CUES = [
    {"key": "intro", "start": 0.5, "end": 4.5, "speaker": "Leo", "text": "Leo here, recording the call."},
    {"key": "call", "start": 5.0, "end": 11.0, "speaker": "Diane", "text": "This is Diane."},
    {"key": "call.2", "start": 5.0, "end": 11.0, "speaker": "Sheila", "text": "And I'm Sheila, in Texas."},
    {"key": "after", "start": 12.0, "end": 14.0, "speaker": "Leo", "text": "That was Diane and Sheila."},
]


def test_lines_that_share_a_span_divide_it_by_length():
    lines = said_words.timed_lines(CUES)
    (_, _, _, _), (a0, a1, _, _), (b0, b1, _, _), _ = lines
    assert (a0, b1) == (5.0, 11.0) and a1 == b0
    assert abs((a1 - a0) / (b1 - b0) - len(CUES[1]["text"]) / len(CUES[2]["text"])) < 1e-9


def test_the_sidecar_is_read_back_with_anonymous_voices(tmp_path):
    video = tmp_path / "src" / "call.mp4"
    video.parent.mkdir()
    video.write_bytes(b"not read here")
    link = said_words.as_said(video, CUES, tmp_path / "said")
    assert link.resolve() == video.resolve() and link.with_suffix(".vtt").exists()
    segments = read_subtitle_file(link.with_suffix(".vtt"))
    assert [s.text for s in segments] == [c["text"] for c in CUES]
    assert [s.speaker for s in segments] == ["Speaker 1", "Speaker 2", "Speaker 3", "Speaker 1"]
    assert abs(segments[0].start - 0.5) < 0.01 and abs(segments[-1].end - 14.0) < 0.01
