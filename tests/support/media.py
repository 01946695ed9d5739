"""Test media made on the fly: real H.264/AAC files with espeak-ng speech, subtitle tracks and damage.

Everything is generated with the ffmpeg and espeak-ng command-line tools (installed by apt in setup and CI)
and cached per directory, so a session pays for each file once. Files are small (low resolution, few
seconds) except where the case is about size or shape (portrait 720x1280).
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from lifestream.media.sample_media import (
    h264_args,
    lavfi_scenes,
    require_tool,
    run_ffmpeg,
    speak,
    srt_time,
    wav_seconds,
)

CREATION_TIME = "2024-03-15T09:30:00.000000Z"

TALK_LINES = (
    "Good morning everyone, this is the weekly planning meeting.",
    "I will send the budget report to Maria by Friday.",
    "We need to fix the login bug before the release.",
    "Let's meet again on Monday to review the new design.",
)

SUBTITLE_CUES = (
    (0.5, 2.5, "Welcome to the garden tour."),
    (3.0, 5.0, "These tomatoes were planted in April."),
    (5.5, 7.5, "I will water the roses tomorrow."),
)

SCENE_COLOURS = ("red", "green", "blue", "yellow")


def _video_args(*, size: str = "320x240", fps: int = 15) -> list[str]:
    return [*h264_args(fps=fps), "-r", str(fps), "-s", size]


@dataclass(frozen=True)
class MediaFactory:
    """Makes each kind of test file once inside `root`."""

    root: Path

    def _cached(self, name: str) -> tuple[Path, bool]:
        self.root.mkdir(parents=True, exist_ok=True)
        path = self.root / name
        return path, path.exists() and path.stat().st_size > 0

    # --- videos with speech --------------------------------------------------------------------------------
    def talk_video(
        self,
        *,
        lines: tuple[str, ...] = TALK_LINES,
        colours: tuple[str, ...] = ("navy", "darkgreen"),
        name: str = "talk.mp4",
        size: str = "320x240",
        creation_time: str | None = CREATION_TIME,
        pause: float = 0.6,
    ) -> Path:
        """Speech (one espeak utterance per line, with pauses) over a few coloured scenes."""
        path, ready = self._cached(name)
        if ready:
            return path
        wav = self.root / f"{path.stem}.speech.wav"
        parts = []
        for i, line in enumerate(lines):
            parts.append(speak(line, self.root / f"{path.stem}.line{i}.wav"))
        # Join the lines with short silences, then pad a little at the end.
        inputs: list[str] = []
        labels = []
        for i, part in enumerate(parts):
            inputs += ["-i", str(part)]
            labels.append(f"[{i}:a]aresample=16000,apad=pad_dur={pause}[a{i}]")
        graph = (
            ";".join(labels)
            + ";"
            + "".join(f"[a{i}]" for i in range(len(parts)))
            + (f"concat=n={len(parts)}:v=0:a=1[out]")
        )
        run_ffmpeg(*inputs, "-filter_complex", graph, "-map", "[out]", "-ar", "16000", "-ac", "1", str(wav))
        duration = wav_seconds(wav)
        scene_len = duration / len(colours)
        self._mux(
            path, colours=colours, scene_seconds=scene_len, size=size, audio=wav, creation_time=creation_time
        )
        return path

    def _mux(
        self,
        path: Path,
        *,
        colours: tuple[str, ...],
        scene_seconds: float,
        size: str = "320x240",
        fps: int = 15,
        audio: Path | None = None,
        silent_seconds: float | None = None,
        creation_time: str | None = CREATION_TIME,
        extra: list[str] | None = None,
        texture: bool = False,
    ) -> Path:
        sources = [
            # Moving, detailed picture (costs real decoding, like camera footage); a hue turn per scene.
            f"testsrc2=s={size}:r={fps}:d={scene_seconds:.3f},hue=h={(i * 67) % 360}:s=1.5"
            if texture
            else f"color=c={c}:s={size}:r={fps}:d={scene_seconds:.3f}"
            for i, c in enumerate(colours)
        ]
        args, graph = lavfi_scenes(sources)
        n = len(colours)
        maps = ["-map", "[v]"]
        if audio is not None:
            args += ["-i", str(audio)]
            maps += ["-map", f"{n}:a"]
        elif silent_seconds is not None:
            args += ["-f", "lavfi", "-i", f"anullsrc=r=16000:cl=mono:d={silent_seconds:.3f}"]
            maps += ["-map", f"{n}:a"]
        meta = ["-metadata", f"creation_time={creation_time}"] if creation_time else []
        audio_codec = ["-c:a", "aac", "-b:a", "48k"] if (audio or silent_seconds) else []
        run_ffmpeg(
            *args,
            *(extra or []),
            "-filter_complex",
            graph,
            *maps,
            *_video_args(size=size, fps=fps),
            *audio_codec,
            *meta,
            "-movflags",
            "+faststart",
            str(path),
        )
        return path

    # --- edge cases ------------------------------------------------------------------------------------------
    def no_audio_video(self) -> Path:
        path, ready = self._cached("no_audio.mp4")
        return path if ready else self._mux(path, colours=("purple", "orange"), scene_seconds=2.0)

    def silent_video(self) -> Path:
        """An audio track that holds only silence (no speech)."""
        path, ready = self._cached("silent.mp4")
        return path if ready else self._mux(path, colours=("gray",), scene_seconds=4.0, silent_seconds=4.0)

    def several_scenes_video(self) -> Path:
        path, ready = self._cached("scenes.mp4")
        return (
            path if ready else self._mux(path, colours=SCENE_COLOURS, scene_seconds=2.0, creation_time=None)
        )

    def textured_scenes_video(self) -> Path:
        """Three 2-second scenes of a moving test pattern, each with its own hue (camera-like detail)."""
        path, ready = self._cached("textured_scenes.mp4")
        return (
            path
            if ready
            else self._mux(path, colours=("a", "b", "c"), scene_seconds=2.0, texture=True, size="320x240")
        )

    def short_clip(self) -> Path:
        path, ready = self._cached("short.mp4")
        return path if ready else self._mux(path, colours=("white",), scene_seconds=0.5, silent_seconds=0.5)

    def portrait_video(self) -> Path:
        path, ready = self._cached("portrait.mp4")
        if ready:
            return path
        wav = speak("Recording from my phone while walking to the station.", self.root / "portrait.wav")
        return self._mux(
            path, colours=("teal",), scene_seconds=wav_seconds(wav) + 0.3, size="720x1280", audio=wav, fps=10
        )

    def rotated_phone_video(self) -> Path:
        """Portrait as phones store it: landscape pixels (a red bar on the left) with a 90° display rotation."""
        path, ready = self._cached("rotated.mp4")
        if ready:
            return path
        plain = self.root / "rotated_plain.mp4"
        run_ffmpeg(
            "-f",
            "lavfi",
            "-i",
            "color=c=white:s=320x240:r=10:d=2",
            "-vf",
            "drawbox=x=0:y=0:w=40:h=240:color=red:t=fill",
            *_video_args(size="320x240", fps=10),
            str(plain),
        )
        run_ffmpeg("-i", str(plain), "-c", "copy", "-metadata:s:v:0", "rotate=90", str(path))
        return path

    def iphone_style_video(self) -> Path:
        """A .mov with Apple's creation date (local time and zone) besides a UTC creation_time."""
        path, ready = self._cached("iphone.mov")
        if not ready:
            run_ffmpeg(
                "-i",
                str(self.no_audio_video()),
                "-c",
                "copy",
                "-movflags",
                "use_metadata_tags",
                "-metadata",
                "com.apple.quicktime.creationdate=2024-07-01T18:05:09+0200",
                "-metadata",
                "creation_time=2024-07-01T16:05:30Z",
                str(path),
            )
        return path

    def write_srt(self, path: Path, cues=SUBTITLE_CUES) -> Path:
        path.write_text(
            "\n".join(
                f"{i}\n{srt_time(a)} --> {srt_time(b)}\n{text}\n"
                for i, (a, b, text) in enumerate(cues, start=1)
            )
        )
        return path

    def write_vtt(self, path: Path, cues=SUBTITLE_CUES) -> Path:
        body = "\n".join(
            f"{srt_time(a).replace(',', '.')} --> {srt_time(b).replace(',', '.')}\n{text}\n"
            for a, b, text in cues
        )
        path.write_text("WEBVTT\n\n" + body)
        return path

    def subtitled_video(self) -> Path:
        """No audio; an embedded mov_text subtitle stream carries the words."""
        path, ready = self._cached("subtitled.mp4")
        if ready:
            return path
        plain = self._mux(self.root / "subtitled_plain.mp4", colours=("olive", "maroon"), scene_seconds=4.0)
        srt = self.write_srt(self.root / "subtitled_source.srt")
        run_ffmpeg(
            "-i",
            str(plain),
            "-i",
            str(srt),
            "-map",
            "0:v",
            "-map",
            "1:s",
            "-c:v",
            "copy",
            "-c:s",
            "mov_text",
            "-metadata",
            f"creation_time={CREATION_TIME}",
            str(path),
        )
        return path

    def sidecar_video(self) -> tuple[Path, Path]:
        """A video without audio and a sidecar .srt beside it (as uploaded next to each other)."""
        path, ready = self._cached("sidecar.mp4")
        if not ready:
            self._mux(path, colours=("olive", "maroon"), scene_seconds=4.0)
        return path, self.write_srt(self.root / "sidecar.srt")

    def audio_only(self) -> Path:
        """An .mp4 holding only a sound track."""
        path, ready = self._cached("audio_only.mp4")
        if not ready:
            wav = speak("There is no picture here.", self.root / "audio_only.wav")
            run_ffmpeg("-i", str(wav), "-c:a", "aac", "-b:a", "32k", str(path))
        return path

    def zero_bytes(self) -> Path:
        path = self.root / "empty.mp4"
        self.root.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"")
        return path

    def text_as_video(self) -> Path:
        path = self.root / "notes.mp4"
        self.root.mkdir(parents=True, exist_ok=True)
        path.write_text("This is a shopping list, not a video.\nmilk\neggs\n" * 20)
        return path

    def truncated_video(self) -> Path:
        """The first third of a real MP4 whose index (moov) is at the end: headers promise data that is gone."""
        path = self.root / "truncated.mp4"
        if path.exists():
            return path
        source = self.root / "truncated_source.mp4"
        if not source.exists():
            args = ["-f", "lavfi", "-i", "testsrc=s=320x240:r=15:d=4", *_video_args(), str(source)]
            run_ffmpeg(*args)
        data = source.read_bytes()
        path.write_bytes(data[: len(data) // 3])
        return path

    def long_talk_video(
        self, minutes: float, *, name: str | None = None, size: str = "1280x720", fps: int = 30
    ) -> Path:
        """A benchmark video: varied espeak speech over coloured scenes changing every ~20 s."""
        name = name or f"long_v3_{minutes:g}min_{size}.mp4"
        path, ready = self._cached(name)
        if ready:
            return path
        total = minutes * 60
        # Varied sentences, not one loop: Whisper treats a repetitive transcript as a decoding failure
        # (compression-ratio check) and re-decodes at higher temperatures, which would skew the benchmark.
        script = self.root / f"{path.stem}.txt"
        script.write_text(" ".join(varied_sentences(int(total * 2.6) + 40)))
        raw = self.root / f"{path.stem}.raw.wav"
        subprocess.run(
            [require_tool("espeak-ng"), "-s", "160", "-f", str(script), "-w", str(raw)],
            check=True,
            timeout=600,
        )
        speech = self.root / f"{path.stem}.wav"
        run_ffmpeg(
            "-i",
            str(raw),
            "-af",
            "aresample=16000,apad",
            "-t",
            f"{total:.1f}",
            "-ar",
            "16000",
            "-ac",
            "1",
            str(speech),
        )
        colours = ("navy", "darkgreen", "maroon", "olive", "teal", "purple")
        scenes = max(1, int(total // 20))
        pattern = tuple(colours[i % len(colours)] for i in range(scenes))
        self._mux(
            path,
            colours=pattern,
            scene_seconds=total / scenes,
            size=size,
            fps=fps,
            audio=speech,
            texture=True,
        )
        return path


_PEOPLE = (
    "Maria",
    "John",
    "Aisha",
    "Kenji",
    "Olga",
    "Pedro",
    "the design team",
    "our manager",
    "Lucas",
    "Fatima",
)
_ACTIONS = (
    "review the budget",
    "send the quarterly report",
    "fix the login bug",
    "book a meeting room",
    "call the supplier",
    "update the roadmap",
    "test the mobile app",
    "clean the garage",
    "water the tomatoes",
    "order new chairs",
    "write the release notes",
    "plan the holiday trip",
)
_WHEN = (
    "on Monday",
    "by Friday",
    "tomorrow morning",
    "next week",
    "before lunch",
    "at the end of the month",
    "after the workshop",
    "this evening",
)
_OPENERS = (
    "I think",
    "Yesterday",
    "As you know",
    "To be honest",
    "In my opinion",
    "Last time",
    "Remember that",
    "By the way",
)
_FACTS = (
    "the weather was cold and windy",
    "the train was twenty minutes late",
    "sales grew by eight percent",
    "the new printer keeps jamming",
    "three customers asked about prices",
    "the garden needs more sun",
    "the server restarted twice",
    "the coffee machine is broken again",
    "we hired two new engineers",
    "the bridge on Elm Street is closed",
)


def spoken_samples(
    text: str, voice: str, directory: Path, *, pitch: int | None = None, speed: int = 160
) -> np.ndarray:
    """`text` said by espeak-ng's `voice` (at `pitch` 0-99 when given), as 16 kHz mono float32 in [-1, 1]
    (for recordings of several voices)."""
    raw = directory / f"{abs(hash((text, voice, pitch, speed)))}.wav"
    subprocess.run(
        [require_tool("espeak-ng"), "-v", voice, "-s", str(speed)]
        + (["-p", str(pitch)] if pitch is not None else [])
        + ["-w", str(raw), text],
        check=True,
        capture_output=True,
        timeout=60,
    )
    pcm = subprocess.run(
        [
            require_tool("ffmpeg"),
            "-v",
            "error",
            "-i",
            str(raw),
            "-ar",
            "16000",
            "-ac",
            "1",
            "-f",
            "s16le",
            "-",
        ],
        check=True,
        capture_output=True,
        timeout=60,
    ).stdout
    return np.frombuffer(pcm, dtype=np.int16).astype(np.float32) / 32768


def varied_sentences(words: int, seed: int = 11) -> list[str]:
    """Plausible, non-repeating sentences (with commitments now and then) totalling about `words` words."""
    import random

    rng = random.Random(seed)
    out: list[str] = []
    count = 0
    while count < words:
        kind = rng.random()
        if kind < 0.3:
            sentence = f"{rng.choice(_PEOPLE).capitalize()} will {rng.choice(_ACTIONS)} {rng.choice(_WHEN)}."
        elif kind < 0.45:
            sentence = f"We need to {rng.choice(_ACTIONS)} {rng.choice(_WHEN)}."
        else:
            sentence = f"{rng.choice(_OPENERS)}, {rng.choice(_FACTS)}, and {rng.choice(_FACTS)}."
        out.append(sentence)
        count += len(sentence.split())
    return out
