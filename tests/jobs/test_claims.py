"""Claim semantics: what a worker gets when an upload is delivered once, twice, late or concurrently."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta, timezone

import pytest

from lifestream.core.errors import JobNotFoundError, LifeStreamError
from lifestream.jobs import JobStatus, video_id_for


def test_first_delivery_claims_a_new_job(store, claim_args):
    # WHEN a worker claims an upload nobody has seen
    claim = store.claim(worker_id="w1", **claim_args)
    # THEN it owns a processing job for the deterministic video id
    assert claim.outcome == "claimed" and claim.claimed
    assert claim.resumed is False
    job = claim.job
    assert job.video_id == video_id_for(claim_args["bucket"], claim_args["key"], claim_args["version"])
    assert (job.bucket, job.key, job.version, job.size) == (
        claim_args["bucket"],
        claim_args["key"],
        claim_args["version"],
        claim_args["size"],
    )
    assert job.status == JobStatus.PROCESSING
    assert job.attempts == 1
    assert job.claimed_by == "w1"
    assert job.started_at is not None and job.started_at.tzinfo is not None
    assert store.find_by_video(job.video_id) == store.get(job.id)


def test_live_claim_makes_a_redelivery_busy(store, claim_args):
    first = store.claim(worker_id="w1", **claim_args)
    # WHEN the same upload is delivered again while w1 is still heartbeating
    second = store.claim(worker_id="w2", **claim_args)
    # THEN w2 is told it is busy and nothing changes
    assert second.outcome == "busy"
    assert second.job.id == first.job.id
    assert second.job.claimed_by == "w1"
    assert second.job.attempts == 1


def test_stale_claim_is_taken_over_and_resumed(store, claim_args):
    first = store.claim(worker_id="w1", **{**claim_args, "stale_after": 0.05})
    store.update_progress(first.job.id, stage="transcribe", progress=0.4, checkpoint={"offset": 120.0})
    time.sleep(0.15)  # w1 died: its heartbeat is now older than stale_after
    # WHEN another worker claims it
    second = store.claim(worker_id="w2", **{**claim_args, "stale_after": 0.05})
    # THEN w2 takes over, resuming from w1's checkpoint
    assert second.outcome == "claimed"
    assert second.resumed is True
    assert second.job.claimed_by == "w2"
    assert second.job.attempts == 2
    assert second.job.checkpoint == {"offset": 120.0}
    assert (second.job.stage, second.job.progress) == ("transcribe", 0.4)
    assert second.job.started_at == first.job.started_at


def test_heartbeat_keeps_a_claim_alive(store, claim_args):
    first = store.claim(worker_id="w1", **{**claim_args, "stale_after": 0.3})
    for _ in range(3):
        time.sleep(0.15)
        assert store.heartbeat(first.job.id) is True
    # 0.45 s after the claim, but only 0.15 s after the last heartbeat
    assert store.claim(worker_id="w2", **{**claim_args, "stale_after": 0.3}).outcome == "busy"


def test_completed_job_is_not_processed_again(store, claim_args):
    claim = store.claim(worker_id="w1", **claim_args)
    recorded = datetime(2026, 11, 24, 9, 30, tzinfo=timezone(timedelta(hours=2)))
    done = store.complete(
        claim.job.id,
        result_keys={"markdown": "results/x/summary.md", "json": "results/x/summary.json"},
        duration=61.5,
        recorded_at=recorded,
        chunk_count=7,
    )
    assert done.status == JobStatus.COMPLETED
    assert (done.progress, done.stage, done.claimed_by, done.checkpoint) == (1.0, "done", None, None)
    assert done.result_keys == {"markdown": "results/x/summary.md", "json": "results/x/summary.json"}
    assert (done.duration, done.chunk_count) == (61.5, 7)
    assert done.recorded_at == recorded and done.recorded_at.tzinfo == UTC
    assert done.finished_at is not None
    # WHEN the upload is delivered again, even with stale_after=0
    again = store.claim(worker_id="w2", **{**claim_args, "stale_after": 0.0})
    # THEN it is reported completed and left alone
    assert again.outcome == "completed"
    assert again.job == done


def test_failed_job_is_acknowledged_not_retried(store, claim_args):
    claim = store.claim(worker_id="w1", **claim_args)
    failed = store.fail(claim.job.id, error="CorruptVideoError: moov atom not found")
    assert failed.status == JobStatus.FAILED
    assert failed.error == "CorruptVideoError: moov atom not found"
    assert failed.finished_at is not None
    again = store.claim(worker_id="w2", **{**claim_args, "stale_after": 0.0})
    assert again.outcome == "failed"
    assert again.job.attempts == 1


def test_released_job_is_claimed_again_with_its_checkpoint(store, claim_args):
    first = store.claim(worker_id="w1", **claim_args)
    store.update_progress(first.job.id, stage="keyframes", progress=0.2)
    # WHEN the worker runs out of time and hands the job back before sending a continuation
    released = store.release(first.job.id, checkpoint={"stage": "transcribe", "offset": 300.0})
    assert released.status == JobStatus.QUEUED and released.claimed_by is None
    # THEN the continuation (even with a long stale_after) claims it at once and resumes
    second = store.claim(worker_id="w2", **{**claim_args, "stale_after": 3600})
    assert second.outcome == "claimed" and second.resumed is True
    assert second.job.checkpoint == {"stage": "transcribe", "offset": 300.0}
    assert (second.job.stage, second.job.progress, second.job.attempts) == ("keyframes", 0.2, 2)


def test_release_without_checkpoint_keeps_the_saved_one(store, claim_args):
    first = store.claim(worker_id="w1", **claim_args)
    store.update_progress(first.job.id, stage="audio", progress=0.3, checkpoint={"offset": 10})
    released = store.release(first.job.id, checkpoint=None)
    assert released.checkpoint == {"offset": 10}


def test_abandoned_job_is_retried_at_once_and_remembers_why(store, claim_args):
    first = store.claim(worker_id="w1", **claim_args)
    abandoned = store.abandon(first.job.id, error="TransientError: Pinecone 503")
    assert abandoned.status == JobStatus.QUEUED
    assert abandoned.error == "TransientError: Pinecone 503"
    assert abandoned.claimed_by is None
    retry = store.claim(worker_id="w2", **{**claim_args, "stale_after": 3600})
    assert retry.outcome == "claimed"
    assert retry.resumed is False  # nothing was checkpointed
    assert retry.job.attempts == 2
    assert retry.job.error == "TransientError: Pinecone 503"  # kept for the record until the job ends
    done = store.complete(retry.job.id, result_keys={}, duration=None, recorded_at=None, chunk_count=None)
    assert done.error is None


def test_requeue_allows_reprocessing(store, claim_args):
    claim = store.claim(worker_id="w1", **claim_args)
    store.complete(claim.job.id, result_keys={"md": "k"}, duration=1.0, recorded_at=None, chunk_count=1)
    requeued = store.requeue(claim.job.id)
    assert (requeued.status, requeued.progress, requeued.stage) == (JobStatus.QUEUED, 0.0, None)
    again = store.claim(worker_id="w2", **claim_args)
    assert again.outcome == "claimed" and again.job.attempts == 2


def test_progress_is_recorded_and_validated(store, claim_args):
    claim = store.claim(worker_id="w1", **claim_args)
    before = store.get(claim.job.id).heartbeat_at
    time.sleep(0.01)
    job = store.update_progress(claim.job.id, stage="probe", progress=0.05, checkpoint={"probe": {"d": 1}})
    assert (job.stage, job.progress, job.checkpoint) == ("probe", 0.05, {"probe": {"d": 1}})
    assert job.heartbeat_at > before  # progress counts as a heartbeat
    job = store.update_progress(claim.job.id, stage="audio", progress=0.5)
    assert job.checkpoint == {"probe": {"d": 1}}  # None keeps the saved checkpoint
    for bad in (-0.1, 1.5):
        with pytest.raises(ValueError, match="between 0 and 1"):
            store.update_progress(claim.job.id, stage="audio", progress=bad)
    assert store.get(claim.job.id).progress == 0.5


def test_heartbeat_reports_a_lost_claim(store, claim_args):
    claim = store.claim(worker_id="w1", **claim_args)
    store.fail(claim.job.id, error="boom")
    assert store.heartbeat(claim.job.id) is False


def test_unknown_jobs_raise_job_not_found(store):
    with pytest.raises(JobNotFoundError):
        store.get(999)
    with pytest.raises(JobNotFoundError):
        store.get("not-a-number")
    with pytest.raises(JobNotFoundError):
        store.heartbeat(999)
    with pytest.raises(JobNotFoundError):
        store.complete(999, result_keys={}, duration=None, recorded_at=None, chunk_count=None)
    for method in (store.fail, store.abandon):
        with pytest.raises(JobNotFoundError):
            method(999, error="x")
    assert store.find_by_video("nope-0000000000") is None


def test_job_ids_from_messages_may_be_text(store, claim_args):
    claim = store.claim(worker_id="w1", **claim_args)
    assert store.get(str(claim.job.id)) == store.get(claim.job.id)


def test_long_errors_are_truncated(store, claim_args):
    claim = store.claim(worker_id="w1", **claim_args)
    job = store.fail(claim.job.id, error="x" * 10_000)
    assert len(job.error) == 4000 and job.error.endswith("…")


def test_naive_datetimes_are_refused(store, claim_args):
    claim = store.claim(worker_id="w1", **claim_args)
    with pytest.raises(Exception, match="naive datetime"):
        store.complete(
            claim.job.id, result_keys={}, duration=1.0, recorded_at=datetime(2026, 1, 1), chunk_count=0
        )
    assert store.get(claim.job.id).status == JobStatus.PROCESSING  # nothing half-written


def test_list_jobs_filters_and_orders(store, claim_args):
    ids = []
    for n in range(4):
        ids.append(store.claim(worker_id="w", **{**claim_args, "key": f"uploads/v{n}.mp4"}).job.id)
        time.sleep(0.01)
    store.complete(ids[1], result_keys={}, duration=None, recorded_at=None, chunk_count=None)
    store.fail(ids[2], error="bad")
    listed = store.list_jobs()
    assert [j.id for j in listed] == [ids[2], ids[1], ids[3], ids[0]]  # most recently updated first
    assert [j.id for j in store.list_jobs(status="completed")] == [ids[1]]
    assert [j.id for j in store.list_jobs(status=JobStatus.PROCESSING)] == [ids[3], ids[0]]
    assert len(store.list_jobs(limit=2)) == 2
    with pytest.raises(ValueError):
        store.list_jobs(status="bogus")


def test_versions_of_the_same_key_are_separate_jobs(store, claim_args):
    a = store.claim(worker_id="w", **claim_args)
    b = store.claim(worker_id="w", **{**claim_args, "version": "another-version"})
    assert a.job.id != b.job.id and a.job.video_id != b.job.video_id
    assert b.outcome == "claimed"


def test_colliding_video_ids_are_never_mixed(store, claim_args, monkeypatch):
    # GIVEN two different uploads that (by a 1-in-2^40 accident) get the same video id
    import lifestream.jobs.store as store_module

    monkeypatch.setattr(store_module, "video_id_for", lambda bucket, key, version: "same-0123456789")
    first = store.claim(worker_id="w1", **claim_args)
    # WHEN the second is claimed
    with pytest.raises(LifeStreamError, match="already used by"):
        store.claim(worker_id="w2", **{**claim_args, "key": "uploads/other.mp4"})
    # THEN the first job is untouched
    assert store.get(first.job.id).claimed_by == "w1"
