"""Job-store throughput: the database work one video costs, and claims under contention.

Runs against a SQLite file and a throwaway PostgreSQL 15 server on 127.0.0.1 (as the tests do).
Per video the worker does: claim, ~12 progress updates (one per stage), complete — so "videos/s" is
the ceiling the job store puts on the pipeline (it is far above what media processing allows).

    .venv/bin/python bench/bench_jobstore.py [--videos 300] [--workers 4]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

from lifestream.jobs import JobStore  # noqa: E402
from tests.support.postgres import destroy, start_postgres  # noqa: E402

PROGRESS_UPDATES = 12


def one_video(store: JobStore, n: int, worker: str) -> list[float]:
    """Latency (s) of each call for one video's life."""
    times = []
    t = time.perf_counter()
    claim = store.claim(
        bucket="bench", key=f"uploads/v{n}.mp4", version="1", worker_id=worker, stale_after=900
    )
    times.append(time.perf_counter() - t)
    if not claim.claimed:
        return times
    for step in range(PROGRESS_UPDATES):
        t = time.perf_counter()
        store.update_progress(
            claim.job.id, worker_id=worker, stage=f"s{step}", progress=step / PROGRESS_UPDATES
        )
        times.append(time.perf_counter() - t)
    t = time.perf_counter()
    store.complete(
        claim.job.id, worker_id=worker, result_keys={"md": "x"}, duration=1.0, recorded_at=None, chunk_count=1
    )
    times.append(time.perf_counter() - t)
    return times


def sequential(url: str, videos: int) -> tuple[float, list[float]]:
    store = JobStore(url)
    store.migrate()
    start = time.perf_counter()
    latencies = [lat for n in range(videos) for lat in one_video(store, n, "w0")]
    elapsed = time.perf_counter() - start
    store.close()
    return videos / elapsed, latencies


def contended(url: str, videos: int, workers: int) -> tuple[float, int]:
    """`workers` stores race for the same uploads; returns claims/s and how many were won (must = videos)."""
    stores = [JobStore(url) for _ in range(workers)]
    stores[0].migrate()
    won = 0
    lock = threading.Lock()
    barrier = threading.Barrier(workers)

    def run(i: int) -> None:
        nonlocal won
        barrier.wait()
        for n in range(videos):
            claim = stores[i].claim(
                bucket="race", key=f"uploads/r{n}.mp4", version="1", worker_id=f"w{i}", stale_after=900
            )
            if claim.claimed:
                with lock:
                    won += 1

    threads = [threading.Thread(target=run, args=(i,)) for i in range(workers)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    for s in stores:
        s.close()
    return videos * workers / elapsed, won


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--videos", type=int, default=300)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    console = Console()
    server = start_postgres()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            engines = {
                "SQLite (file)": (f"sqlite:///{tmp}/a.db", f"sqlite:///{tmp}/b.db"),
                "PostgreSQL 15": (server.create_database("bench_a"), server.create_database("bench_b")),
            }
            table = Table(title=f"Job store: {args.videos} videos, {PROGRESS_UPDATES} progress updates each")
            for column in (
                "engine",
                "videos/s",
                "call p50 ms",
                "call p99 ms",
                f"contended claims/s ({args.workers} workers)",
                "won / uploads",
            ):
                table.add_column(column, justify="right")
            for name, (url_a, url_b) in engines.items():
                rate, lat = sequential(url_a, args.videos)
                q = statistics.quantiles(lat, n=100)
                claims, won = contended(url_b, args.videos, args.workers)
                table.add_row(
                    name,
                    f"{rate:.0f}",
                    f"{q[49] * 1000:.2f}",
                    f"{q[98] * 1000:.2f}",
                    f"{claims:.0f}",
                    f"{won} / {args.videos}",
                )
            console.print(table)
    finally:
        destroy(server)


if __name__ == "__main__":
    main()
