"""A Ctrl-C whose KeyboardInterrupt is swallowed by a finalizer still stops `lifestream process`.

Seen in CI: SIGINT arrived while `wave.Wave_write.__del__` ran, Python printed "Exception ignored" and
the run went on to complete the video."""

from __future__ import annotations

import os
import signal
import time

import pytest
from rich.progress import Progress

from lifestream.cli.interrupts import InterruptLatch
from lifestream.cli.pipeline_cmds import _Shown
from lifestream.local.files import LocalFile
from lifestream.core.settings import load_settings


class _SwallowsCtrlC:
    def __del__(self) -> None:
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(0.2)  # the handler runs here; its KeyboardInterrupt is ignored by the finalizer


def _press_ctrl_c_inside_a_finalizer() -> None:
    _SwallowsCtrlC()  # collected at once


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_the_next_stage_boundary_raises_a_swallowed_ctrl_c(tmp_path):
    settings = load_settings(data_dir=tmp_path / ".lifestream")
    with InterruptLatch() as latch:
        source = LocalFile(tmp_path / "talk.mp4", settings, _Shown(Progress(disable=True), latch))
        source.on_progress("audio", 0.3)  # nothing pressed yet: the run goes on
        _press_ctrl_c_inside_a_finalizer()
        assert latch.pressed
        with pytest.raises(KeyboardInterrupt):
            source.on_progress("transcribe", 0.5)


def test_the_latch_restores_the_previous_handler():
    before = signal.getsignal(signal.SIGINT)
    with InterruptLatch():
        assert signal.getsignal(signal.SIGINT) is not before
    assert signal.getsignal(signal.SIGINT) is before
