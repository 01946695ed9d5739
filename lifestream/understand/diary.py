"""One video's diary: a `Diary` (saved as `summary.json`), assembled from the summarized blocks, and its
Markdown rendering (`summary.md`, the original LifeStream's "# Daily Summary" shape). Times in block
headings are offsets from the start of the video.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel, Field

from lifestream.core.models import TranscriptSegment
from lifestream.core.timefmt import hms, zone_name
from lifestream.storage.results import output_files, write_atomically
from lifestream.understand.screen_text import ScreenText
from lifestream.understand.summarize.extractive import is_label
from lifestream.understand.summarize.models import ActionItem, BlockSummary

if TYPE_CHECKING:
    from lifestream.media.probe import MediaInfo
    from lifestream.understand.blocks import Block
    from lifestream.understand.transcribe import Transcript


class DiaryBlock(BlockSummary):
    """A block's summary, placed in the video: its span, evidence and transcript."""

    index: int
    start: float
    end: float
    source_reliability: str
    keyframes: list[str] = Field(default_factory=list)  # file names under keyframes/
    transcript: list[TranscriptSegment] = Field(default_factory=list)
    screen_text: list[ScreenText] = Field(default_factory=list)  # text read on the block's keyframes

    @classmethod
    def of(
        cls, block: Block, summary: BlockSummary, *, source_reliability: str, keyframes: Sequence[str] = ()
    ) -> DiaryBlock:
        """The diary entry of a block: its span and transcript, told by its summary."""
        return cls(
            **summary.model_dump(),
            index=block.index,
            start=block.start,
            end=block.end,
            source_reliability=source_reliability,
            keyframes=list(keyframes),
            transcript=block.segments,
        )


class Diary(BaseModel):
    """One video's diary (the API shows it inside `VideoDiary` and `DayDiary`)."""

    date: str  # YYYY-MM-DD, the recording's local date
    video_id: str
    source_name: str | None = None
    recorded_at: datetime  # in `timezone`
    recorded_at_is_fallback: bool
    # The zone of `date` and `recorded_at` (LIFESTREAM_TIMEZONE, else the machine's at processing time).
    timezone: str = "UTC"
    # The file's date tag had no zone offset: its wall-clock time was taken to be in `timezone`.
    recorded_at_zone_assumed: bool = False
    duration: float
    transcriber: str
    transcriber_detail: str = ""
    summarizer: str
    vision: str
    blocks: list[DiaryBlock] = Field(default_factory=list)

    @property
    def action_items(self) -> list[ActionItem]:
        return [item for block in self.blocks for item in block.action_items]


def _participants(block: DiaryBlock) -> str:
    """Names where they are known; voices told apart but not named are counted ("2 unnamed speakers"),
    so two people who plainly spoke are never shown as "Not identified"."""
    heard = list(block.participants)
    if not heard:
        heard = list(dict.fromkeys(s.speaker for s in block.transcript if s.speaker))
    names = [p for p in heard if not is_label(p)]
    unnamed = len({p for p in heard if is_label(p)})
    if unnamed:
        names.append(f"{unnamed} unnamed speaker{'s' if unnamed != 1 else ''}")
    if names:
        return ", ".join(names)
    return "Not identified (no speaker labels)" if block.transcript else "None heard"


def assemble_diary(
    *,
    video_id: str,
    source_name: str,
    info: MediaInfo,
    zone: tzinfo,
    transcript: Transcript,
    summarizer: str,
    vision: str,
    blocks: Sequence[DiaryBlock],
    screen_text: Mapping[int, list[ScreenText]],
) -> Diary:
    # The diary speaks the user's local time: its date and the recording time it states.
    local = info.recorded_at.astimezone(zone)
    return Diary(
        date=local.date().isoformat(),
        video_id=video_id,
        source_name=source_name,
        recorded_at=local,
        recorded_at_is_fallback=info.recorded_at_is_fallback,
        timezone=zone_name(zone),
        recorded_at_zone_assumed=info.recorded_at_zone_assumed,
        duration=round(info.duration, 3),
        transcriber=transcript.source,
        transcriber_detail=transcript.detail,
        summarizer=summarizer,
        vision=vision,
        blocks=[b.model_copy(update={"screen_text": screen_text.get(b.index, [])}) for b in blocks],
    )


def write_diary(summary: Diary, folder: Path) -> tuple[Path, Path]:
    """`summary.json` and `summary.md` in a pipeline's output folder; returns their paths."""
    json_path, md_path, _ = output_files(folder)
    write_atomically(json_path, json.dumps(summary.model_dump(mode="json"), indent=2, ensure_ascii=False))
    write_atomically(md_path, render_markdown(summary))
    return json_path, md_path


def render_markdown(summary: Diary) -> str:
    when = summary.recorded_at.strftime("%H:%M %Z").strip()
    if summary.recorded_at_is_fallback:
        origin = "upload time; the file has no recording date"
    elif summary.recorded_at_zone_assumed:
        origin = f"file metadata without a time zone, taken as {summary.timezone} time"
    else:
        origin = "file metadata"
    # The zone's name beside its abbreviation: "JST" alone does not say which zone the dates are in.
    origin = f"{summary.timezone}; {origin}"
    lines = [
        f"# Daily Summary: {summary.date}",
        "",
        f"_Video `{summary.source_name or summary.video_id}` · recorded {when} ({origin}) · "
        f"{hms(summary.duration)} long · transcript: {summary.transcriber} · summary: {summary.summarizer}_",
        "",
    ]
    for block in summary.blocks:
        lines.append(f"## {hms(block.start)} - {hms(block.end)}: {block.title}")
        lines.append(f"- **Location:** {block.location}")
        lines.append(f"- **Activity:** {block.activity}")
        lines.append(f"- **Source Reliability:** {block.source_reliability}")
        lines.append(f"- **Participants:** {_participants(block)}")
        if block.per_speaker:
            lines.append("- **Per-Speaker Summary:**")
            lines += [f"  - {s.speaker}: {s.summary}" for s in block.per_speaker]
        lines.append(f"- **Visual Summary:** {block.visual_summary}")
        if block.action_items:
            lines.append("- **Action Items:**")
            for item in block.action_items:
                owner = f" (owner: {item.owner})" if item.owner else ""
                at = f" — at {hms(item.at)}" if item.at is not None else ""
                lines.append(f"  - [ ] {item.text}{owner}{at}")
        else:
            lines.append("- **Action Items:** none")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
