"""A small sample video with real speech, made on the spot for the demo and the benchmarks.

espeak-ng speaks each line; ffmpeg lays the speech over a few coloured scenes (one per line) and stamps a
recording time. The exact line timings are also written as an SRT file, so a caller can choose between
transcribing the audio and using subtitles.
"""

from __future__ import annotations

import shutil
import subprocess
import wave
from dataclasses import dataclass
from pathlib import Path

from lifestream.core.errors import ConfigError

DEMO_LINES: tuple[str, ...] = (
    "Good morning. Today I am planting tomatoes in the back garden with Anna.",
    "We need to buy more compost and a new watering can from the hardware store.",
    "In the afternoon I called the dentist and booked an appointment for next Tuesday.",
    "Remember to send the holiday photos to grandma before the weekend.",
)
COLOURS = ("darkgreen", "navy", "maroon", "teal", "olive", "purple")
DEFAULT_RECORDED_AT = "2026-05-02T09:30:00.000000Z"


@dataclass(frozen=True)
class SampleVideo:
    path: Path
    subtitles: Path
    duration: float
    lines: tuple[str, ...]
    cues: tuple[tuple[float, float, str], ...]


def require_tool(name: str) -> str:
    """Path of a command-line tool, or a ConfigError that says how to install it."""
    found = shutil.which(name)
    if not found:
        raise ConfigError(f"{name} is needed to make sample media: apt-get install -y ffmpeg espeak-ng")
    return found


def run_ffmpeg(*args: str) -> None:
    """ffmpeg, quiet and overwriting its output (these files are regenerated, never edited)."""
    subprocess.run(
        [require_tool("ffmpeg"), "-hide_banner", "-loglevel", "error", "-y", *args],
        check=True,
        capture_output=True,
        timeout=300,
    )


def speak(text: str, path: Path, *, speed: int = 150) -> Path:
    """Write `text` spoken by espeak-ng to the WAV file `path`."""
    subprocess.run(
        [require_tool("espeak-ng"), "-s", str(speed), "-w", str(path), text],
        check=True,
        capture_output=True,
        timeout=300,
    )
    return path


def h264_args(*, fps: int) -> list[str]:
    # A keyframe every second: the keyframe-only scene detector then sees every second of the picture.
    return ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-g", str(fps)]


def lavfi_scenes(sources: list[str]) -> tuple[list[str], str]:
    """ffmpeg inputs and a filter graph that play the lavfi `sources` one after another, as [v].
    The inputs are numbered from 0, so further inputs (the sound) follow as input len(sources)."""
    inputs = [arg for source in sources for arg in ("-f", "lavfi", "-i", source)]
    n = len(sources)
    return inputs, "".join(f"[{i}:v]" for i in range(n)) + f"concat=n={n}:v=1:a=0[v]"


def wav_seconds(wav_path: Path) -> float:
    with wave.open(str(wav_path)) as w:
        return w.getnframes() / w.getframerate()


def srt_time(seconds: float) -> str:
    ms = round(seconds * 1000)
    h, rem = divmod(ms, 3_600_000)
    m, rem = divmod(rem, 60_000)
    s, ms = divmod(rem, 1000)
    return f"{h:02d}:{m:02d}:{s:02d},{ms:03d}"


def make_sample_video(
    path: Path,
    *,
    lines: tuple[str, ...] = DEMO_LINES,
    pause: float = 0.7,
    min_seconds: float = 0.0,
    size: str = "320x240",
    fps: int = 15,
    recorded_at: str | None = DEFAULT_RECORDED_AT,
) -> SampleVideo:
    """Write an H.264/AAC MP4 to `path` (and `path` with .srt) and describe it. Reuses an existing pair."""
    # Fail before any work if either tool is missing.
    require_tool("ffmpeg")
    require_tool("espeak-ng")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    work = path.parent / f".{path.stem}-parts"
    work.mkdir(exist_ok=True)
    try:
        cues: list[tuple[float, float, str]] = []
        clips: list[Path] = []
        clock = 0.3
        for i, line in enumerate(lines):
            raw = work / f"line{i}.wav"
            speak(line, raw)
            padded = work / f"line{i}.16k.wav"
            run_ffmpeg(
                "-i",
                str(raw),
                "-af",
                f"aresample=16000,adelay={(300 if i == 0 else 0)}|0,apad=pad_dur={pause}",
                "-ar",
                "16000",
                "-ac",
                "1",
                str(padded),
            )
            spoken = wav_seconds(raw)
            cues.append((round(clock, 3), round(clock + spoken, 3), line))
            clock += wav_seconds(padded) - (0.3 if i == 0 else 0.0)
            clips.append(padded)
        speech = work / "speech.wav"
        inputs = [a for clip in clips for a in ("-i", str(clip))]
        graph = "".join(f"[{i}:a]" for i in range(len(clips))) + f"concat=n={len(clips)}:v=0:a=1,apad[a]"
        duration = max(_concat_seconds(clips), min_seconds)
        run_ffmpeg(
            *inputs,
            "-filter_complex",
            graph,
            "-map",
            "[a]",
            "-t",
            f"{duration:.3f}",
            "-ar",
            "16000",
            "-ac",
            "1",
            str(speech),
        )
        duration = wav_seconds(speech)
        scene = duration / len(lines)
        n = len(lines)
        video_inputs, vgraph = lavfi_scenes(
            [f"color=c={COLOURS[i % len(COLOURS)]}:s={size}:r={fps}:d={scene:.3f}" for i in range(n)]
        )
        meta = ["-metadata", f"creation_time={recorded_at}"] if recorded_at else []
        run_ffmpeg(
            *video_inputs,
            "-i",
            str(speech),
            "-filter_complex",
            vgraph,
            "-map",
            "[v]",
            "-map",
            f"{n}:a",
            *h264_args(fps=fps),
            "-c:a",
            "aac",
            "-b:a",
            "48k",
            *meta,
            "-movflags",
            "+faststart",
            str(path),
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    srt = path.with_suffix(".srt")
    srt.write_text(
        "".join(
            f"{i}\n{srt_time(s)} --> {srt_time(e)}\n{text}\n\n" for i, (s, e, text) in enumerate(cues, 1)
        ),
        encoding="utf-8",
    )
    return SampleVideo(path=path, subtitles=srt, duration=duration, lines=tuple(lines), cues=tuple(cues))


def _concat_seconds(clips: list[Path]) -> float:
    return sum(wav_seconds(c) for c in clips)
