"""Claim semantics: what a worker gets when an upload is delivered once, twice, late or concurrently."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from lifestream.core.errors import JobNotFoundError, LifeStreamError
from lifestream.jobs import ClaimLostError, JobStatus, video_id_for


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


def test_stale_claim_is_taken_over_and_resumed(store, claim_args, clock):
    first = store.claim(worker_id="w1", **claim_args)
    store.update_progress(
        first.job.id, worker_id="w1", stage="transcribe", progress=0.4, checkpoint={"offset": 120.0}
    )
    clock.advance(59)
    assert store.claim(worker_id="w2", **claim_args).outcome == "busy"  # not stale yet
    clock.advance(2)  # w1 died: its heartbeat is now older than stale_after (60 s)
    # WHEN another worker claims it
    second = store.claim(worker_id="w2", **claim_args)
    # THEN w2 takes over, resuming from w1's checkpoint
    assert second.outcome == "claimed"
    assert second.resumed is True
    assert second.job.claimed_by == "w2"
    assert second.job.attempts == 2
    assert second.job.checkpoint == {"offset": 120.0}
    assert (second.job.stage, second.job.progress) == ("transcribe", 0.4)
    assert second.job.started_at == first.job.started_at


def test_progress_keeps_a_claim_alive(store, claim_args, clock):
    first = store.claim(worker_id="w1", **claim_args)
    for step in range(3):
        clock.advance(40)
        store.update_progress(first.job.id, worker_id="w1", stage="transcribe", progress=step / 3)
    # 120 s after the claim, but only 40 s after the last progress report
    assert store.claim(worker_id="w2", **claim_args).outcome == "busy"


def test_completed_job_is_not_processed_again(store, claim_args):
    claim = store.claim(worker_id="w1", **claim_args)
    recorded = datetime(2026, 11, 24, 9, 30, tzinfo=timezone(timedelta(hours=2)))
    done = store.complete(
        claim.job.id,
        worker_id="w1",
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
    failed = store.fail(claim.job.id, worker_id="w1", error="CorruptVideoError: moov atom not found")
    assert failed.status == JobStatus.FAILED
    assert failed.error == "CorruptVideoError: moov atom not found"
    assert failed.finished_at is not None
    again = store.claim(worker_id="w2", **{**claim_args, "stale_after": 0.0})
    assert again.outcome == "failed"
    assert again.job.attempts == 1


def test_released_job_is_claimed_again_with_its_checkpoint(store, claim_args):
    first = store.claim(worker_id="w1", **claim_args)
    store.update_progress(first.job.id, worker_id="w1", stage="keyframes", progress=0.2)
    # WHEN the worker runs out of time and hands the job back before sending a continuation
    released = store.release(
        first.job.id, worker_id="w1", checkpoint={"stage": "transcribe", "offset": 300.0}
    )
    assert released.status == JobStatus.QUEUED and released.claimed_by is None
    # THEN the continuation (even with a long stale_after) claims it at once and resumes
    second = store.claim(worker_id="w2", **{**claim_args, "stale_after": 3600})
    assert second.outcome == "claimed" and second.resumed is True
    assert second.job.checkpoint == {"stage": "transcribe", "offset": 300.0}
    assert (second.job.stage, second.job.progress, second.job.attempts) == ("keyframes", 0.2, 2)


def test_release_without_checkpoint_keeps_the_saved_one(store, claim_args):
    first = store.claim(worker_id="w1", **claim_args)
    store.update_progress(
        first.job.id, worker_id="w1", stage="audio", progress=0.3, checkpoint={"offset": 10}
    )
    released = store.release(first.job.id, worker_id="w1", checkpoint=None)
    assert released.checkpoint == {"offset": 10}


def test_abandoned_job_is_retried_at_once_and_remembers_why(store, claim_args):
    first = store.claim(worker_id="w1", **claim_args)
    abandoned = store.abandon(first.job.id, worker_id="w1", error="TransientError: Pinecone 503")
    assert abandoned.status == JobStatus.QUEUED
    assert abandoned.error == "TransientError: Pinecone 503"
    assert abandoned.claimed_by is None
    retry = store.claim(worker_id="w2", **{**claim_args, "stale_after": 3600})
    assert retry.outcome == "claimed"
    assert retry.resumed is False  # nothing was checkpointed
    assert retry.job.attempts == 2
    assert retry.job.error == "TransientError: Pinecone 503"  # kept for the record until the job ends
    done = store.complete(
        retry.job.id, worker_id="w2", result_keys={}, duration=None, recorded_at=None, chunk_count=None
    )
    assert done.error is None


def test_requeue_allows_reprocessing(store, claim_args):
    claim = store.claim(worker_id="w1", **claim_args)
    with pytest.raises(LifeStreamError, match="not requeued"):
        store.requeue(claim.job.id)  # a job being processed is its holder's
    store.complete(
        claim.job.id, worker_id="w1", result_keys={"md": "k"}, duration=1.0, recorded_at=None, chunk_count=1
    )
    requeued = store.requeue(claim.job.id)
    assert (requeued.status, requeued.progress, requeued.stage) == (JobStatus.QUEUED, 0.0, None)
    again = store.claim(worker_id="w2", **claim_args)
    assert again.outcome == "claimed" and again.job.attempts == 2


def test_progress_is_recorded_and_validated(store, claim_args, clock):
    claim = store.claim(worker_id="w1", **claim_args)
    before = store.get(claim.job.id).heartbeat_at
    clock.advance(1)
    job = store.update_progress(
        claim.job.id, worker_id="w1", stage="probe", progress=0.05, checkpoint={"probe": {"d": 1}}
    )
    assert (job.stage, job.progress, job.checkpoint) == ("probe", 0.05, {"probe": {"d": 1}})
    assert job.heartbeat_at == before + timedelta(seconds=1)  # progress counts as a heartbeat
    job = store.update_progress(claim.job.id, worker_id="w1", stage="audio", progress=0.5)
    assert job.checkpoint == {"probe": {"d": 1}}  # None keeps the saved checkpoint
    for bad in (-0.1, 1.5):
        with pytest.raises(ValueError, match="between 0 and 1"):
            store.update_progress(claim.job.id, worker_id="w1", stage="audio", progress=bad)
    assert store.get(claim.job.id).progress == 0.5


def _stale_writes(store, job_id, worker_id):
    """Every write a worker makes to a claimed job, as `worker_id`."""
    return {
        "update_progress": lambda: store.update_progress(
            job_id, worker_id=worker_id, stage="x", progress=0.9
        ),
        "complete": lambda: store.complete(
            job_id,
            worker_id=worker_id,
            result_keys={"md": "stale"},
            duration=9.0,
            recorded_at=None,
            chunk_count=9,
        ),
        "fail": lambda: store.fail(job_id, worker_id=worker_id, error="stale failure"),
        "abandon": lambda: store.abandon(job_id, worker_id=worker_id, error="stale abandon"),
        "release": lambda: store.release(job_id, worker_id=worker_id, checkpoint={"stale": True}),
        "forget": lambda: store.forget(job_id, worker_id=worker_id),
    }


def test_a_stale_worker_cannot_write_to_a_job_taken_over(store, claim_args, clock):
    # GIVEN w1's claim went stale and w2 took the job over and reported progress
    first = store.claim(worker_id="w1", **claim_args)
    clock.advance(61)
    second = store.claim(worker_id="w2", **claim_args)
    assert second.claimed
    store.update_progress(second.job.id, worker_id="w2", stage="summarize", progress=0.7, checkpoint={"w": 2})
    held = store.get(second.job.id)
    # WHEN w1 comes back and writes anything to the job
    for name, write in _stale_writes(store, first.job.id, "w1").items():
        with pytest.raises(ClaimLostError, match="no longer held by w1") as info:
            write()
        # THEN it is refused, tells who holds the job, and nothing changed
        assert info.value.job == held and not info.value.gone, name
        assert store.get(first.job.id) == held, name
    # AND w2 finishes normally; afterwards w1 still cannot touch the result
    done = store.complete(
        second.job.id, worker_id="w2", result_keys={"md": "w2"}, duration=1.0, recorded_at=None, chunk_count=1
    )
    for name, write in _stale_writes(store, first.job.id, "w1").items():
        with pytest.raises(ClaimLostError):
            write()
        assert store.get(first.job.id) == done, name


def test_a_finished_job_refuses_its_own_workers_second_write(store, claim_args):
    claim = store.claim(worker_id="w1", **claim_args)
    failed = store.fail(claim.job.id, worker_id="w1", error="CorruptVideoError: x")
    # The same worker's late transient handler must not requeue a permanently failed job.
    with pytest.raises(ClaimLostError, match="is failed and not claimed"):
        store.abandon(claim.job.id, worker_id="w1", error="TransientError: late")
    assert store.get(claim.job.id) == failed


def test_unknown_jobs_raise_job_not_found(store):
    with pytest.raises(JobNotFoundError):
        store.get(999)
    with pytest.raises(JobNotFoundError):
        store.get("not-a-number")
    with pytest.raises(JobNotFoundError):
        store.requeue(999)
    # A claimed job's writes for a job that does not exist: the claim is gone with it.
    for name, write in _stale_writes(store, 999, "w").items():
        if name == "forget":
            assert write() is False
            continue
        with pytest.raises(ClaimLostError) as info:
            write()
        assert info.value.gone
    assert store.find_by_video("nope-0000000000") is None


def test_job_ids_from_messages_may_be_text(store, claim_args):
    claim = store.claim(worker_id="w1", **claim_args)
    assert store.get(str(claim.job.id)) == store.get(claim.job.id)


def test_long_errors_are_truncated(store, claim_args):
    claim = store.claim(worker_id="w1", **claim_args)
    job = store.fail(claim.job.id, worker_id="w1", error="x" * 10_000)
    assert len(job.error) == 4000 and job.error.endswith("…")


def test_naive_datetimes_are_refused(store, claim_args):
    claim = store.claim(worker_id="w1", **claim_args)
    with pytest.raises(Exception, match="naive datetime"):
        store.complete(
            claim.job.id,
            worker_id="w1",
            result_keys={},
            duration=1.0,
            recorded_at=datetime(2026, 1, 1),
            chunk_count=0,
        )
    assert store.get(claim.job.id).status == JobStatus.PROCESSING  # nothing half-written


def test_list_jobs_filters_and_orders(store, claim_args, clock):
    ids = []
    for n in range(4):
        ids.append(store.claim(worker_id="w", **{**claim_args, "key": f"uploads/v{n}.mp4"}).job.id)
        clock.advance(1)
    store.complete(ids[1], worker_id="w", result_keys={}, duration=None, recorded_at=None, chunk_count=None)
    clock.advance(1)
    store.fail(ids[2], worker_id="w", error="bad")
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

    monkeypatch.setattr(
        store_module, "video_id_for", lambda bucket, key, version, name=None: "same-0123456789"
    )
    first = store.claim(worker_id="w1", **claim_args)
    # WHEN the second is claimed
    with pytest.raises(LifeStreamError, match="already used by"):
        store.claim(worker_id="w2", **{**claim_args, "key": "uploads/other.mp4"})
    # THEN the first job is untouched
    assert store.get(first.job.id).claimed_by == "w1"


def test_a_copy_claimed_under_another_name_is_the_same_video(store, claim_args):
    # Local files are keyed by content: the first name gives the id its readable part, later names
    # (a copy, a move) find the same video.
    content = {**claim_args, "bucket": "local", "key": "fp-0123", "version": "fp-0123"}
    first = store.claim(worker_id="w", name="garden talk.mp4", source="/a/garden talk.mp4", **content)
    again = store.claim(worker_id="w", name="copy.mp4", source="/b/copy.mp4", **content)
    assert first.job.video_id.startswith("garden-talk-") and again.job.video_id == first.job.video_id
    assert again.outcome == "busy" and again.job.source == "/a/garden talk.mp4"
    assert len(store.list_jobs()) == 1


def test_other_versions_and_forget(store, claim_args):
    old = store.claim(worker_id="w", **claim_args).job
    new = store.claim(worker_id="w", **{**claim_args, "version": "v2"}).job
    store.claim(worker_id="w", **{**claim_args, "key": "uploads/other.mp4"})
    assert [j.id for j in store.other_versions(new)] == [old.id]
    assert store.forget(old.id) is True and store.forget(old.id) is False
    assert store.other_versions(new) == []
    assert store.find_by_video(old.video_id) is None
    # The same upload delivered again later starts afresh
    assert store.claim(worker_id="w", **claim_args).job.attempts == 1


def test_a_failure_keeps_the_owners_reason_beside_the_operators_error(store, claim_args):
    # The operator's error names the file and the exception; the owner's reason says what is wrong.
    claim = store.claim(worker_id="w1", **claim_args)
    abandoned = store.abandon(
        claim.job.id, worker_id="w1", error="TransientError: db.internal:5432 closed", reason="retrying"
    )
    assert (abandoned.error, abandoned.reason) == ("TransientError: db.internal:5432 closed", "retrying")
    again = store.claim(worker_id="w2", **{**claim_args, "stale_after": 3600})
    failed = store.fail(
        again.job.id, worker_id="w2", error="CorruptVideoError: /tmp/x.mp4: moov", reason="not a video"
    )
    assert (failed.error, failed.reason) == ("CorruptVideoError: /tmp/x.mp4: moov", "not a video")
    # Reprocessing starts with neither.
    requeued = store.requeue(failed.id)
    assert (requeued.error, requeued.reason) == (None, None)
