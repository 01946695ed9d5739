"""The screen stages: ocr (text read on each keyframe) and vision (what each block's pictures show, and
the text on screen, from the OCR reads and the vision model's)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lifestream.media.scenes import Scene
from lifestream.storage.results import KEYFRAMES
from lifestream.understand.blocks import Block
from lifestream.understand.screen_text import FrameText
from lifestream.understand.vision import timeline_with_text

if TYPE_CHECKING:
    from lifestream.understand.pipeline.run import Run


def stage_ocr(run: Run, scenes: list[Scene]) -> dict[str, list[FrameText]]:
    """Text read on each keyframe, saved keyframe by keyframe (the budget is checked between them)."""
    from lifestream.understand.screen_text import LocalOCR

    saved: dict[str, list] = dict((run.checkpoint.load("ocr") or {}).get("frames", {}))
    ocr = None
    for n, scene in enumerate(scenes):
        if scene.keyframe in saved:
            continue
        run.hand_over_if_out_of_time("ocr", scene.keyframe_time)
        ocr = ocr or LocalOCR()
        saved[scene.keyframe] = [
            t.model_dump() for t in ocr.read(run.output_dir / KEYFRAMES / scene.keyframe)
        ]
        run.save_unit("ocr", {"frames": saved})
        run.report("ocr", (n + 1) / len(scenes))
    run.report("ocr")
    return {name: [FrameText.model_validate(t) for t in texts] for name, texts in saved.items()}


def stage_vision(
    run: Run, blocks: list[Block], scenes: list[Scene], frames: dict[str, list[FrameText]] | None = None
) -> dict[int, str]:
    """Each block's visual summary; the text seen on screen goes to `run.screen_text`."""
    assert run.plan is not None
    from lifestream.understand.screen_text import from_vision, same_text, screen_texts

    vision = run.checkpoint.load("vision") or {}
    saved: dict[str, str] = vision.get("blocks", {})
    # The vision model's visible_text per block (a checkpoint from before it was kept has none).
    visible: dict[str, list[str]] = vision.get("visible_text", {})
    out: dict[int, str] = {}
    for block in blocks:
        block_scenes = [_clip(scenes[i], block) for i in block.scene_indices]
        seen = screen_texts(block_scenes, frames or {})
        if str(block.index) in saved:
            text = saved[str(block.index)]
        elif run.plan.vision == "openai" and block_scenes:
            from lifestream.understand.vision import describe_keyframes_and_text

            run.hand_over_if_out_of_time("vision", block.start)
            text, visible[str(block.index)] = describe_keyframes_and_text(
                run.openai,
                run.settings.openai_vision_model,
                block_scenes,
                run.output_dir / KEYFRAMES,
            )
            saved[str(block.index)] = text
            run.save_unit("vision", {"blocks": saved, "visible_text": visible})
        else:
            text = timeline_with_text(block_scenes, seen)
        read = from_vision(visible.get(str(block.index), []), block_scenes)
        run.screen_text[block.index] = seen + [
            v for v in read if not any(same_text(v.text, t.text) for t in seen)
        ]
        out[block.index] = text
        run.report("vision", (block.index + 1) / len(blocks))
    return out


def _clip(scene: Scene, block: Block) -> Scene:
    return scene.model_copy(update={"start": max(scene.start, block.start), "end": min(scene.end, block.end)})
