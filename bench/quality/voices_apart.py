"""How far apart the shipped speaker embedding (Resemblyzer d-vectors, 1.6 s windows, as the diarizer uses
them) puts voices: espeak-ng variants, as the scripted splits make them, against the two real callers of
the pyannote sample call. The diarizer joins two windows' clusters below a cosine distance of
`DISTANCE_THRESHOLD`; where two voices' centroids sit closer than one voice's own windows spread, no
threshold tells them apart, and the diarizer merges them.

    .venv/bin/python bench/quality/voices_apart.py

Prints, per voice, the mean distance between its own windows, and for its nearest other voice the distance
between centroids and the mean distance between their windows (what average linkage compares).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(Path(__file__).resolve().parent)]

import speakers  # noqa: E402 - after the path setup

from lifestream.media.audio import SAMPLE_RATE  # noqa: E402

SENTENCES = (
    "The quarterly numbers came in yesterday and they look better than we expected.",
    "I will call the supplier tomorrow morning to confirm the delivery window.",
    "Could you send me the draft before lunch so I can read it on the train?",
    "We walked along the river after dinner and watched the boats come in.",
)
# espeak-ng variant and pitch, as the scripted splits choose them (pairs of close pitch among them).
ESPEAK = (
    ("en-us+m1", 40), ("en-us+m2", 43), ("en-us+m3", 44), ("en-us+m4", 47), ("en-us+m7", 48),
    ("en-gb+m3", 35), ("en-us", 50), ("en-us+f2", 58), ("en-us+f4", 61), ("en-gb+f2", 62),
)  # fmt: skip


def _espeak(voice: str, pitch: int, text: str) -> np.ndarray:
    import soundfile
    from scipy.signal import resample_poly

    with tempfile.TemporaryDirectory() as tmp:
        wav = Path(tmp) / "said.wav"
        subprocess.run(["espeak-ng", "-v", voice, "-p", str(pitch), "-w", str(wav), text], check=True)
        samples, rate = soundfile.read(wav, dtype="float32")
    return resample_poly(samples, SAMPLE_RATE, rate).astype(np.float32)


def _unit(x: np.ndarray) -> np.ndarray:
    return x / np.linalg.norm(x, axis=-1, keepdims=True)


def voices() -> dict[str, np.ndarray]:
    """Voice -> its windows' d-vectors."""
    import soundfile

    from lifestream.understand.speakers.local import LocalDiarizer

    diarizer = LocalDiarizer()
    out = {}
    for voice, pitch in ESPEAK:
        windows = [diarizer.window_embeddings(_espeak(voice, pitch, text))[0] for text in SENTENCES]
        out[f"{voice} p{pitch}"] = np.concatenate(windows)
    wav, rttm = speakers.fetch_call()
    call, rate = soundfile.read(wav, dtype="float32")
    assert rate == SAMPLE_RATE
    turns: dict[str, list[np.ndarray]] = {}
    for line in rttm.read_text().splitlines():
        f = line.split()
        start, length, who = float(f[3]), float(f[4]), f[7]
        if length >= 1.6:
            piece = call[int(start * rate) : int((start + length) * rate)]
            turns.setdefault(f"call: {who}", []).append(diarizer.window_embeddings(piece)[0])
    out.update({who: np.concatenate(parts) for who, parts in turns.items()})
    return out


def main() -> None:
    from lifestream.understand.speakers.local import DISTANCE_THRESHOLD

    found = voices()
    names = list(found)
    centroids = {n: _unit(found[n].mean(axis=0)) for n in names}
    print(f"the diarizer joins two clusters whose windows sit closer than {DISTANCE_THRESHOLD} on average\n")
    print("voice                own windows  nearest voice: centroids  windows (average linkage)")
    for n in names:
        own = _linkage(found[n], found[n])
        near = min((_linkage(found[n], found[m]), m) for m in names if m != n)
        gap = float(1 - centroids[n] @ centroids[near[1]])
        print(f"{n:20s} {own:11.3f}  {gap:23.3f}  {near[0]:.3f} ({near[1]})")


def _linkage(a: np.ndarray, b: np.ndarray) -> float:
    """Mean cosine distance between the windows of a and those of b (a's own pairs without themselves)."""
    d = 1 - _unit(a) @ _unit(b).T
    if a is b:
        return float(d[~np.eye(len(a), dtype=bool)].mean())
    return float(d.mean())


if __name__ == "__main__":
    main()
