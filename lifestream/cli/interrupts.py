"""Ctrl-C that cannot be lost while a video is processed.

Python runs a SIGINT handler between bytecodes, wherever the main thread happens to be. When that is a
finalizer (`__del__`, e.g. `wave.Wave_write` being collected), the `KeyboardInterrupt` it raises is
printed as "Exception ignored" and dropped, and the run goes on to the end as if nobody had pressed
anything. The latch remembers the press, so the next stage boundary raises it again.
"""

from __future__ import annotations

import signal
import threading
from types import FrameType, TracebackType
from typing import Self


class InterruptLatch:
    def __init__(self) -> None:
        self.pressed = False
        self._previous: object = None
        self._installed = False

    def _on_sigint(self, signum: int, frame: FrameType | None) -> None:
        self.pressed = True
        raise KeyboardInterrupt

    def check(self) -> None:
        """Raise `KeyboardInterrupt` if Ctrl-C was pressed, even if its first raise was swallowed."""
        if self.pressed:
            raise KeyboardInterrupt("Ctrl-C")

    def __enter__(self) -> Self:
        # Signal handlers can only be set from the main thread (tests may run the CLI elsewhere).
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGINT, self._on_sigint)
            self._installed = True
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._installed:
            signal.signal(signal.SIGINT, self._previous)  # type: ignore[arg-type]
            self._installed = False
