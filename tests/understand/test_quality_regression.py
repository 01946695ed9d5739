"""The quality bench's truth, replayed in the test suite with floors (no timing).

bench/quality/heard/*.srt is what local Whisper heard on each bench recording (the real call and reading,
the ARCTIC utterances, the film clip, the generated days). Each is replayed as the sidecar subtitles of a
blank video of the same length, through the real pipeline (blocks with the local embedder, extractive
summaries, indexing) and `Library.ask`, then scored against bench/quality/truth.yaml by the bench's own
metrics. The floors are the issue's targets; the bench measures the same on the audio itself.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from lifestream.media.sample_media import run_ffmpeg
from lifestream.service.library import Library
from lifestream.understand.pipeline import process_video

QUALITY = Path(__file__).resolve().parents[2] / "bench" / "quality"
sys.path.insert(0, str(QUALITY))

import metrics

HEARD = QUALITY / "heard"
DURATIONS = json.loads((HEARD / "durations.json").read_text())


def _blank(path: Path, seconds: float) -> Path:
    run_ffmpeg(
        "-f", "lavfi", "-i", f"color=c=navy:s=160x120:r=5:d={seconds}",
        "-f", "lavfi", "-i", f"anullsrc=r=16000:cl=mono:d={seconds}",
        "-shortest", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", str(path),
    )  # fmt: skip
    return path


@pytest.fixture(scope="module")
def replayed(tmp_path_factory):
    from lifestream.core.settings import load_settings

    root = tmp_path_factory.mktemp("quality")
    settings = load_settings(
        data_dir=root / "data", faiss_dir=root / "index", transcriber="subtitles", summarizer="extractive"
    )
    library = Library(settings)
    total = metrics.Score()
    for name, want in metrics.truth().items():
        video = _blank(root / f"{name}.mp4", DURATIONS[name])
        srt = root / f"{name}.srt"
        srt.write_text((HEARD / f"{name}.srt").read_text())
        result = process_video(
            video,
            settings=settings,
            video_id=name,
            output_dir=root / "out" / name,
            subtitle_paths=[srt],
            index=library.index("me"),
        )
        total.add(metrics.score_diary(name, json.loads(result.json_path.read_text()), want))
        for qa in want["qa"]:
            answer = library.ask("me", qa["question"])
            cites = [c.model_dump() for c in answer.citations]
            total.add(metrics.score_answer(name, name, qa, answer.text, cites))
    return total


def test_action_items_are_precise_and_complete(replayed):
    figures = replayed.figures()
    assert figures["action-item precision"] >= 0.9, replayed.notes
    assert figures["action-item recall"] >= 0.8, replayed.notes
    assert replayed.owners_invented == 0, replayed.notes


def test_participants_places_and_titles(replayed):
    figures = replayed.figures()
    assert figures["participants correct"] == 1.0, replayed.notes
    assert figures["place precision"] == 1.0 and figures["place recall"] >= 0.8, replayed.notes
    assert figures["titles short, not a prefix"] == 1.0, replayed.notes


def test_the_call_and_the_reading_are_two_blocks(replayed):
    assert replayed.figures()["call/reading cut found"] == 1.0, replayed.notes


def test_questions_are_answered_from_the_moment(replayed):
    assert replayed.figures()["answers correct"] >= 0.8, replayed.notes
