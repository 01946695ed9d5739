"""The media stages: probe (which also decides the plan and checks the scratch space) and scenes."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from lifestream.media.probe import MediaInfo, probe
from lifestream.media.scenes import Scene, detect_scenes
from lifestream.media.space import check_scratch_space, same_disk, scratch_capacity
from lifestream.storage.results import KEYFRAMES
from lifestream.understand.pipeline.plan import Plan, make_plan

if TYPE_CHECKING:
    from lifestream.understand.pipeline.run import Run


def stage_probe(run: Run) -> MediaInfo:
    saved = run.checkpoint.load("probe")
    if saved:
        info = MediaInfo.model_validate(saved["info"])
        run.plan = Plan.model_validate(saved["plan"])
        if run.video.exists() and run.video.stat().st_size == info.size:
            return info
    info = probe(
        run.video,
        uploaded_at=run.uploaded_at,
        max_bytes=run.settings.max_video_bytes,
        zone=run.zone,
    )
    if saved:
        # Keep the recording date the first call decided (a fallback "now" must not drift).
        info = info.model_copy(update={"recorded_at": MediaInfo.model_validate(saved["info"]).recorded_at})
    run.plan = make_plan(run.settings, info, run.video, run.subtitle_paths, run.index is not None)
    _check_space(run, info)
    run.save_unit("probe", {"info": info.model_dump(mode="json"), "plan": run.plan.model_dump()})
    run.report("probe")
    return info


def _check_space(run: Run, info: MediaInfo) -> None:
    assert run.plan is not None
    scratch = Path(tempfile.gettempdir())
    sidecars = run.sidecars()
    sidecar_bytes = sum(p.stat().st_size for p in sidecars if p.exists())
    on_scratch = info.size if same_disk(run.video, scratch) else 0
    on_scratch += sidecar_bytes if sidecars and same_disk(sidecars[0], scratch) else 0
    check_scratch_space(
        run.video.name,
        video_bytes=info.size,
        duration=info.duration,
        sidecar_bytes=sidecar_bytes,
        audio="audio" in run.plan.stages,
        capacity=scratch_capacity(run.settings.ephemeral_storage_bytes, scratch, already_there=on_scratch),
    )


def stage_scenes(run: Run, info: MediaInfo) -> list[Scene]:
    keyframes = run.output_dir / KEYFRAMES
    saved = run.checkpoint.load("scenes")
    if saved:
        scenes = [Scene.model_validate(s) for s in saved["scenes"]]
        if all((keyframes / s.keyframe).exists() for s in scenes):
            return scenes
    # Keyframes live on local disk; a later invocation (new /tmp) re-extracts them — it is cheap.
    shutil.rmtree(keyframes, ignore_errors=True)

    def tick(t: float) -> None:
        run.report("scenes", t / info.duration if info.duration else 1.0)

    # Each keyframe goes to the checkpoint as it is made (when the checkpoint keeps files), so a hand-over
    # never has a stage's worth of uploads left to do in its last seconds.
    keep = getattr(run.checkpoint, "save_file", None)
    scenes = detect_scenes(
        run.video,
        keyframes,
        duration=info.duration,
        on_keyframe=tick,
        on_file=(lambda path: keep(KEYFRAMES, path)) if keep else None,
        should_stop=run.time_to_hand_over,
    )
    run.checkpoint.save("scenes", {"scenes": [s.model_dump() for s in scenes]})
    if not saved:
        # Re-extracting keyframes a previous invocation already found is not progress: counting it
        # would let a continuation that only redoes this stage loop forever.
        run.record_progress()
    run.report("scenes")
    return scenes
