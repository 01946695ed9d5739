"""`lifestream process` → diary + index + job store, then `jobs`, `status`, `show`, `ask` on the result."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from lifestream.core.errors import (
    ConfigError,
    InputError,
    JobNotFoundError,
    LifeStreamError,
    UnsupportedFileError,
)
from lifestream.core.settings import load_settings
from lifestream.jobs import JobStore, video_id_for

REPO = Path(__file__).resolve().parents[2]


def test_process_then_inspect_and_ask(cli, cli_json, talk, tmp_path):
    # WHEN a person processes a video with its subtitles beside it
    result = cli("process", talk.path)
    # THEN it succeeds with a summary table naming the video and a diary path
    assert result.exit_code == 0, result.output
    assert "LifeStream: processed videos" in result.stdout
    assert "completed" in result.stdout
    for stage in ("probe", "transcribe", "index"):
        assert stage in result.stdout  # one progress bar per stage that ran

    [job] = cli_json("jobs")
    assert job["status"] == "completed" and job["progress"] == 1.0 and job["attempts"] == 1
    assert job["bucket"] == "local" and job["source"] == str(talk.path.resolve())
    assert job["video_id"].startswith("garden-talk-")
    assert abs(job["duration"] - talk.duration) < 0.5
    assert job["recorded_at"].startswith("2026-05-02T09:30:00")  # from the container, not the file time
    assert job["chunk_count"] >= 3
    markdown_path = Path(job["result_keys"]["markdown"])
    assert markdown_path.is_absolute()
    assert markdown_path == (tmp_path / ".lifestream" / "results" / job["video_id"] / "summary.md").resolve()

    # status by id prefix, as a person types it
    detail = cli_json("status", "garden")
    assert detail["id"] == job["id"]
    human = cli("status", str(job["id"]))
    assert human.exit_code == 0 and "completed" in human.stdout and str(talk.path.resolve()) in human.stdout

    # show prints the Markdown diary exactly as written
    shown = cli("show", job["video_id"])
    assert shown.exit_code == 0
    assert shown.stdout == markdown_path.read_text(encoding="utf-8")
    assert shown.stdout.startswith("# Daily Summary: 2026-05-02")

    # ask finds the spoken commitment and cites the moment it was said
    answer = cli_json("ask", "What do we need to buy from the hardware store?")
    assert answer["grounded"] is True
    assert "compost" in answer["text"]
    cue_start, cue_end, _ = talk.cues[1]
    assert any(
        c["video_id"] == job["video_id"] and c["start"] <= cue_end and c["end"] >= cue_start
        for c in answer["citations"]
    )
    human_answer = cli("ask", "What do we need to buy from the hardware store?")
    assert f"[{job['video_id']}, 00:00:" in human_answer.stdout


def test_second_run_skips_and_force_reprocesses(cli, cli_json, talk):
    assert cli("process", "--no-index", talk.path).exit_code == 0
    first = cli_json("jobs")[0]
    # WHEN the same file is processed again
    again = cli_json("process", "--no-index", talk.path)
    # THEN nothing is redone
    assert again[0]["status"] == "skipped" and "already processed" in again[0]["message"]
    assert cli_json("jobs")[0]["attempts"] == 1
    # AND --force redoes it as a new attempt of the same job
    forced = cli_json("process", "--no-index", "--force", talk.path)
    assert forced[0]["status"] == "completed"
    job = cli_json("jobs")[0]
    assert (job["id"], job["attempts"], job["status"]) == (first["id"], 2, "completed")


def test_a_copied_or_moved_file_is_the_same_video_with_one_vector_set(cli, cli_json, talk, tmp_path):
    from lifestream.memory.embeddings import make_embedder
    from lifestream.memory.vectors import make_vector_store

    # GIVEN a processed (and indexed) video
    first = cli_json("process", talk.path)
    assert first[0]["status"] == "completed"
    video_id = first[0]["video_id"]
    # WHEN a copy of it elsewhere, under another name, is processed — and then a moved one
    copy = tmp_path / "elsewhere" / "copy of the talk.mp4"
    copy.parent.mkdir()
    shutil.copy(talk.path, copy)
    again = cli_json("process", copy)
    moved = tmp_path / "moved.mp4"
    shutil.copy(copy, moved)
    copy.unlink()
    third = cli_json("process", moved)
    # THEN it is recognised as the same video: nothing is redone, and it says which
    assert [again[0]["status"], third[0]["status"]] == ["skipped", "skipped"]
    assert again[0]["video_id"] == third[0]["video_id"] == video_id
    assert str(talk.path.resolve()) in again[0]["message"]
    # AND there is one job and one vector set
    [job] = cli_json("jobs")
    assert job["video_id"] == video_id and job["attempts"] == 1
    settings = load_settings()
    store = make_vector_store(settings, make_embedder(settings))
    ids = list(store.list_ids(""))
    assert len(ids) == job["chunk_count"] and all(i.startswith(video_id + "#") for i in ids)
    # AND `show` by the name is not ambiguous
    shown = cli("show", "garden")
    assert shown.exit_code == 0, shown.output
    assert shown.stdout.startswith("# Daily Summary: 2026-05-02")


def test_bad_files_fail_with_reasons_and_are_remembered(cli, cli_json, tmp_path):
    empty = tmp_path / "empty.mp4"
    empty.write_bytes(b"")
    text = tmp_path / "notes.mov"
    text.write_text("this is not a video\n" * 50)
    # WHEN both are processed
    result = cli("process", "--json", empty, text)
    # THEN the run fails (exit 1) and each file says why
    assert result.exit_code == 1
    outcomes = json.loads(result.stdout)
    assert [o["status"] for o in outcomes] == ["failed", "failed"]
    assert outcomes[0]["message"].startswith("EmptyFileError")
    assert outcomes[1]["message"].startswith("CorruptVideoError")
    jobs = {j["source"]: j for j in cli_json("jobs", "--status", "failed")}
    assert jobs[str(empty.resolve())]["error"].startswith("EmptyFileError")
    # AND a later run does not retry a permanent failure
    again = cli("process", "--json", empty)
    assert again.exit_code == 1
    assert "failed before" in json.loads(again.stdout)[0]["message"]
    assert cli_json("status", jobs[str(empty.resolve())]["video_id"])["attempts"] == 1
    # AND show explains there is no diary
    shown = cli("show", jobs[str(text.resolve())]["video_id"])
    assert isinstance(shown.exception, LifeStreamError)
    # (in the owner's words, as the API says it; `status` and `jobs` keep the exception for the operator)
    assert "no diary yet" in str(shown.exception) and "cannot be read as a video" in str(shown.exception)


def test_arguments_are_checked_before_any_work(cli, tmp_path):
    missing = cli("process", tmp_path / "nope.mp4")
    assert isinstance(missing.exception, InputError) and "no such file" in str(missing.exception)
    doc = tmp_path / "doc.txt"
    doc.write_text("x")
    wrong = cli("process", doc)
    assert isinstance(wrong.exception, UnsupportedFileError) and ".mp4" in str(wrong.exception)
    folder = cli("process", tmp_path)
    assert isinstance(folder.exception, InputError) and "directory" in str(folder.exception)
    assert not (tmp_path / ".lifestream" / "jobs.db").exists()  # nothing was recorded


def test_a_file_claimed_by_a_live_worker_is_left_alone(cli_json, talk):
    # GIVEN another process is working on the same file right now
    settings = load_settings()
    store = JobStore.from_settings(settings)
    from lifestream.local.files import file_version

    version = file_version(talk.path)
    store.claim(
        bucket="local",
        key=version,
        version=version,
        name=talk.path.name,
        worker_id="other-worker",
        stale_after=900,
    )
    # WHEN the file is processed
    out = cli_json("process", "--no-index", talk.path)
    # THEN it is reported busy, not processed twice
    assert out[0]["status"] == "busy" and "other-worker" in out[0]["message"]
    assert out[0]["video_id"] == video_id_for("local", version, version, name=talk.path.name)
    # AND once that worker gives up (a transient failure), the next run takes it over
    store.abandon(out[0]["job_id"], worker_id="other-worker", error="TransientError: disk full")
    store.close()
    retry = cli_json("process", "--no-index", talk.path)
    assert retry[0]["status"] == "completed"


def test_jobs_listing_and_filters(cli, talk):
    assert "No jobs yet." in cli("jobs").stdout
    bad = cli("jobs", "--status", "done")
    assert bad.exit_code == 2
    assert "queued, processing, completed, failed" in " ".join(bad.output.replace("│", " ").split())
    assert cli("process", "--no-index", talk.path).exit_code == 0
    table = cli("jobs")
    assert "garden-talk-" in table.stdout and "completed" in table.stdout
    assert "No jobs yet with status failed." in cli("jobs", "--status", "failed").stdout


def test_unknown_ids_say_what_to_do(cli):
    result = cli("status", "42")
    assert isinstance(result.exception, JobNotFoundError)
    assert "lifestream jobs" in str(result.exception)
    assert isinstance(cli("show", "no-such-video").exception, JobNotFoundError)


def test_ask_before_anything_is_indexed(cli):
    result = cli("ask", "what did I do?")
    assert isinstance(result.exception, LifeStreamError)
    assert "lifestream process" in str(result.exception)


def test_errors_are_one_line_without_traceback(tmp_path):
    # Through the real entry point, as a person runs it.
    proc = subprocess.run(
        [sys.executable, "-m", "lifestream", "status", "7"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO), "HOME": str(tmp_path)},
    )
    assert proc.returncode == 1
    assert proc.stderr.strip() == "error: no job 7: `lifestream jobs` lists them"
    assert "Traceback" not in proc.stderr


def test_a_configuration_problem_stops_the_run_and_frees_the_job(cli, talk, monkeypatch):
    # GIVEN an embedding model setting that cannot work (a dimension the local model does not have)
    monkeypatch.setenv("LIFESTREAM_EMBEDDING_DIMENSION", "768")
    # WHEN a file is processed with indexing
    result = cli("process", talk.path)
    # THEN the run stops with the setting named, and the job is not left claimed
    assert isinstance(result.exception, ConfigError)
    assert "LIFESTREAM_EMBEDDING_DIMENSION" in str(result.exception)
    monkeypatch.delenv("LIFESTREAM_EMBEDDING_DIMENSION")
    [job] = JobStore.from_settings(load_settings()).list_jobs()
    assert (job.status, job.claimed_by) == ("queued", None)
    assert job.error.startswith("ConfigError:")
    # AND once fixed, the next run does the work
    assert cli("process", "--no-index", talk.path).exit_code == 0


def test_json_output_stays_clean_through_the_real_entry_point(talk, tmp_path):
    # The job lifecycle is shared with the Lambda worker: its log lines must not reach the CLI's stdout.
    proc = subprocess.run(
        [sys.executable, "-m", "lifestream", "process", "--no-index", "--json", str(talk.path)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO), "HOME": str(tmp_path)},
    )
    assert proc.returncode == 0, proc.stderr
    [outcome] = json.loads(proc.stdout)
    assert outcome["status"] == "completed"


def test_a_file_recorded_by_path_before_content_keys_is_adopted_not_redone(cli_json, talk):
    from lifestream.local.files import path_keyed_version

    # GIVEN a job an earlier release recorded for this file: keyed by its path and a whole-file hash
    store = JobStore.from_settings(load_settings())
    path = str(talk.path.resolve())
    old = store.claim(
        bucket="local", key=path, version=path_keyed_version(talk.path), worker_id="old", stale_after=900
    ).job
    store.complete(old.id, worker_id="old", result_keys={}, duration=1.0, recorded_at=None, chunk_count=1)
    # WHEN the file is processed now
    out = cli_json("process", "--no-index", talk.path)
    # THEN the earlier video is recognised: nothing redone, no second video, the same id
    assert out[0]["status"] == "skipped" and out[0]["video_id"] == old.video_id
    [job] = store.list_jobs()
    assert (job.id, job.source, job.attempts) == (old.id, path, 1)
    store.close()
