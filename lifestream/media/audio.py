"""The soundtrack as 16 kHz mono 16-bit PCM in a WAV file.

Streaming to disk keeps memory flat for long videos; transcribers then read one window at a time.
"""

from __future__ import annotations

import wave
from collections.abc import Callable
from pathlib import Path

import numpy as np
from pydantic import BaseModel

from lifestream.core.errors import OutOfTime

SAMPLE_RATE = 16000
BYTES_PER_SAMPLE = 2
# How much decoded audio between two looks at the clock (and progress reports).
CHECK_EVERY_SECONDS = 10.0


class AudioTrack(BaseModel):
    path: Path
    duration: float
    sample_rate: int = SAMPLE_RATE


def extract_audio(
    video: Path,
    wav_path: Path,
    *,
    should_stop: Callable[[], bool] | None = None,
    on_progress: Callable[[float], None] | None = None,
) -> AudioTrack | None:
    """Decode the first audio stream to `wav_path`; None when the video has no audio stream.

    Every `CHECK_EVERY_SECONDS` of audio, `on_progress(seconds decoded)` is called and `should_stop()` is
    asked; when it says yes, `OutOfTime("audio", seconds)` is raised (the partial WAV is the caller's to
    remove: it lives in the run's work directory)."""
    import av

    with av.open(str(video)) as container:
        if not container.streams.audio:
            return None
        stream = container.streams.audio[0]
        resampler = av.AudioResampler(format="s16", layout="mono", rate=SAMPLE_RATE)
        wav_path.parent.mkdir(parents=True, exist_ok=True)
        frames = 0
        next_check = int(CHECK_EVERY_SECONDS * SAMPLE_RATE)
        with wave.open(str(wav_path), "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(BYTES_PER_SAMPLE)
            out.setframerate(SAMPLE_RATE)
            try:
                for frame in container.decode(stream):
                    for chunk in resampler.resample(frame):
                        data = chunk.to_ndarray()
                        out.writeframes(data.tobytes())
                        frames += data.shape[-1]
                    if frames >= next_check:
                        next_check = frames + int(CHECK_EVERY_SECONDS * SAMPLE_RATE)
                        if on_progress is not None:
                            on_progress(frames / SAMPLE_RATE)
                        if should_stop is not None and should_stop():
                            raise OutOfTime("audio", frames / SAMPLE_RATE)
            except av.FFmpegError:
                pass  # a damaged tail: keep the audio decoded so far
            for chunk in resampler.resample(None):
                data = chunk.to_ndarray()
                out.writeframes(data.tobytes())
                frames += data.shape[-1]
    return AudioTrack(path=wav_path, duration=frames / SAMPLE_RATE)


def read_window(track: AudioTrack, start: float, end: float) -> np.ndarray:
    """Samples in [start, end) seconds as float32 in [-1, 1]."""
    with wave.open(str(track.path), "rb") as w:
        rate = w.getframerate()
        first = max(0, int(start * rate))
        last = min(w.getnframes(), int(end * rate))
        if last <= first:
            return np.zeros(0, dtype=np.float32)
        w.setpos(first)
        raw = w.readframes(last - first)
    return np.frombuffer(raw, dtype=np.int16).astype(np.float32) / 32768.0


def wav_bytes(samples: np.ndarray, rate: int = SAMPLE_RATE) -> bytes:
    import io

    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(BYTES_PER_SAMPLE)
        w.setframerate(rate)
        w.writeframes((np.clip(samples, -1, 1) * 32767).astype(np.int16).tobytes())
    return buffer.getvalue()


def rms(samples: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(samples)))) if samples.size else 0.0
