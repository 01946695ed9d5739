"""How the OpenAI fake listens: the voiced stretches of a 16 kHz mono WAV (by energy), so transcription
timestamps can be compared with the truth, and the median pitch of a stretch, so diarization can tell two
voices apart."""

from __future__ import annotations

import io
import wave

import numpy as np

from tests.support.openai_fake.protocol import BadRequest


def wav_samples(wav: bytes) -> np.ndarray:
    with wave.open(io.BytesIO(wav)) as w:
        if (w.getnchannels(), w.getsampwidth(), w.getframerate()) != (1, 2, 16000):
            raise BadRequest("the fake transcriber understands 16 kHz mono 16-bit WAV only")
        return np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16).astype(np.float32) / 32768


def voiced_spans(wav: bytes, *, threshold: float = 0.01, min_gap: float = 0.3) -> list[tuple[float, float]]:
    """(start, end) seconds of the loud stretches of a 16 kHz mono 16-bit WAV, by 20 ms frame energy."""
    samples = wav_samples(wav)
    frame = 320  # 20 ms
    usable = samples[: len(samples) // frame * frame].reshape(-1, frame)
    loud = np.sqrt(np.square(usable).mean(axis=1)) > threshold
    spans: list[list[float]] = []
    for i, on in enumerate(loud):
        if not on:
            continue
        t = i * 0.02
        if spans and t - spans[-1][1] <= min_gap:
            spans[-1][1] = t + 0.02
        else:
            spans.append([t, t + 0.02])
    return [(round(a, 2), round(b, 2)) for a, b in spans if b - a >= 0.1]


def median_pitch(samples: np.ndarray, rate: int = 16000) -> float | None:
    """Median fundamental frequency (Hz) of the clearly voiced 40 ms frames, by autocorrelation."""
    frame, hop = 640, 320
    shortest, longest = rate // 400, rate // 60  # 60-400 Hz: speaking voices
    found = []
    for start in range(0, len(samples) - frame, hop):
        chunk = samples[start : start + frame]
        if np.sqrt(np.square(chunk).mean()) < 0.02:
            continue
        chunk = chunk - chunk.mean()
        ac = np.correlate(chunk, chunk, "full")[frame - 1 :]
        lag = shortest + int(np.argmax(ac[shortest:longest]))
        if ac[lag] > 0.3 * ac[0]:
            found.append(rate / lag)
    return float(np.median(found)) if found else None
