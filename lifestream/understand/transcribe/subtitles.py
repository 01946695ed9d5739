"""Transcript from subtitles: an embedded subtitle stream or a sidecar .srt/.vtt file (both read by PyAV)."""

from __future__ import annotations

import re
from pathlib import Path

from lifestream.core.errors import InputError
from lifestream.core.models import TranscriptSegment

_ASS_TAGS = re.compile(r"\{[^}]*\}")
_HTML_TAGS = re.compile(r"<[^>]+>")
_VOICE = re.compile(r"^<v(?:\.[^ >]*)?\s+([^>]+)>")


class SubtitleError(InputError):
    """A sidecar subtitle file that cannot be read."""


def _clean(text: str) -> tuple[str, str | None]:
    speaker = None
    voice = _VOICE.match(text)
    if voice:
        speaker = voice.group(1).strip()
    text = _ASS_TAGS.sub("", text).replace("\\N", " ").replace("\\n", " ")
    text = _HTML_TAGS.sub("", text)
    return " ".join(text.split()), speaker


def _read(path: Path, stream_index: int | None = None) -> list[TranscriptSegment]:
    import av

    segments: list[TranscriptSegment] = []
    with av.open(str(path)) as container:
        if not container.streams.subtitles:
            return []
        stream = container.streams.subtitles[stream_index or 0]
        base = stream.time_base
        for packet in container.demux(stream):
            if packet.pts is None:
                continue
            start = float(packet.pts * base)
            end = start + float((packet.duration or 0) * base)
            for sub in packet.decode():
                raw = getattr(sub, "dialogue", None) or getattr(sub, "text", None) or b""
                text, speaker = _clean(raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw))
                if text:
                    segments.append(
                        TranscriptSegment(
                            start=max(0.0, start), end=max(start, end), text=text, speaker=speaker
                        )
                    )
    segments.sort(key=lambda s: (s.start, s.end))
    return segments


def has_embedded_subtitles(video: Path) -> bool:
    import av

    with av.open(str(video)) as container:
        return bool(container.streams.subtitles)


def embedded_subtitles(video: Path) -> list[TranscriptSegment]:
    return _read(video)


_VTT_CUE = re.compile(r"^(?:(\d+):)?(\d\d):(\d\d)\.(\d\d\d)\s+-->.*\n<v(?:\.[^ >]*)?\s+([^>]+)>", re.M)


def _vtt_voices(path: Path) -> dict[float, str]:
    """Cue start -> speaker from WebVTT voice tags (`<v Ana>`), which FFmpeg's decoder drops."""
    text = path.read_text(encoding="utf-8", errors="replace")
    voices = {}
    for h, m, sec, ms, name in _VTT_CUE.findall(text):
        start = int(h or 0) * 3600 + int(m) * 60 + int(sec) + int(ms) / 1000
        voices[round(start, 3)] = name.strip()
    return voices


def read_subtitle_file(path: Path) -> list[TranscriptSegment]:
    import av

    try:
        segments = _read(path)
    except (av.FFmpegError, ValueError) as exc:
        raise SubtitleError(f"{path.name}: not a readable .srt/.vtt subtitle file: {exc}") from None
    if path.suffix.lower() == ".vtt":
        voices = _vtt_voices(path)
        segments = [
            s.model_copy(update={"speaker": voices.get(round(s.start, 3), s.speaker)}) for s in segments
        ]
    return segments
