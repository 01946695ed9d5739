"""`process_video`: one video → diary (JSON + Markdown + keyframes) → indexed chunks.

The same function serves the CLI and the Lambda worker. Each stage's output is saved to a `Checkpoint`;
between units of work (a stage, a keyframe, ten seconds of decoded audio, an audio window, a block) the
remaining time is checked and, when it is below `settings.worker_safety_margin_seconds`,
`OutOfTime(stage, offset)` is raised after saving. Remote calls inside a unit get timeouts and retries cut
to the same budget (`lifestream.core.budget`); one cut short by it also ends in `OutOfTime`. Calling
again with the same checkpoint continues where the last call stopped, and the result equals an
uninterrupted run. Indexing is the last step, so a video is never half-indexed.
"""

from __future__ import annotations

import json
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
from lifestream.core.timefmt import local_zone, zone_name
from lifestream.media.probe import MediaInfo, probe
from lifestream.media.scenes import Scene, detect_scenes
from lifestream.media.space import (
    ScratchSpaceError,
    check_scratch_space,
    is_disk_full,
    same_disk,
    scratch_capacity,
)
from lifestream.storage.results import KEYFRAMES, output_files, write_atomically
from lifestream.understand.blocks import Block, EmbeddingSimilarity, blocks_at, make_blocks
from lifestream.understand.diary import DailySummary, DiaryBlock, render_markdown
from lifestream.understand.screen_text import FrameText, ScreenText
from lifestream.understand.summarize import Evidence, reliability, summarize_block_extractive
from lifestream.understand.summarize.models import BlockSummary
from lifestream.understand.transcribe import (
    LOCAL_WINDOW_SECONDS,
    Transcript,
    choose_source,
    make_engine,
    read_subtitles,
    transcribe_audio,
    usable_sidecars,
)
from lifestream.understand.transcribe.openai_stt import DEFAULT_OVERLAP_SECONDS, DEFAULT_WINDOW_SECONDS
from lifestream.understand.vision import timeline_with_text

if TYPE_CHECKING:
    from lifestream.memory.video_index import VideoIndex

log = logging.getLogger(__name__)

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
OPENAI_WINDOW_SECONDS = DEFAULT_WINDOW_SECONDS
OPENAI_OVERLAP_SECONDS = DEFAULT_OVERLAP_SECONDS


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
    summary: DailySummary


class _Plan(BaseModel):
    transcriber: str  # subtitles | local | openai | none
    summarizer: str  # openai | local | extractive
    vision: str  # openai | timeline
    stages: list[str]
    # Names of the sidecar subtitle files that parsed; None (a plan saved before this field): all of them.
    sidecars: list[str] | None = None


def _plan(
    settings: Settings, info: MediaInfo, video: Path, subtitle_paths: Sequence[Path], index: bool
) -> _Plan:
    # A broken sidecar is not a broken video: it is left out (with a warning) and the next source chosen.
    subtitle_paths = usable_sidecars(subtitle_paths)
    source = choose_source(settings, video=video, subtitle_paths=subtitle_paths)
    if source in ("local", "openai") and not info.has_audio:
        source = "none"  # a silent film is fine: no transcript, not an error
    summarizer = settings.summarizer
    if summarizer == "auto":
        from lifestream.core.local_llm import model_installed

        if settings.has_openai:
            summarizer = "openai"
        else:
            summarizer = "local" if model_installed(settings.llm_model) else "extractive"
    vision = "openai" if summarizer == "openai" else "timeline"
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
    return _Plan(
        transcriber=source,
        summarizer=summarizer,
        vision=vision,
        stages=stages,
        sidecars=[p.name for p in subtitle_paths],
    )


class _Run:
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
        self.plan: _Plan | None = None
        self._openai = None
        self._workdir: Path | None = None
        self.screen_text: dict[int, list[ScreenText]] = {}  # per block, filled by stage_vision

    # --- time and progress ---------------------------------------------------------------------------
    def should_stop(self) -> bool:
        return self.budget.limited and self.budget.expired()

    def may_stop(self) -> bool:
        """Inside a long loop: time is short and this call already made progress."""
        return self.progress_made and self.should_stop()

    def checkpoint_time(self, stage: str, offset: float = 0.0) -> None:
        """Between units of work: stop if time is short — but only after this call made some progress,
        so a continuation can never loop without advancing."""
        self.position = (stage, offset)
        if self.may_stop():
            raise OutOfTime(stage, offset)

    def done_unit(self) -> None:
        self.progress_made = True

    def report(self, stage: str, within: float = 1.0) -> None:
        if not self.on_progress or not self.plan:
            return
        stages = self.plan.stages
        total = sum(STAGE_WEIGHTS[s] for s in stages)
        before = sum(STAGE_WEIGHTS[s] for s in stages[: stages.index(stage)]) if stage in stages else 0.0
        share = STAGE_WEIGHTS.get(stage, 0.0) * min(max(within, 0.0), 1.0)
        self.on_progress(stage, min(1.0, (before + share) / total))

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

    # --- stages --------------------------------------------------------------------------------------
    @cached_property
    def zone(self) -> tzinfo:
        """LIFESTREAM_TIMEZONE's zone (or the machine's): diary dates, and tags without an offset."""
        return local_zone(self.settings.timezone)

    def stage_probe(self) -> MediaInfo:
        saved = self.checkpoint.load("probe")
        if saved:
            info = MediaInfo.model_validate(saved["info"])
            self.plan = _Plan.model_validate(saved["plan"])
            if self.video.exists() and self.video.stat().st_size == info.size:
                return info
        info = probe(
            self.video,
            uploaded_at=self.uploaded_at,
            max_bytes=self.settings.max_video_bytes,
            zone=self.zone,
        )
        if saved:
            # Keep the recording date the first call decided (a fallback "now" must not drift).
            info = info.model_copy(
                update={"recorded_at": MediaInfo.model_validate(saved["info"]).recorded_at}
            )
        self.plan = _plan(self.settings, info, self.video, self.subtitle_paths, self.index is not None)
        self.check_space(info)
        self.checkpoint.save("probe", {"info": info.model_dump(mode="json"), "plan": self.plan.model_dump()})
        self.done_unit()
        self.report("probe")
        return info

    def check_space(self, info: MediaInfo) -> None:
        assert self.plan is not None
        scratch = Path(tempfile.gettempdir())
        sidecars = self.sidecars()
        sidecar_bytes = sum(p.stat().st_size for p in sidecars if p.exists())
        on_scratch = info.size if same_disk(self.video, scratch) else 0
        on_scratch += sidecar_bytes if sidecars and same_disk(sidecars[0], scratch) else 0
        check_scratch_space(
            self.video.name,
            video_bytes=info.size,
            duration=info.duration,
            sidecar_bytes=sidecar_bytes,
            audio="audio" in self.plan.stages,
            capacity=scratch_capacity(
                self.settings.ephemeral_storage_bytes, scratch, already_there=on_scratch
            ),
        )

    def sidecars(self) -> list[Path]:
        names = self.plan.sidecars if self.plan is not None else None
        return [p for p in self.subtitle_paths if names is None or p.name in names]

    def stage_scenes(self, info: MediaInfo) -> list[Scene]:
        keyframes = self.output_dir / KEYFRAMES
        saved = self.checkpoint.load("scenes")
        if saved:
            scenes = [Scene.model_validate(s) for s in saved["scenes"]]
            if all((keyframes / s.keyframe).exists() for s in scenes):
                return scenes
        # Keyframes live on local disk; a later invocation (new /tmp) re-extracts them — it is cheap.
        shutil.rmtree(keyframes, ignore_errors=True)

        def tick(t: float) -> None:
            self.report("scenes", t / info.duration if info.duration else 1.0)

        # Each keyframe goes to the checkpoint as it is made (when the checkpoint keeps files), so a hand-over
        # never has a stage's worth of uploads left to do in its last seconds.
        keep = getattr(self.checkpoint, "save_file", None)
        scenes = detect_scenes(
            self.video,
            keyframes,
            duration=info.duration,
            on_keyframe=tick,
            on_file=(lambda path: keep(KEYFRAMES, path)) if keep else None,
            should_stop=self.may_stop,
        )
        self.checkpoint.save("scenes", {"scenes": [s.model_dump() for s in scenes]})
        if not saved:
            # Re-extracting keyframes a previous invocation already found is not progress: counting it
            # would let a continuation that only redoes this stage loop forever.
            self.done_unit()
        self.report("scenes")
        return scenes

    def stage_transcribe(self, info: MediaInfo) -> Transcript:
        assert self.plan is not None
        saved = self.checkpoint.load("transcript_done")
        if saved:
            return Transcript.model_validate(saved)
        source = self.plan.transcriber
        if source == "none":
            reason = "no audio track" if not info.has_audio else "no transcriber available"
            transcript = Transcript(source="none", detail=reason)
        elif source == "subtitles":
            transcript = read_subtitles(self.video, self.sidecars())
        else:
            from lifestream.media.audio import extract_audio

            self.checkpoint_time("audio")
            track = extract_audio(
                self.video,
                self.workdir / "audio.wav",
                should_stop=self.may_stop,
                on_progress=lambda t: self.report("audio", t / info.duration if info.duration else 1.0),
            )
            self.report("audio")
            if track is None:
                transcript = Transcript(source="none", detail="no audio track")
            else:
                engine = make_engine(
                    source, self.settings, openai_client=self.openai if source == "openai" else None
                )
                local = source == "local"
                transcript = transcribe_audio(
                    track,
                    engine,
                    window_seconds=LOCAL_WINDOW_SECONDS if local else OPENAI_WINDOW_SECONDS,
                    overlap=0.0 if local else OPENAI_OVERLAP_SECONDS,
                    checkpoint=self.checkpoint,
                    should_stop=self.may_stop,
                    on_window=lambda f: (self.done_unit(), self.report("transcribe", f)),
                    progress_made=lambda: self.progress_made,
                )
        self.checkpoint.save("transcript_done", transcript.model_dump(mode="json"))
        self.done_unit()
        self.report("transcribe")
        return transcript

    def stage_blocks(self, info: MediaInfo, scenes: list[Scene], transcript: Transcript) -> list[Block]:
        # The cuts are kept: a continuation must see the same blocks its saved summaries belong to.
        saved = self.checkpoint.load("blocks")
        if saved:
            return blocks_at(saved["bounds"], scenes, transcript.segments)
        similarity = None
        if self.index is not None and self.settings.embedding_provider == "local" and transcript.segments:
            # The embedder indexing loads anyway tells a change of topic better than shared words do.
            similarity = EmbeddingSimilarity(self.index.embedder.embed)
        blocks = make_blocks(
            info.duration,
            scenes,
            transcript.segments,
            max_seconds=self.settings.block_max_seconds,
            similarity=similarity,
        )
        self.checkpoint.save("blocks", {"bounds": [blocks[0].start, *(b.end for b in blocks)]})
        return blocks

    def stage_speakers(self, info: MediaInfo, transcript: Transcript) -> Transcript:
        """Label the transcript with Speaker 1/2/… from the audio, unless its source already did."""
        from lifestream.understand.speakers import Turn, assign_speakers, make_diarizer

        saved = self.checkpoint.load("speakers")
        if saved is None:
            if not transcript.segments or any(s.speaker for s in transcript.segments):
                # Nobody spoke, or the transcriber diarized (OpenAI's diarize model): nothing to add.
                saved = {"turns": None, "label": ""}
            else:
                from lifestream.media.audio import extract_audio

                wav = self.workdir / "audio.wav"
                if wav.exists():  # decoded by the transcribe stage of this call
                    track = _track_of(wav)
                else:  # a continuation: the previous call's work directory is gone
                    track = extract_audio(self.video, wav, should_stop=self.may_stop)
                diarizer = make_diarizer(self.settings)
                turns = (
                    diarizer.diarize(
                        track,
                        should_stop=self.may_stop,
                        on_progress=lambda f: self.report("speakers", f),
                    )
                    if track is not None
                    else []
                )
                saved = {"turns": [t.model_dump() for t in turns], "label": diarizer.label}
            self.checkpoint.save("speakers", saved)
            self.done_unit()
        self.report("speakers")
        if not saved["turns"]:
            return transcript
        turns = [Turn.model_validate(t) for t in saved["turns"]]
        detail = f"{transcript.detail}; speakers: {saved['label']}" if transcript.detail else saved["label"]
        return transcript.model_copy(
            update={"segments": assign_speakers(transcript.segments, turns), "detail": detail}
        )

    def stage_ocr(self, scenes: list[Scene]) -> dict[str, list[FrameText]]:
        """Text read on each keyframe, saved keyframe by keyframe (the budget is checked between them)."""
        from lifestream.understand.screen_text import LocalOCR

        saved: dict[str, list] = dict((self.checkpoint.load("ocr") or {}).get("frames", {}))
        ocr = None
        for n, scene in enumerate(scenes):
            if scene.keyframe in saved:
                continue
            self.checkpoint_time("ocr", scene.keyframe_time)
            ocr = ocr or LocalOCR()
            saved[scene.keyframe] = [
                t.model_dump() for t in ocr.read(self.output_dir / KEYFRAMES / scene.keyframe)
            ]
            self.checkpoint.save("ocr", {"frames": saved})
            self.done_unit()
            self.report("ocr", (n + 1) / len(scenes))
        self.report("ocr")
        return {name: [FrameText.model_validate(t) for t in texts] for name, texts in saved.items()}

    def stage_vision(
        self, blocks: list[Block], scenes: list[Scene], frames: dict[str, list[FrameText]] | None = None
    ) -> dict[int, str]:
        assert self.plan is not None
        from lifestream.understand.screen_text import from_vision, same_text, screen_texts

        vision = self.checkpoint.load("vision") or {}
        saved: dict[str, str] = vision.get("blocks", {})
        # The vision model's visible_text per block (a checkpoint from before it was kept has none).
        visible: dict[str, list[str]] = vision.get("visible_text", {})
        out: dict[int, str] = {}
        for block in blocks:
            block_scenes = [_clip(scenes[i], block) for i in block.scene_indices]
            seen = screen_texts(block_scenes, frames or {})
            if str(block.index) in saved:
                text = saved[str(block.index)]
            elif self.plan.vision == "openai" and block_scenes:
                from lifestream.understand.vision import describe_keyframes_and_text

                self.checkpoint_time("vision", block.start)
                text, visible[str(block.index)] = describe_keyframes_and_text(
                    self.openai,
                    self.settings.openai_vision_model,
                    block_scenes,
                    self.output_dir / KEYFRAMES,
                )
                saved[str(block.index)] = text
                self.checkpoint.save("vision", {"blocks": saved, "visible_text": visible})
                self.done_unit()
            else:
                text = timeline_with_text(block_scenes, seen)
            read = from_vision(visible.get(str(block.index), []), block_scenes)
            self.screen_text[block.index] = seen + [
                v for v in read if not any(same_text(v.text, t.text) for t in seen)
            ]
            out[block.index] = text
            self.report("vision", (block.index + 1) / len(blocks))
        return out

    def stage_summarize(
        self, blocks: list[Block], visuals: dict[int, str], transcript: Transcript, info: MediaInfo
    ) -> list[DiaryBlock]:
        assert self.plan is not None
        saved: dict[str, Any] = (self.checkpoint.load("summaries") or {}).get("blocks", {})
        diary_blocks = []
        speaker_names: dict[str, str] = {}  # names said in earlier blocks (local summarizer)
        for block in blocks:
            if str(block.index) in saved:
                summary = BlockSummary.model_validate(saved[str(block.index)])
            else:
                if self.plan.summarizer == "openai":
                    from lifestream.understand.summarize.openai_summarizer import summarize_block_openai

                    self.checkpoint_time("summarize", block.start)
                    summary = summarize_block_openai(
                        self.openai,
                        self.settings.openai_chat_model,
                        block.segments,
                        block_start=block.start,
                        block_end=block.end,
                        visual_summary=visuals[block.index],
                    )
                    saved[str(block.index)] = summary.model_dump(mode="json")
                    self.checkpoint.save("summaries", {"blocks": saved})
                    self.done_unit()
                elif self.plan.summarizer == "local" and (llm := self.local_llm()) is not None:
                    from lifestream.understand.summarize.local_llm import summarize_block_local

                    self.checkpoint_time("summarize", block.start)
                    summary = summarize_block_local(
                        llm,
                        block.segments,
                        visual_summary=visuals[block.index],
                        scene_count=len(block.scene_indices),
                        # Text read on screen is evidence too: a place on a sign may be grounded by it.
                        screen_text=[t.text for t in self.screen_text.get(block.index, [])],
                        known_names=speaker_names,
                    )
                    saved[str(block.index)] = summary.model_dump(mode="json")
                    self.checkpoint.save("summaries", {"blocks": saved})
                    self.done_unit()
                else:
                    summary = summarize_block_extractive(
                        block.segments,
                        visual_summary=visuals[block.index],
                        scene_count=len(block.scene_indices),
                    )
            evidence = Evidence(
                transcript_source=transcript.source,
                segments=len(block.segments),
                speech_seconds=block.speech_seconds,
                block_seconds=block.length,
                keyframes=len(block.scene_indices),
                images_described=self.plan.vision == "openai" and bool(block.scene_indices),
                has_audio=info.has_audio,
            )
            diary_blocks.append(
                DiaryBlock.of(
                    block,
                    summary,
                    source_reliability=reliability(evidence),
                    keyframes=[f"scene_{i:04d}.jpg" for i in block.scene_indices],
                )
            )
            self.report("summarize", (block.index + 1) / len(blocks))
        return diary_blocks

    def write_diary(self, summary: DailySummary) -> tuple[Path, Path]:
        json_path, md_path, _ = output_files(self.output_dir)
        write_atomically(json_path, json.dumps(summary.model_dump(mode="json"), indent=2, ensure_ascii=False))
        write_atomically(md_path, render_markdown(summary))
        self.report("diary")
        return json_path, md_path

    def stage_index(self, chunks) -> int:
        assert self.index is not None
        count = self.index.index(self.video_id, chunks)
        self.report("index")
        return count

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
            info = self.stage_probe()
            assert self.plan is not None
            self.checkpoint_time("scenes")
            scenes = self.stage_scenes(info)
            self.checkpoint_time("transcribe")
            transcript = self.stage_transcribe(info)
            if "speakers" in self.plan.stages:
                self.checkpoint_time("speakers")
                transcript = self.stage_speakers(info, transcript)
            blocks = self.stage_blocks(info, scenes, transcript)
            frames = None
            if "ocr" in self.plan.stages:
                self.checkpoint_time("ocr")
                frames = self.stage_ocr(scenes)
            self.checkpoint_time("vision")
            visuals = self.stage_vision(blocks, scenes, frames)
            self.report("blocks")
            self.checkpoint_time("summarize")
            diary_blocks = self.stage_summarize(blocks, visuals, transcript, info)
            # The diary speaks the user's local time: its date and the recording time it states.
            local = info.recorded_at.astimezone(self.zone)
            diary_blocks = [
                b.model_copy(update={"screen_text": self.screen_text.get(b.index, [])}) for b in diary_blocks
            ]
            summary = DailySummary(
                date=local.date().isoformat(),
                video_id=self.video_id,
                source_name=self.video.name,
                recorded_at=local,
                recorded_at_is_fallback=info.recorded_at_is_fallback,
                timezone=zone_name(self.zone),
                recorded_at_zone_assumed=info.recorded_at_zone_assumed,
                duration=round(info.duration, 3),
                transcriber=transcript.source,
                transcriber_detail=transcript.detail,
                summarizer=self.plan.summarizer,
                vision=self.plan.vision,
                blocks=diary_blocks,
            )
            json_path, md_path = self.write_diary(summary)
            from lifestream.understand.chunking import build_chunks

            chunks = build_chunks(summary, images_described=self.plan.vision == "openai")
            self.report("chunk")
            if self.index is not None:
                self.checkpoint_time("index")
                self.stage_index(chunks)
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


def _clip(scene: Scene, block: Block) -> Scene:
    return scene.model_copy(update={"start": max(scene.start, block.start), "end": min(scene.end, block.end)})


def _track_of(wav: Path):
    import wave

    from lifestream.media.audio import AudioTrack

    with wave.open(str(wav)) as w:
        return AudioTrack(path=wav, duration=w.getnframes() / w.getframerate())


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
    run = _Run(
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
