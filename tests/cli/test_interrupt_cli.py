"""Ctrl-C in the middle of `lifestream process`: the claim is freed at once and the next run resumes."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from lifestream.core.settings import load_settings
from lifestream.jobs import JobStore
from lifestream.understand.transcribe.whisper_local import local_model_available

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_interrupted_run_resumes_from_its_checkpoint(talk, tmp_path):
    settings = load_settings(transcriber="local")
    if not local_model_available(settings):
        pytest.skip("the offline Whisper model is not installed (scripts/setup.sh installs it)")
    # GIVEN a video without subtitles, so the local speech model runs for a few seconds
    video = tmp_path / "media" / "no subs.mp4"
    video.parent.mkdir()
    shutil.copy(talk.path, video)
    env = {**os.environ, "PYTHONPATH": str(REPO), "LIFESTREAM_TRANSCRIBER": "local"}
    command = [sys.executable, "-m", "lifestream", "process", "--no-index", str(video)]
    run = subprocess.Popen(
        command, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    store = None
    try:
        # WHEN the person presses Ctrl-C while it transcribes
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and run.poll() is None:
            if (tmp_path / ".lifestream" / "jobs.db").exists():
                store = store or JobStore(f"sqlite:///{tmp_path / '.lifestream' / 'jobs.db'}")
                jobs = store.list_jobs()
                # Progress is reported as each stage ends: after "audio" the speech model is running.
                if jobs and jobs[0].stage == "audio":
                    break
            time.sleep(0.02)
        assert run.poll() is None, run.communicate()[0]
        run.send_signal(signal.SIGINT)
        output = run.communicate(timeout=60)[0]
    finally:
        if run.poll() is None:
            run.kill()
    assert run.returncode != 0, output
    # THEN the job is free for the next run, says why, and the finished stages are kept on disk
    assert store is not None
    [job] = store.list_jobs()
    assert (job.status, job.claimed_by) == ("queued", None)
    # (Ctrl-C that lands inside a C extension's import surfaces as "ImportError: initialization failed".)
    assert job.error.startswith(("interrupted: KeyboardInterrupt", "crashed: ImportError")), job.error
    state = tmp_path / ".lifestream" / "state" / job.video_id
    assert (state / "probe.json").exists() or any(state.iterdir())
    # AND running again resumes and completes the same job
    again = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "(resuming)" in again.stdout
    done = store.get(job.id)
    assert (done.status, done.attempts) == ("completed", 2)
    assert not state.exists()  # the checkpoint is cleared once the diary exists
    diary = Path(done.result_keys["markdown"]).read_text()
    assert "compost" in diary.lower()  # the speech was really transcribed
    store.close()
