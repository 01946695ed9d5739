"""The words as said, for a bound on what recognition costs: a scripted split's cues written as WebVTT beside
a link to its video, each line under its true voice made anonymous ("Speaker 1" in order of first words).

Run through the pipeline with `transcriber=subtitles`, the diary then starts from perfect words and perfect
turns; whatever it still gets wrong is the rules' fault, not Whisper's or the diarizer's. The lines of one
real part (the recorded call) share the part's span in the cues, so it is divided between them by length.
"""

from __future__ import annotations

from itertools import groupby
from pathlib import Path
from typing import Any


def _stamp(seconds: float) -> str:
    ms = round(seconds * 1000)
    return f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d}.{ms % 1000:03d}"


def timed_lines(cues: list[dict[str, Any]]) -> list[tuple[float, float, str, str]]:
    """(start, end, voice, text) per line; lines that share a span get shares of it by their length."""
    out = []
    for (start, end), group in groupby(cues, key=lambda c: (c["start"], c["end"])):
        lines = list(group)
        total = sum(len(c["text"]) for c in lines) or 1
        at = start
        for c in lines:
            step = (end - start) * len(c["text"]) / total
            out.append((at, at + step, c["speaker"], c["text"]))
            at += step
    return out


def as_said(video: Path, cues: list[dict[str, Any]], folder: Path) -> Path:
    """A link to `video` in `folder`, with a .vtt sidecar of its words as said; the link's path."""
    folder.mkdir(parents=True, exist_ok=True)
    link = folder / video.name
    if not link.exists():
        link.symlink_to(video.resolve())
    voices: dict[str, str] = {}
    blocks = ["WEBVTT", ""]
    for start, end, who, text in timed_lines(cues):
        label = voices.setdefault(who, f"Speaker {len(voices) + 1}")
        blocks += [f"{_stamp(start)} --> {_stamp(end)}", f"<v {label}>{text}", ""]
    link.with_suffix(".vtt").write_text("\n".join(blocks), encoding="utf-8")
    return link
