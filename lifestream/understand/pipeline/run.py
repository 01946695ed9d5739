"""One call of `process_video`: the stages in order, the time budget, progress and the hand-over.

Every stage's output is saved to the run's `Checkpoint`. Between units of work the run hands over
(`OutOfTime(stage, offset)`, after saving) when time is below `settings.worker_safety_margin_seconds`,
but only once this call has made progress, so a chain of continuations always ends; a remote call cut
short by the same budget (`lifestream.core.budget`) hands over too. Calling again with the checkpoint
continues where the last call stopped, and the result equals an uninterrupted run.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, tzinfo
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from lifestream.core.budget import Budget, DeadlineReached
from lifestream.core.checkpoint import Checkpoint, MemoryCheckpoint
from lifestream.core.errors import OutOfTime
from lifestream.core.settings import Settings
from lifestream.core.timefmt import local_zone
from lifestream.media.space import ScratchSpaceError, is_disk_full
from lifestream.storage.results import KEYFRAMES
from lifestream.understand.diary import Diary, assemble_diary, write_diary
from lifestream.understand.pipeline.media_stages import stage_probe, stage_scenes
from lifestream.understand.pipeline.plan import STAGE_WEIGHTS, Plan
from lifestream.understand.pipeline.screen_stages import stage_ocr, stage_vision
from lifestream.understand.pipeline.speech_stages import limit_speakers, stage_speakers, stage_transcribe
from lifestream.understand.pipeline.summary_stages import stage_blocks, stage_summarize
from lifestream.understand.screen_text import ScreenText

if TYPE_CHECKING:
    from lifestream.memory.video_index import VideoIndex

log = logging.getLogger(__name__)


class ProcessResult(BaseModel):
    video_id: str
    markdown_path: Path
    json_path: Path
    keyframe_paths: list[Path]
    chunk_count: int
    duration: float
    recorded_at: datetime
    recorded_at_is_fallback: bool
    transcriber: str
    stages: list[str]
    summary: Diary


class Run:
    """What one call works with: the video, its checkpoint and plan, its clock and its clients."""

    def __init__(
        self,
        video: Path,
        settings: Settings,
        video_id: str,
        output_dir: Path,
        *,
        uploaded_at: datetime | None,
        subtitle_paths: Sequence[Path],
        checkpoint: Checkpoint | None,
        time_left: Callable[[], float] | None,
        on_progress: Callable[[str, float], None] | None,
        index: VideoIndex | None,
    ) -> None:
        self.video, self.settings, self.video_id = Path(video), settings, video_id
        self.output_dir = Path(output_dir)
        self.uploaded_at = uploaded_at
        self.subtitle_paths = [Path(p) for p in subtitle_paths]
        self.checkpoint = checkpoint if checkpoint is not None else MemoryCheckpoint()
        self.time_left, self.on_progress = time_left, on_progress
        self.index = index
        self.progress_made = False
        self.budget = Budget(time_left, settings.worker_safety_margin_seconds)
        # The unit of work under way, named as OutOfTime would name it (for a call cut short by the budget).
        self.position: tuple[str, float] = ("probe", 0.0)
        self.plan: Plan | None = None
        self._openai = None
        self._workdir: Path | None = None
        self.screen_text: dict[int, list[ScreenText]] = {}  # per block, filled by stage_vision

    # --- time and progress ---------------------------------------------------------------------------
    def out_of_time(self) -> bool:
        return self.budget.limited and self.budget.expired()

    def time_to_hand_over(self) -> bool:
        """Inside a long loop: time is short and this call already made progress."""
        return self.progress_made and self.out_of_time()

    def hand_over_if_out_of_time(self, stage: str, offset: float = 0.0) -> None:
        """Between units of work: stop if time is short — but only after this call made some progress,
        so a continuation can never loop without advancing."""
        self.position = (stage, offset)
        if self.time_to_hand_over():
            raise OutOfTime(stage, offset)

    def record_progress(self) -> None:
        """A unit of work is done and saved: a continuation would not have to do it again."""
        self.progress_made = True

    def save_unit(self, name: str, state: dict[str, Any]) -> None:
        """Save a finished unit of work to the checkpoint: progress a continuation keeps."""
        self.checkpoint.save(name, state)
        self.record_progress()

    def report(self, stage: str, within: float = 1.0) -> None:
        if not self.on_progress or not self.plan:
            return
        stages = self.plan.stages
        total = sum(STAGE_WEIGHTS[s] for s in stages)
        before = sum(STAGE_WEIGHTS[s] for s in stages[: stages.index(stage)]) if stage in stages else 0.0
        share = STAGE_WEIGHTS.get(stage, 0.0) * min(max(within, 0.0), 1.0)
        self.on_progress(stage, min(1.0, (before + share) / total))

    # --- what the stages share -----------------------------------------------------------------------
    @property
    def openai(self):
        if self._openai is None:
            from lifestream.core.llm import openai_client

            self._openai = openai_client(self.settings)
        return self._openai

    def local_llm(self):
        """The local model, or None after switching the plan to extractive (the diary then says so)."""
        from lifestream.core.local_llm import LocalLLMUnavailable, get_local_llm

        assert self.plan is not None
        try:
            return get_local_llm(self.settings.llm_model, self.settings.llm_threads)
        except LocalLLMUnavailable as exc:
            log.warning("local language model unavailable, summarizing extractively: %s", exc)
            self.plan.summarizer = "extractive"
            return None

    @property
    def workdir(self) -> Path:
        if self._workdir is None:
            self._workdir = Path(tempfile.mkdtemp(prefix="lifestream-work-"))
        return self._workdir

    @cached_property
    def zone(self) -> tzinfo:
        """LIFESTREAM_TIMEZONE's zone (or the machine's): diary dates, and tags without an offset."""
        return local_zone(self.settings.timezone)

    def sidecars(self) -> list[Path]:
        names = self.plan.sidecars if self.plan is not None else None
        return [p for p in self.subtitle_paths if names is None or p.name in names]

    # --- the whole run -------------------------------------------------------------------------------
    def execute(self) -> ProcessResult:
        try:
            with self.budget.active():
                return self._execute()
        except DeadlineReached as exc:
            if not self.progress_made:
                raise  # transient: nothing to hand over, SQS retries the message
            raise OutOfTime(*self.position) from exc
        except OSError as exc:
            if not is_disk_full(exc):
                raise
            # Not transient: a retry fills the same disk again.
            raise ScratchSpaceError(
                f"{self.video.name}: the scratch disk filled up ({exc}): raise the worker's ephemeral "
                "storage (worker_ephemeral_mb in stacks/config.py, or LIFESTREAM_EPHEMERAL_STORAGE_BYTES) "
                "or split the video into shorter parts"
            ) from exc

    def _execute(self) -> ProcessResult:
        self.output_dir.mkdir(parents=True, exist_ok=True)
        try:
            info = stage_probe(self)
            assert self.plan is not None
            self.hand_over_if_out_of_time("scenes")
            scenes = stage_scenes(self, info)
            self.hand_over_if_out_of_time("transcribe")
            transcript = stage_transcribe(self, info)
            if "speakers" in self.plan.stages:
                self.hand_over_if_out_of_time("speakers")
                transcript = stage_speakers(self, info, transcript)
            transcript = limit_speakers(transcript)
            blocks = stage_blocks(self, info, scenes, transcript)
            frames = None
            if "ocr" in self.plan.stages:
                self.hand_over_if_out_of_time("ocr")
                frames = stage_ocr(self, scenes)
            self.hand_over_if_out_of_time("vision")
            visuals = stage_vision(self, blocks, scenes, frames)
            self.report("blocks")
            self.hand_over_if_out_of_time("summarize")
            diary_blocks = stage_summarize(self, blocks, visuals, transcript, info)
            summary = assemble_diary(
                video_id=self.video_id,
                source_name=self.video.name,
                info=info,
                zone=self.zone,
                transcript=transcript,
                summarizer=self.plan.summarizer,
                vision=self.plan.vision,
                blocks=diary_blocks,
                screen_text=self.screen_text,
            )
            json_path, md_path = write_diary(summary, self.output_dir)
            self.report("diary")
            from lifestream.understand.chunking import build_chunks

            chunks = build_chunks(summary, images_described=self.plan.vision == "openai")
            self.report("chunk")
            if self.index is not None:
                self.hand_over_if_out_of_time("index")
                self.index.index(self.video_id, chunks)
                self.report("index")
            keyframes = sorted((self.output_dir / KEYFRAMES).glob("*.jpg"))
            return ProcessResult(
                video_id=self.video_id,
                markdown_path=md_path,
                json_path=json_path,
                keyframe_paths=keyframes,
                chunk_count=len(chunks),
                duration=summary.duration,
                recorded_at=info.recorded_at,
                recorded_at_is_fallback=info.recorded_at_is_fallback,
                transcriber=transcript.source,
                stages=list(self.plan.stages),
                summary=summary,
            )
        finally:
            if self._workdir is not None:
                shutil.rmtree(self._workdir, ignore_errors=True)


def process_video(
    video_path: Path,
    *,
    settings: Settings,
    video_id: str,
    output_dir: Path,
    uploaded_at: datetime | None = None,
    subtitle_paths: Sequence[Path] = (),
    checkpoint: Checkpoint | None = None,
    time_left: Callable[[], float] | None = None,
    on_progress: Callable[[str, float], None] | None = None,
    index: VideoIndex | None = None,
) -> ProcessResult:
    """Turn one video into `output_dir/{summary.json, summary.md, keyframes/}` and, given `index`, index
    its chunks there.

    Raises an `InputError` subclass for a file that can never be processed, `OutOfTime` when
    `time_left()` runs below the safety margin (progress saved in `checkpoint`), `TransientError` when a
    remote service keeps failing."""
    if uploaded_at is not None and uploaded_at.tzinfo is None:
        uploaded_at = uploaded_at.replace(tzinfo=UTC)
    run = Run(
        video_path,
        settings,
        video_id,
        output_dir,
        uploaded_at=uploaded_at,
        subtitle_paths=subtitle_paths,
        checkpoint=checkpoint,
        time_left=time_left,
        on_progress=on_progress,
        index=index,
    )
    return run.execute()
