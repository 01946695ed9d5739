"""What one owner may use, counted in the job database on both engines: a token bucket per owner that
refills with time and is never overspent by concurrent requests, the uploads they have in flight and
sent today, and a cap on their jobs processing at once (the others are deferred, not refused)."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from lifestream.jobs import JobStore


def test_a_bucket_gives_its_burst_then_refills_with_time(store, clock):
    take = lambda who: store.usage.take(who, "asks", per_minute=6, burst=3)  # noqa: E731
    assert [take("alice") for _ in range(3)] == [0.0, 0.0, 0.0]
    # Empty: the answer is how long until one token is back (6 a minute: 10 s), and nothing is spent.
    assert take("alice") == pytest.approx(10.0)
    clock.advance(4)
    assert take("alice") == pytest.approx(6.0)
    # Another owner has their own bucket.
    assert take("bob") == 0.0
    clock.advance(6.5)
    assert take("alice") == 0.0 and take("alice") > 0
    # Never more than the burst, however long the wait.
    clock.advance(3600)
    assert [take("alice") for _ in range(4)][-1] > 0


def test_concurrent_requests_never_overspend_a_bucket(pg_store):
    # GIVEN 8 requests of one owner at once, on connections of their own, for a bucket of 5 tokens
    stores = [JobStore(pg_store.engine.url.render_as_string(hide_password=False)) for _ in range(8)]
    barrier, results = threading.Barrier(len(stores)), []

    def request(store: JobStore) -> None:
        barrier.wait()
        results.append(store.usage.take("alice", "requests", per_minute=0.001, burst=5))

    threads = [threading.Thread(target=request, args=(s,)) for s in stores]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    for s in stores:
        s.close()
    # THEN exactly 5 got through
    assert sorted(r == 0.0 for r in results) == [False] * 3 + [True] * 5


def test_uploads_in_flight_and_bytes_of_the_day(store, clock, claim_args):
    usage = store.usage
    usage.record_upload("alice", "uploads/alice/a/walk.mp4", 100, video=True)
    usage.record_upload("alice", "uploads/alice/a/walk.vtt", 5, video=False)
    usage.record_upload("bob", "uploads/bob/b/x.mp4", 7, video=True)
    use = usage.uploads("alice", ticket_minutes=15)
    assert (use.in_flight, use.bytes_today) == (1, 105)
    assert usage.uploads("bob", ticket_minutes=15).in_flight == 1
    # Arrived: the ticket is done, the job is in flight instead (once, not twice) ...
    arrived = {**claim_args, "key": "uploads/alice/a/walk.mp4"}
    claim = store.claim(worker_id="w1", owner="alice", **arrived)
    assert usage.uploads("alice", ticket_minutes=15).in_flight == 1
    # ... until it ends.
    store.complete(
        claim.job.id, worker_id="w1", result_keys={}, duration=1, recorded_at=None, chunk_count=0
    )
    assert usage.uploads("alice", ticket_minutes=15).in_flight == 0
    # A ticket never used stops counting when it expires; bytes leave after a day.
    usage.record_upload("alice", "uploads/alice/c/never.mp4", 50, video=True)
    clock.advance(16 * 60)
    assert usage.uploads("alice", ticket_minutes=15).in_flight == 0
    clock.advance(timedelta(days=1).total_seconds())
    assert usage.uploads("alice", ticket_minutes=15).bytes_today == 0


def test_an_owner_at_their_processing_quota_is_deferred_and_others_are_not(store, claim_args):
    def claim(owner: str, n: int):
        args = {**claim_args, "key": f"uploads/{owner}/f{n}/v{n}.mp4"}
        return store.claim(worker_id=f"w-{owner}-{n}", owner=owner, max_processing=2, **args)

    first, second = claim("alice", 0), claim("alice", 1)
    assert (first.outcome, second.outcome) == ("claimed", "claimed")
    third = claim("alice", 2)
    # Deferred: still queued for the user to see, nothing taken.
    assert third.outcome == "deferred" and third.job.status == "queued" and third.job.attempts == 0
    assert claim("bob", 0).outcome == "claimed"
    # When one of alice's jobs ends, the deferred one is taken.
    store.complete(
        first.job.id, worker_id="w-alice-0", result_keys={}, duration=1, recorded_at=None, chunk_count=0
    )
    assert claim("alice", 2).outcome == "claimed"


def test_an_owners_uploads_are_counted_and_recorded_one_presign_at_a_time(store, store_url, clock):
    # GIVEN two API functions (stores on connections of their own) admitting alice's upload only when she
    # has none in flight, and each holding on (up to 2 s) after its count, as if descheduled there
    stores = [JobStore(store_url, clock=clock) for _ in range(2)]
    gate, admitted = threading.Barrier(2), []

    def admit(use) -> None:
        if use.in_flight >= 1:
            raise RuntimeError("no room")
        admitted.append(use)
        try:
            gate.wait(timeout=2)
        except threading.BrokenBarrierError:
            pass

    def presign(store: JobStore, n: int) -> None:
        try:
            store.usage.record_upload(
                "alice", f"uploads/alice/{n}/v.mp4", 10, video=True, admit=admit, ticket_minutes=15
            )
        except RuntimeError:
            pass

    threads = [threading.Thread(target=presign, args=(s, n)) for n, s in enumerate(stores)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    # THEN the second counted after the first recorded: one ticket, not two
    assert len(admitted) == 1
    assert store.usage.uploads("alice", ticket_minutes=15).in_flight == 1
    for s in stores:
        s.close()
