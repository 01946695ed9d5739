"""Exactly one winner when many workers claim the same upload at the same moment."""

from __future__ import annotations

import multiprocessing
import threading
from collections import Counter

from lifestream.jobs import JobStore

ROUNDS = 6
CLAIMERS = 6


def _claim_all(url: str, worker: str, keys: list[str], barrier) -> list[str]:
    store = JobStore(url)
    outcomes = []
    try:
        for key in keys:
            barrier.wait(timeout=60)
            claim = store.claim(bucket="b", key=key, version="v1", worker_id=worker, stale_after=600)
            outcomes.append(claim.outcome)
    except BaseException:
        barrier.abort()  # let the other claimers fail fast instead of waiting for this one
        raise
    finally:
        store.close()
    return outcomes


def test_concurrent_threads_one_winner_per_upload(store, store_url):
    # GIVEN six workers, each with its own connection pool, released together at each of several uploads
    keys = [f"uploads/race-{n}.mp4" for n in range(ROUNDS)]
    barrier = threading.Barrier(CLAIMERS)
    results: dict[str, list[str]] = {}

    def run(worker: str) -> None:
        results[worker] = _claim_all(store_url, worker, keys, barrier)

    threads = [threading.Thread(target=run, args=(f"w{n}",)) for n in range(CLAIMERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    # THEN for every upload exactly one worker claimed it and all others were told it is busy
    assert len(results) == CLAIMERS
    for round_ in range(ROUNDS):
        outcomes = Counter(results[w][round_] for w in results)
        assert outcomes == {"claimed": 1, "busy": CLAIMERS - 1}, outcomes
    jobs = store.list_jobs()
    assert len(jobs) == ROUNDS
    assert all(job.attempts == 1 for job in jobs)


def _process_main(url, worker, keys, barrier, queue) -> None:
    try:
        queue.put((worker, _claim_all(url, worker, keys, barrier)))
    except BaseException as exc:  # noqa: BLE001 - reported to the parent
        queue.put((worker, repr(exc)))


def test_concurrent_processes_one_winner(store, store_url):
    # Separate processes: no shared Python locks, only the database decides.
    ctx = multiprocessing.get_context("spawn")
    processes_n = 4
    keys = [f"uploads/proc-race-{n}.mp4" for n in range(3)]
    barrier = ctx.Barrier(processes_n)
    queue = ctx.Queue()
    procs = [
        ctx.Process(target=_process_main, args=(store_url, f"p{n}", keys, barrier, queue))
        for n in range(processes_n)
    ]
    for p in procs:
        p.start()
    results = dict(queue.get(timeout=120) for _ in procs)
    for p in procs:
        p.join(timeout=30)
    for worker, outcome in results.items():
        assert isinstance(outcome, list), f"{worker} failed: {outcome}"
    for round_ in range(len(keys)):
        outcomes = Counter(results[w][round_] for w in results)
        assert outcomes == {"claimed": 1, "busy": processes_n - 1}, outcomes
