"""A broken sidecar is not a broken video: the job completes with speech recognition and a warning."""

from __future__ import annotations

import json
import logging

import pytest


@pytest.mark.slow
def test_a_garbage_srt_beside_a_video_with_speech_falls_back_to_the_local_model(
    env, sample, tmp_path, caplog
):
    # GIVEN the sample video with speech, uploaded with an .srt that is not a subtitle file at all
    garbage = tmp_path / "garbage.srt"
    garbage.write_bytes(b"\x89PNG\r\n\x1a\n not subtitles \xff\xfe\x00\x01 -->\n")
    env.upload(sample.path, "uploads/broken-subs.mp4", subtitles=garbage)

    # WHEN the worker (choosing the transcript source itself) drains the queue
    with caplog.at_level(logging.WARNING, logger="lifestream.understand.transcribe"):
        stats = env.worker(transcriber="auto").run(until_idle=True)

    # THEN the job completed, transcribed by the local model, and the sidecar was reported
    assert stats.failed == 0
    job = env.only_job()
    assert job.status == "completed", job.error
    summary = json.loads(
        env.cloud.s3.get_object(Bucket=env.bucket, Key=job.result_keys["json"])["Body"].read()
    )
    assert summary["transcriber"] == "local"
    assert "compost" in json.dumps(summary).lower()  # words the model heard (the .srt has none)
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("ignoring sidecar subtitles broken-subs.srt" in w for w in warnings), warnings


def test_subtitles_required_but_only_a_broken_sidecar_fails_the_job_instead_of_retrying(env, media, tmp_path):
    # GIVEN a video whose only subtitles are garbage, and a worker allowed no other transcript source
    garbage = tmp_path / "garbage.srt"
    garbage.write_bytes(b"\x00\x01 not subtitles\n")
    env.upload(media.no_audio_video(), "uploads/needs-subs.mp4", subtitles=garbage)

    stats = env.worker(transcriber="subtitles").run(until_idle=True)

    # THEN it is a fact about the video: the job failed with what to do, and nothing goes to the DLQ
    job = env.only_job()
    assert job.status == "failed" and job.attempts == 1, job
    assert "NoSubtitlesError" in job.error and "LIFESTREAM_TRANSCRIBER=auto" in job.error
    assert stats.failed == 0
    assert env.cloud.count(env.cloud.resources.queue_url) == 0
    assert env.cloud.count(env.cloud.resources.dlq_url) == 0
