"""The worker refuses, before download, an object that cannot fit on its scratch disk: failed, acknowledged."""

from __future__ import annotations

import json
import logging

import lifestream.worker.processor


def test_an_object_larger_than_the_scratch_disk_fails_before_download(env, sample):
    env.upload(sample.path, "uploads/big-day.mp4")
    # GIVEN a scratch disk of 1 MB (the video is bigger than that with its reserve)
    stats = env.worker(ephemeral_storage_bytes=1024 * 1024).run(until_idle=True)

    assert stats.failed == 0
    job = env.only_job()
    assert job.status == "failed" and job.attempts == 1
    assert "ScratchSpaceError" in job.error and "LIFESTREAM_EPHEMERAL_STORAGE_BYTES" in job.error
    assert env.cloud.count(env.cloud.resources.queue_url) == 0
    assert env.cloud.count(env.cloud.resources.dlq_url) == 0


def test_an_oversized_sidecar_is_never_downloaded_and_the_video_still_completes(
    env, media, monkeypatch, caplog
):
    # GIVEN a video with a valid sidecar, and a subtitle limit smaller than that sidecar
    video, srt = media.sidecar_video()
    monkeypatch.setattr(lifestream.worker.processor, "MAX_SIDECAR_BYTES", srt.stat().st_size - 1)
    env.upload(video, "uploads/oversized-subs.mp4", subtitles=srt)
    with caplog.at_level(logging.WARNING):
        stats = env.worker(transcriber="auto").run(until_idle=True)

    # THEN the job completed without the sidecar (the worker never fetched it), and said why
    assert stats.failed == 0
    job = env.only_job()
    assert job.status == "completed", job.error
    summary = json.loads(
        env.cloud.s3.get_object(Bucket=env.bucket, Key=job.result_keys["json"])["Body"].read()
    )
    assert summary["transcriber"] != "subtitles"
    assert any(
        "ignoring sidecar subtitles oversized-subs.srt" in r.getMessage() and "limit" in r.getMessage()
        for r in caplog.records
    ), [r.getMessage() for r in caplog.records]
