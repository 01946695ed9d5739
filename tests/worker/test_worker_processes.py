"""Worker processes (`lifestream worker` as a user runs it) racing each other and being killed mid-job."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from lifestream.jobs import JobStore
from tests.worker.conftest import Env


def _cli_env(env: Env, **extra: str) -> dict[str, str]:
    s = env.settings
    values = {
        "LIFESTREAM_ENV": s.env,
        "LIFESTREAM_DATA_DIR": str(s.data_dir),
        "LIFESTREAM_AWS_ENDPOINT_URL": s.aws_endpoint_url,
        "LIFESTREAM_BUCKET": s.resolved_bucket,
        "LIFESTREAM_QUEUE_URL": s.queue_url,
        "LIFESTREAM_DLQ_URL": s.dlq_url,
        "LIFESTREAM_DATABASE_URL": s.database_url,
        "LIFESTREAM_FAISS_DIR": str(s.resolved_faiss_dir),
        "LIFESTREAM_TRANSCRIBER": s.transcriber,
        "LIFESTREAM_SUMMARIZER": s.summarizer,
    }
    values.update(extra)
    return {**os.environ, **values}


def _start_worker(env: Env, *args: str, **extra: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "lifestream", "worker", *args],
        env=_cli_env(env, **extra),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        text=True,
    )


def test_two_worker_processes_on_duplicate_deliveries_make_one_job(env_factory, sample):
    env = env_factory(visibility_timeout=2, max_receive_count=5)
    # GIVEN one upload whose notification arrives twice, and two workers polling at the same time
    env.upload(sample.path, "uploads/raced.mp4", subtitles=sample.subtitles)
    (body,) = [m["Body"] for m in env.cloud.drain()]
    for _ in range(2):
        env.cloud.sqs.send_message(QueueUrl=env.cloud.resources.queue_url, MessageBody=body)
    workers = [_start_worker(env, "--until-idle", "--batch-size", "1") for _ in range(2)]
    outputs = [w.communicate(timeout=120)[0] for w in workers]
    assert [w.returncode for w in workers] == [0, 0], outputs
    # THEN (whichever way the race went) there is one job, done once, with one set of vectors
    # (a retry of a 'busy' duplicate is acknowledged once the job has completed)
    deadline = time.monotonic() + 30
    while env.cloud.count(env.cloud.resources.queue_url) and time.monotonic() < deadline:
        env.worker().run(until_idle=True, wait_for_retries=True, max_seconds=20)
    jobs = JobStore(env.settings.database_url).list_jobs()
    assert len(jobs) == 1
    job = jobs[0]
    assert (job.status, job.attempts) == ("completed", 1)
    env.worker()  # a fresh runtime on these settings reads the FAISS index the processes wrote
    assert len(env.vector_ids(job.video_id)) == job.chunk_count
    assert env.cloud.count(env.cloud.resources.dlq_url) == 0


@pytest.mark.slow
def test_worker_killed_mid_job_is_completed_once_by_the_redelivery(env_factory, sample):
    # GIVEN a worker process transcribing a video with the local speech model
    env = env_factory(visibility_timeout=3, max_receive_count=6, transcriber="local")
    env.upload(sample.path, "uploads/killed.mp4")
    victim = _start_worker(env, "--until-idle")
    store = JobStore(env.settings.database_url)
    try:
        deadline = time.monotonic() + 90
        job = None
        while time.monotonic() < deadline:
            jobs = store.list_jobs()
            if jobs and jobs[0].status == "processing":
                job = jobs[0]
                break
            assert victim.poll() is None, victim.communicate()[0]
            time.sleep(0.02)
        assert job is not None, "the worker never started the job"
        # WHEN it is killed in the middle (no cleanup, no abandon, message not deleted)
        os.killpg(victim.pid, signal.SIGKILL)
    finally:
        if victim.poll() is None:
            os.killpg(victim.pid, signal.SIGKILL)
        victim.wait(timeout=30)
    assert store.get(job.id).status == "processing"
    # AND another worker picks the message up again once it is visible and the claim is stale
    worker = env.worker(worker_stale_claim_seconds=2.0)
    stats = worker.run(until_idle=True, wait_for_retries=True, max_seconds=120)
    # THEN the job completes once, with one set of vectors and nothing left over
    done = store.get(job.id)
    assert done.status == "completed", done.error
    assert done.attempts >= 2
    assert stats.succeeded >= 1
    assert len(env.vector_ids(done.video_id)) == done.chunk_count
    assert env.cloud.count(env.cloud.resources.dlq_url) == 0
    assert env.keys(f"state/{done.video_id}/") == []
