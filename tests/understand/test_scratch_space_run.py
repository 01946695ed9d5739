"""process_video refuses a video whose scratch files cannot fit, before any stage work, with a clear error."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from lifestream.core.errors import InputError
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
        )
    assert not (out_dir / "keyframes").exists() and not (out_dir / "summary.md").exists()
    assert openai_fake.calls == []


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full (Linux)")
def test_a_disk_that_fills_up_anyway_is_a_permanent_error_not_a_retry(media, offline_settings, out_dir):
    # GIVEN a run whose diary file lands on a device that is always full (the kernel answers ENOSPC)
    out_dir.mkdir(parents=True)
    (out_dir / "summary.json.tmp").symlink_to("/dev/full")

    with pytest.raises(ScratchSpaceError, match="scratch disk filled up") as refused:
        process_video(
            media.subtitled_video(),
            settings=offline_settings(),
            video_id="full",
            output_dir=out_dir,
            uploaded_at=datetime(2025, 6, 1, tzinfo=UTC),
        )
    assert isinstance(refused.value, InputError) and "split the video" in str(refused.value)
