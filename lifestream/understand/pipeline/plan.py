"""The plan of one video: which transcriber, summarizer and vision it gets and which stages run. It is
decided once, at the probe, and saved with it, so a continuation runs the same plan as the first call."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Literal

from pydantic import BaseModel

from lifestream.core.settings import Settings
from lifestream.media.probe import MediaInfo
from lifestream.understand.summarize.choice import Summarizer, choose_summarizer
from lifestream.understand.transcribe import TranscriptSource, choose_source, usable_sidecars

STAGES = (
    "probe",
    "scenes",
    "audio",
    "transcribe",
    "speakers",
    "ocr",
    "vision",
    "blocks",
    "summarize",
    "diary",
    "chunk",
    "index",
)
# Rough share of the wall time each stage takes on a talk video; only stages that run are counted.
STAGE_WEIGHTS = {
    "probe": 0.01,
    "scenes": 0.04,
    "audio": 0.03,
    "transcribe": 0.55,
    "speakers": 0.05,
    "ocr": 0.08,
    "vision": 0.12,
    "blocks": 0.01,
    "summarize": 0.12,
    "diary": 0.01,
    "chunk": 0.01,
    "index": 0.10,
}
# "timeline": the scene timeline, saying plainly that the pictures were not described.
Vision = Literal["openai", "timeline"]


class Plan(BaseModel):
    transcriber: TranscriptSource
    summarizer: Summarizer
    vision: Vision
    stages: list[str]
    # Names of the sidecar subtitle files that parsed; None (a plan saved before this field): all of them.
    sidecars: list[str] | None = None


def make_plan(
    settings: Settings, info: MediaInfo, video: Path, subtitle_paths: Sequence[Path], index: bool
) -> Plan:
    # A broken sidecar is not a broken video: it is left out (with a warning) and the next source chosen.
    subtitle_paths = usable_sidecars(subtitle_paths)
    source = choose_source(settings, video=video, subtitle_paths=subtitle_paths)
    if source in ("local", "openai") and not info.has_audio:
        source = "none"  # a silent film is fine: no transcript, not an error
    summarizer = choose_summarizer(settings)
    vision: Vision = "openai" if summarizer == "openai" else "timeline"
    stages = ["probe", "scenes"]
    if source in ("local", "openai"):
        stages.append("audio")
    if source != "none":
        stages.append("transcribe")
    if source in ("local", "openai"):
        from lifestream.understand.speakers import diarizer_wanted

        # On decoded audio only: subtitles carry their own speaker cues (or none) and no audio is decoded.
        if diarizer_wanted(settings):
            stages.append("speakers")
    from lifestream.understand.screen_text import ocr_wanted

    if ocr_wanted(settings, vision=vision):
        stages.append("ocr")
    stages += ["vision", "blocks", "summarize", "diary", "chunk"]
    if index:
        stages.append("index")
    return Plan(
        transcriber=source,
        summarizer=summarizer,
        vision=vision,
        stages=stages,
        sidecars=[p.name for p in subtitle_paths],
    )
