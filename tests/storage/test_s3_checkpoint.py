"""Keyframes reach the S3 checkpoint as they are made, so a hand-over has none left to upload."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from lifestream.core.errors import OutOfTime
from lifestream.core.settings import load_settings
from lifestream.understand.pipeline import process_video
from lifestream.storage.s3_checkpoint import S3Checkpoint


def _count_puts(client) -> list[str]:
    """Keys of the PutObject calls the (real) client makes from now on."""
    keys: list[str] = []
    client.meta.events.register(
        "before-parameter-build.s3.PutObject", lambda params, **kw: keys.append(params["Key"])
    )
    return keys


def test_scene_keyframes_are_kept_during_the_scan_and_not_sent_again_at_hand_over(cloud, media, tmp_path):
    bucket = cloud.resources.bucket
    checkpoint = S3Checkpoint(cloud.s3, bucket, "vid")
    puts = _count_puts(cloud.s3)
    settings = load_settings(data_dir=tmp_path / "data", transcriber="none", summarizer="extractive")
    # GIVEN a clock that runs out once the scenes are done
    out = {"yes": False}

    def progress(stage: str, fraction: float) -> None:
        out["yes"] = out["yes"] or stage == "transcribe"  # reported after the scenes stage

    with pytest.raises(OutOfTime):
        process_video(
            media.several_scenes_video(),
            settings=settings,
            video_id="vid",
            output_dir=tmp_path / "out",
            uploaded_at=datetime(2025, 6, 1, tzinfo=UTC),
            checkpoint=checkpoint,
            time_left=lambda: 0.0 if out["yes"] else 10_000.0,
            on_progress=progress,
        )

    # THEN the four keyframes were uploaded during the scan, one PUT each
    frame_puts = sorted(k for k in puts if "/keyframes/" in k)
    assert frame_puts == [f"state/vid/keyframes/scene_{i:04d}.jpg" for i in range(4)]
    # WHEN the worker hands over (it saves the keyframe folder) nothing is sent again
    puts.clear()
    assert checkpoint.save_files("keyframes", tmp_path / "out" / "keyframes") == 4
    assert puts == []

    # AND a continuation that restored them does not send them again either, only a changed one
    resumed = S3Checkpoint(cloud.s3, bucket, "vid")
    assert resumed.restore_files("keyframes", tmp_path / "again") == 4
    (tmp_path / "again" / "scene_0002.jpg").write_bytes(b"changed")
    resumed.save_files("keyframes", tmp_path / "again")
    assert puts == ["state/vid/keyframes/scene_0002.jpg"]


def test_a_clear_whose_keys_are_refused_says_so(cloud):
    # DeleteObjects answers 200 with per-key Errors when keys are refused (AWS authorizes each key; moto
    # does not), so the refusal is added to the real response as S3 documents it.
    from lifestream.core.errors import StorageError

    checkpoint = S3Checkpoint(cloud.s3, cloud.resources.bucket, "vid-denied")
    checkpoint.save("probe", {"duration": 1.0})

    def refuse(parsed, **_):
        parsed["Errors"] = [
            {"Key": "state/vid-denied/probe.json", "Code": "AccessDenied", "Message": "Access Denied"}
        ]

    cloud.s3.meta.events.register("after-call.s3.DeleteObjects", refuse)
    with pytest.raises(
        StorageError, match=r"1 key\(s\) not deleted, e.g. state/vid-denied/probe.json: AccessDenied"
    ):
        checkpoint.clear()
