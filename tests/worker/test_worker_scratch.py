"""The worker refuses, before download, an object that cannot fit on its scratch disk: failed, acknowledged."""

from __future__ import annotations


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
