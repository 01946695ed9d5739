"""A download that would run past the invocation's end is handed over, not cut off by Lambda."""

from __future__ import annotations

from lifestream.local.worker import LocalLambdaContext
from lifestream.storage import s3_service


class OneLook(LocalLambdaContext):
    """Time for the first look at the clock (the record may start), none at the next."""

    def __init__(self) -> None:
        super().__init__(function_name="worker", timeout_seconds=61.0)
        self.looks = 0

    def get_remaining_time_in_millis(self) -> int:
        self.looks += 1
        return 60_500 if self.looks == 1 else 59_500


def test_a_download_that_runs_out_of_time_sends_a_continuation(env, sample, monkeypatch):
    # GIVEN a download that looks at the clock at every chunk (a big file on a slow link, in effect)
    monkeypatch.setattr(s3_service, "STOP_CHECK_SECONDS", 0.0)
    env.upload(sample.path, "uploads/slow-link.mp4", subtitles=sample.subtitles)
    worker = env.worker(worker_safety_margin_seconds=60.0)
    worker.context_factory = OneLook

    # WHEN one invocation takes the record and its time runs out during the download
    result = worker.invoke(worker.receive(wait_seconds=2))

    # THEN the record is acknowledged, the job handed back and a continuation queued for the download
    assert result.failed_ids == []
    job = env.only_job()
    assert job.status == "queued" and job.claimed_by is None
    (continuation,) = env.cloud.bodies()
    assert continuation["kind"] == "lifestream.continuation" and continuation["stage"] == "download"
    assert list(env.lambda_tmp.iterdir()) == []
