"""The summary stages: blocks (the video cut where its content changes) and summarize (each block told by
the plan's summarizer, with the reliability of its evidence)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from lifestream.media.probe import MediaInfo
from lifestream.media.scenes import Scene
from lifestream.understand.blocks import Block, EmbeddingSimilarity, blocks_at, make_blocks
from lifestream.understand.diary import DiaryBlock
from lifestream.understand.summarize import Evidence, reliability, summarize_block_extractive
from lifestream.understand.summarize.models import BlockSummary
from lifestream.understand.summarize.names import speaker_names
from lifestream.understand.transcribe import Transcript

if TYPE_CHECKING:
    from lifestream.understand.pipeline.run import Run


def stage_blocks(run: Run, info: MediaInfo, scenes: list[Scene], transcript: Transcript) -> list[Block]:
    # The cuts are kept: a continuation must see the same blocks its saved summaries belong to.
    saved = run.checkpoint.load("blocks")
    if saved:
        return blocks_at(saved["bounds"], scenes, transcript.segments)
    similarity = None
    if run.index is not None and run.settings.embedding_provider == "local" and transcript.segments:
        # The embedder indexing loads anyway tells a change of topic better than shared words do.
        similarity = EmbeddingSimilarity(run.index.embedder.embed)
    blocks = make_blocks(
        info.duration,
        scenes,
        transcript.segments,
        max_seconds=run.settings.block_max_seconds,
        similarity=similarity,
    )
    run.checkpoint.save("blocks", {"bounds": [blocks[0].start, *(b.end for b in blocks)]})
    return blocks


def stage_summarize(
    run: Run, blocks: list[Block], visuals: dict[int, str], transcript: Transcript, info: MediaInfo
) -> list[DiaryBlock]:
    assert run.plan is not None
    saved: dict[str, Any] = (run.checkpoint.load("summaries") or {}).get("blocks", {})
    diary_blocks = []
    # A voice is named from the evidence in all its turns (a name given once holds in every block; two
    # names on one voice anywhere leave it unnamed everywhere).
    names = speaker_names(transcript.segments)
    for block in blocks:
        if str(block.index) in saved:
            summary = BlockSummary.model_validate(saved[str(block.index)])
        elif (by_model := _model_summary(run, block, visuals[block.index], names)) is not None:
            run.hand_over_if_out_of_time("summarize", block.start)
            summary = by_model()
            saved[str(block.index)] = summary.model_dump(mode="json")
            run.save_unit("summaries", {"blocks": saved})
        else:
            summary = summarize_block_extractive(
                block.segments,
                visual_summary=visuals[block.index],
                scene_count=len(block.scene_indices),
                names=names,
                # A place read on a sign is told as seen (never as where you were, nor as said).
                screen_text=[t.text for t in run.screen_text.get(block.index, [])],
            )
        evidence = Evidence(
            transcript_source=transcript.source,
            segments=len(block.segments),
            speech_seconds=block.speech_seconds,
            block_seconds=block.length,
            keyframes=len(block.scene_indices),
            images_described=run.plan.vision == "openai" and bool(block.scene_indices),
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
        run.report("summarize", (block.index + 1) / len(blocks))
    return diary_blocks


def _model_summary(
    run: Run, block: Block, visual_summary: str, names: dict[str, str]
) -> Callable[[], BlockSummary] | None:
    """The plan's language model summarizing `block`, to call once time allows; None: summarize
    extractively (the plan's choice, or the local model turned out to be unavailable)."""
    assert run.plan is not None
    if run.plan.summarizer == "openai":
        from lifestream.understand.summarize.openai_summarizer import summarize_block_openai

        return lambda: summarize_block_openai(
            run.openai,
            run.settings.openai_chat_model,
            block.segments,
            block_start=block.start,
            block_end=block.end,
            visual_summary=visual_summary,
        )
    if run.plan.summarizer == "local" and (llm := run.local_llm()) is not None:
        from lifestream.understand.summarize.local_llm import summarize_block_local

        return lambda: summarize_block_local(
            llm,
            block.segments,
            visual_summary=visual_summary,
            scene_count=len(block.scene_indices),
            # Text read on screen is evidence too: a place on a sign may be grounded by it.
            screen_text=[t.text for t in run.screen_text.get(block.index, [])],
            names=names,
        )
    return None
