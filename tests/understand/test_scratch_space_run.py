"""process_video refuses a video whose scratch files cannot fit, before any stage work, with a clear error."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from lifestream.media.space import RESERVE_BYTES, ScratchSpaceError
from lifestream.understand.pipeline import process_video


def test_a_video_too_long_for_the_scratch_disk_fails_after_probe(
    media, openai_settings, openai_fake, out_dir
):
    # GIVEN a scratch disk with room for the file and the reserve, not for 16 s of WAV and keyframes
    video = media.talk_video()
    settings = openai_settings(
        transcriber="openai",
        openai_base_url=openai_fake.base_url,
        ephemeral_storage_bytes=RESERVE_BYTES + video.stat().st_size,
    )

    with pytest.raises(ScratchSpaceError, match="ephemeral storage"):
        process_video(
            video,
            settings=settings,
            video_id="talk",
            output_dir=out_dir,
            uploaded_at=datetime(2025, 6, 1, tzinfo=UTC),
            index=False,
        )
    assert not (out_dir / "keyframes").exists() and not (out_dir / "summary.md").exists()
    assert openai_fake.calls == []
