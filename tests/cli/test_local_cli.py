"""The local commands as a user types them: local up/status/down, upload, worker, dlq list/redrive, demo."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from lifestream.cli import app
from lifestream.core.errors import UnsupportedFileError
from lifestream.jobs import JobStore
from lifestream.local import cloud as local_cloud
from tests.support.postgres import free_port

runner = CliRunner()


@pytest.fixture
def cli_env(cloud, monkeypatch, tmp_path):
    values = {
        "LIFESTREAM_ENV": cloud.names.env,
        "LIFESTREAM_AWS_ENDPOINT_URL": cloud.resources.endpoint_url,
        "LIFESTREAM_BUCKET": cloud.resources.bucket,
        "LIFESTREAM_QUEUE_URL": cloud.resources.queue_url,
        "LIFESTREAM_DLQ_URL": cloud.resources.dlq_url,
        "LIFESTREAM_DATA_DIR": str(tmp_path / "data"),
        "LIFESTREAM_TRANSCRIBER": "subtitles",
        "LIFESTREAM_SUMMARIZER": "extractive",
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    return cloud


def test_upload_then_worker_then_dlq(cli_env, sample, tmp_path):
    cloud = cli_env
    # WHEN a video is uploaded with its subtitles and the worker drains the queue
    result = runner.invoke(
        app, ["upload", str(sample.path), "--subtitles", str(sample.subtitles), "--folder", "2026-05-02"]
    )
    assert result.exit_code == 0, result.output
    assert "uploads/2026-05-02/my-day.mp4" in result.output
    result = runner.invoke(app, ["worker", "--until-idle"])
    assert result.exit_code == 0, result.output
    output = " ".join(result.output.split())
    assert "1 messages done, 0 to be retried" in output
    # THEN the job completed in the local SQLite job store
    (job,) = JobStore(f"sqlite:///{tmp_path / 'data' / 'jobs.db'}").list_jobs()
    assert (job.status, job.key) == ("completed", "uploads/2026-05-02/my-day.mp4")
    # GIVEN a dead message in the DLQ
    cloud.sqs.send_message(QueueUrl=cloud.resources.dlq_url, MessageBody="garbage {")
    # WHEN listed, it is shown as malformed, and it stays there
    result = runner.invoke(app, ["dlq", "list"])
    assert result.exit_code == 0 and "malformed" in result.output
    assert cloud.count(cloud.resources.dlq_url) == 1
    # WHEN redriven, it moves back to the processing queue
    result = runner.invoke(app, ["dlq", "redrive"])
    assert result.exit_code == 0 and "moved 1 message" in result.output
    assert cloud.count(cloud.resources.dlq_url) == 0
    assert [m["Body"] for m in cloud.drain()] == ["garbage {"]


def test_upload_takes_the_sidecars_the_worker_will_find(cli_env, sample, tmp_path):
    import shutil

    # GIVEN a video with sidecar subtitles named as people name them: any case, a language tag
    folder = tmp_path / "videos"
    folder.mkdir()
    video = folder / "talk.mp4"
    shutil.copy(sample.path, video)
    shutil.copy(sample.subtitles, folder / "talk.SRT")
    shutil.copy(sample.subtitles, folder / "talk.en.srt")
    (folder / "talk.notes.txt").write_text("not subtitles")
    # WHEN it is uploaded (no --subtitles) and the worker, which requires subtitles here, runs
    assert runner.invoke(app, ["upload", str(video)]).exit_code == 0
    keys = sorted(o["Key"] for o in cli_env.s3.list_objects_v2(Bucket=cli_env.resources.bucket)["Contents"])
    # THEN both sidecars went beside the video, and the worker found and used them
    assert keys == ["uploads/talk.en.srt", "uploads/talk.mp4", "uploads/talk.srt"]
    result = runner.invoke(app, ["worker", "--until-idle"])
    assert result.exit_code == 0, result.output
    (job,) = JobStore(f"sqlite:///{tmp_path / 'data' / 'jobs.db'}").list_jobs()
    assert job.status == "completed", job.error


def test_upload_refuses_what_is_not_a_video(cli_env, tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("hello")
    result = runner.invoke(app, ["upload", str(notes)])
    assert isinstance(result.exception, UnsupportedFileError)
    assert "not a video" in str(result.exception)
    missing = runner.invoke(app, ["upload", str(tmp_path / "nope.mp4")])
    assert isinstance(missing.exception, UnsupportedFileError)


def test_commands_need_a_running_local_cloud(monkeypatch, tmp_path):
    monkeypatch.setenv("LIFESTREAM_DATA_DIR", str(tmp_path / "data"))
    result = runner.invoke(app, ["worker", "--once"])
    assert "lifestream local up" in str(result.exception)


def test_local_up_status_down(tmp_path, monkeypatch):
    monkeypatch.setenv("LIFESTREAM_DATA_DIR", str(tmp_path / "data"))
    port = free_port()
    state = tmp_path / "state"
    try:
        up = runner.invoke(app, ["local", "up", "--port", str(port), "--state-dir", str(state)])
        assert up.exit_code == 0, up.output
        assert f"127.0.0.1:{port}" in up.output and "started" in up.output
        again = runner.invoke(app, ["local", "up", "--state-dir", str(state)])
        assert "already running" in again.output
        assert runner.invoke(app, ["local", "status", "--state-dir", str(state)]).exit_code == 0
    finally:
        down = runner.invoke(app, ["local", "down", "--state-dir", str(state)])
    assert "stopped" in down.output
    assert runner.invoke(app, ["local", "status", "--state-dir", str(state)]).exit_code == 1


@pytest.mark.slow
def test_demo_runs_end_to_end_and_again(tmp_path, monkeypatch):
    from lifestream.cli.local_cmds import run_demo
    from lifestream.core.settings import load_settings

    monkeypatch.setenv("LIFESTREAM_DATA_DIR", str(tmp_path / "data"))
    port = free_port()
    # WHEN the demo runs on a fresh machine state
    first = run_demo(base_settings=load_settings(), port=port)
    # THEN the sample was transcribed, the diary written, search and ask found the moments, all cited
    assert first["job"].status == "completed"
    assert first["markdown"].startswith("# Daily Summary:")
    assert first["results"] and first["results"][0].video_id == first["job"].video_id
    assert "compost" in " ".join(r.text.lower() for r in first["results"])
    # Only what clears ask's threshold by its own words is shown as found ("what do I need to buy")
    shown = {r.id: r.text.lower() for r in first["results"]}
    assert first["found"] and all("buy" in shown[i] for i in first["found"])
    assert first["answer"].citations and "dentist" in first["answer"].text.lower()
    # AND it stopped the local cloud it started
    assert local_cloud.status(local_cloud.default_state_dir(load_settings())) is None
    # WHEN it runs again, it gives the same answer from one job
    second = run_demo(base_settings=load_settings(), port=port)
    assert second["job"].video_id == first["job"].video_id
    jobs = JobStore(f"sqlite:///{tmp_path / 'data' / 'jobs.db'}").list_jobs()
    assert len(jobs) == 1 and jobs[0].status == "completed"
    assert json.dumps(second["answer"].model_dump(mode="json"))


def test_worker_says_when_the_queue_is_unreachable(monkeypatch, tmp_path):
    port = free_port()  # nothing listens there
    for name, value in {
        "LIFESTREAM_DATA_DIR": str(tmp_path / "data"),
        "LIFESTREAM_AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}",
        "LIFESTREAM_BUCKET": "lifestream-local-videos-123456789012",
        "LIFESTREAM_QUEUE_URL": f"http://127.0.0.1:{port}/123456789012/lifestream-local-processing",
        "AWS_MAX_ATTEMPTS": "1",
    }.items():
        monkeypatch.setenv(name, value)
    result = runner.invoke(app, ["worker", "--once"])
    assert "is not reachable" in str(result.exception)
