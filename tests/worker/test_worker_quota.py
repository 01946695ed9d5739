"""The processing quota in the worker: a user with as many jobs processing as allowed has their next
upload deferred, not refused and not retried into the DLQ: its message comes back later as a delayed
copy, the original is acknowledged, and the job waits, queued, until a slot is free."""

from __future__ import annotations

import json

from lifestream.core.constants import LOCAL_USER
from lifestream.worker import get_runtime


def test_a_user_at_their_processing_quota_waits_without_burning_retries(env_factory, sample):
    env = env_factory(
        visibility_timeout=1, max_receive_count=1, quota_jobs_processing=1, quota_defer_seconds=1
    )
    worker = env.worker()
    jobs = get_runtime().jobs
    # GIVEN another worker processing one of this user's videos (live claim)
    held = jobs.claim(
        bucket=env.bucket,
        key="uploads/first.mp4",
        version="v1",
        worker_id="other/1",
        stale_after=900,
        owner=LOCAL_USER,
    )
    assert held.outcome == "claimed"
    # WHEN their next upload arrives
    env.upload(sample.path, "uploads/second.mp4", subtitles=sample.subtitles)
    first = worker.invoke(worker.receive())
    # THEN it is not processed, but not failed either: acknowledged, its job queued, a delayed copy sent
    assert first.failed_ids == [] and first.crashed is None
    (waiting,) = [j for j in env.jobs() if j.key == "uploads/second.mp4"]
    assert (waiting.status, waiting.attempts) == ("queued", 0)
    # WHEN the other job ends and the delayed copy comes back
    jobs.complete(
        held.job.id, worker_id="other/1", result_keys={}, duration=1, recorded_at=None, chunk_count=0
    )
    stats = worker.run(until_idle=True, wait_for_retries=True, max_seconds=60)
    # THEN the video is processed, and nothing went to the DLQ (max_receive_count=1 would have sent it)
    (done,) = [j for j in env.jobs() if j.key == "uploads/second.mp4"]
    assert done.status == "completed" and done.attempts == 1, done.error
    assert stats.failed == 0
    dlq = env.cloud.sqs.receive_message(QueueUrl=env.cloud.resources.dlq_url, WaitTimeSeconds=0)
    assert [json.loads(m["Body"]) for m in dlq.get("Messages", [])] == []
