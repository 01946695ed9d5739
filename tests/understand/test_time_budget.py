"""An invocation near its end hands over in time, whatever stage it is in.

Two kinds of clock: a fake one that runs out when the run reports a given stage (the loops must notice
within one unit of work), and a real countdown started at a given stage while the loopback OpenAI fake
holds its answers (the SDK's timeout and retries must fit what is left, so the hand-over starts before the
budget is spent instead of 4 x 120 s later).
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest

from lifestream.core.errors import OutOfTime
from lifestream.understand.pipeline import process_video, speech_stages
from tests.support.openai_fake import CHAT, EMBEDDINGS, TRANSCRIPTIONS

UPLOADED = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
MARGIN = 60.0


class StageClock:
    """`time_left` with plenty of time until the run reports `stage`, then below the margin.

    Counts the units of work reported after the clock ran out: a stage that keeps working past the end of
    its invocation shows up as more than one."""

    def __init__(self, stage: str) -> None:
        self.stage = stage
        self.out = False
        self.reports_after: list[tuple[str, float]] = []

    def on_progress(self, stage: str, fraction: float) -> None:
        if self.out:
            self.reports_after.append((stage, fraction))
        elif stage == self.stage:
            self.out = True

    def __call__(self) -> float:
        return MARGIN - 1.0 if self.out else MARGIN + 10_000.0


def _chat_answers(fake) -> None:
    fake.chat_answers["VisualDraft"] = lambda body: {
        "summary": "A colour.",
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


def _openai_run(media, openai_settings, fake, tmp_path, *, video: str, **kw):
    from lifestream.memory.embeddings.openai_embedder import OpenAIEmbedder
    from lifestream.memory.vectors import make_vector_store
    from lifestream.memory.video_index import VideoIndex
    from tests.support.openai_fake import DEFAULT_API_KEY

    _chat_answers(fake)
    settings = openai_settings(
        openai_base_url=fake.base_url,
        transcriber="openai",
        block_max_seconds=2,
        worker_safety_margin_seconds=MARGIN,
        faiss_dir=tmp_path / "faiss",
    )
    embedder = OpenAIEmbedder(api_key=DEFAULT_API_KEY, base_url=fake.base_url, dimension=64)
    path = getattr(media, video)()
    return process_video(
        path,
        settings=settings,
        video_id=path.stem,
        output_dir=tmp_path / "out",
        uploaded_at=UPLOADED,
        index=VideoIndex.from_settings(
            settings, store=make_vector_store(settings, embedder), embedder=embedder
        ),
        **kw,
    )


# (stage whose report makes the clock run out, the video, where the run must stop)
STAGES = [
    ("probe", "talk_video", "scenes"),  # ran out during probe: stops before the scene scan
    ("scenes", "talk_video", "scenes"),  # inside the scan, between keyframes
    ("audio", "talk_video", "audio"),  # inside audio decoding
    ("transcribe", "talk_video", "transcribe"),  # between audio windows
    ("vision", "several_scenes_video", "vision"),  # between blocks' picture descriptions
    ("summarize", "several_scenes_video", "summarize"),  # between blocks' summaries
    ("chunk", "several_scenes_video", "index"),  # before indexing
]


@pytest.mark.parametrize(("runs_out_at", "video", "stops_in"), STAGES)
def test_a_run_whose_time_runs_out_stops_within_one_unit_of_work(
    media, openai_settings, openai_fake, tmp_path, monkeypatch, runs_out_at, video, stops_in
):
    # GIVEN 5-s transcription windows (several in the 16-s talk) and a clock that runs out at a stage
    monkeypatch.setattr(speech_stages, "OPENAI_WINDOW_SECONDS", 5.0)
    clock = StageClock(runs_out_at)

    # WHEN the run goes on
    with pytest.raises(OutOfTime) as stopped:
        _openai_run(
            media,
            openai_settings,
            openai_fake,
            tmp_path,
            video=video,
            time_left=clock,
            on_progress=clock.on_progress,
        )

    # THEN it hands over in that stage, having done at most the unit of work under way
    assert clock.out, f"the run never reported {runs_out_at!r}"
    assert stopped.value.stage == stops_in
    assert len(clock.reports_after) <= 1, clock.reports_after


class Countdown:
    """A real clock, armed at a stage: from then on `seconds` are left before the margin."""

    def __init__(self, stage: str, seconds: float, on_arm) -> None:
        self.stage, self.seconds, self.on_arm = stage, seconds, on_arm
        self.deadline: float | None = None  # monotonic time at which the margin is reached

    def on_progress(self, stage: str, fraction: float) -> None:
        if self.deadline is None and stage == self.stage:
            self.deadline = time.monotonic() + self.seconds
            self.on_arm()

    def remaining(self, at: float | None = None) -> float:
        assert self.deadline is not None
        return self.deadline - (time.monotonic() if at is None else at)

    def __call__(self) -> float:
        return MARGIN + (10_000.0 if self.deadline is None else self.remaining())


# (stage whose report starts the countdown, route the fake then holds, the video, where the run stops)
CALLS = [
    ("audio", TRANSCRIPTIONS, "talk_video", "transcribe"),
    ("transcribe", CHAT, "several_scenes_video", "vision"),
    ("blocks", CHAT, "several_scenes_video", "summarize"),
    ("chunk", EMBEDDINGS, "several_scenes_video", "index"),
]


@pytest.mark.parametrize(("armed_at", "route", "video", "stops_in"), CALLS)
def test_a_slow_openai_call_is_cut_to_the_time_left_and_handed_over(
    media, openai_settings, openai_fake, tmp_path, armed_at, route, video, stops_in
):
    # GIVEN 3 s left when the stage starts, and an OpenAI that answers in 60 s (the SDK default would wait
    # 4 tries x 120 s)
    left = 3.0
    clock = Countdown(armed_at, left, on_arm=lambda: openai_fake.delay(60.0, path=route))

    # WHEN the run reaches the slow call
    with pytest.raises(OutOfTime) as stopped:
        _openai_run(
            media,
            openai_settings,
            openai_fake,
            tmp_path,
            video=video,
            time_left=clock,
            on_progress=clock.on_progress,
        )

    # THEN it hands over in that stage before the budget is spent (slack for a busy machine: 1 s)
    assert stopped.value.stage == stops_in
    assert clock.remaining() > -1.0
    # AND every held request announced a timeout within what was left when it was sent
    held = [c for c in openai_fake.calls if c.path.endswith(route) and c.received_at >= clock.deadline - left]
    assert held, "the slow call was never made"
    for call in held:
        announced = float(call.headers["x-stainless-read-timeout"])
        assert announced <= clock.remaining(at=call.received_at) + 0.25  # request latency
        assert call.headers["x-stainless-retry-count"] == "0"  # the SDK does not retry on its own


def test_throttling_that_asks_for_more_than_the_time_left_gives_up_at_once(openai_fake, openai_settings):
    import numpy as np

    from lifestream.core.budget import Budget, DeadlineReached
    from lifestream.understand.transcribe.openai_stt import OpenAITranscriber

    # GIVEN a 429 asking for 30 s and 10 s left before the margin
    openai_fake.fail_next(10, status=429, retry_after=30)
    engine = OpenAITranscriber(openai_settings(transcriber="openai", openai_base_url=openai_fake.base_url))

    started = time.monotonic()
    with Budget(lambda: MARGIN + 10.0, margin=MARGIN).active(), pytest.raises(DeadlineReached):
        engine.transcribe(np.ones(16000, dtype=np.float32) * 0.1, language=None)

    # THEN one try, no wait (the SDK alone would have slept 30 s before each of its 3 retries)
    assert len(openai_fake.calls_to(TRANSCRIPTIONS, ok_only=False)) == 1
    assert time.monotonic() - started < 10.0
