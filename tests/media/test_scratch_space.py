"""The scratch-disk rule: duration x bytes per second against the disk, as a permanent, explicit error."""

from __future__ import annotations

import pytest

from lifestream.core.errors import InputError
from lifestream.media.space import (
    MIB,
    RESERVE_BYTES,
    WAV_BYTES_PER_SECOND,
    ScratchSpaceError,
    check_scratch_space,
    scratch_needed,
)


def test_a_small_file_that_is_long_is_refused_with_what_to_change():
    # GIVEN a 200 MB file of 5 hours on a 512 MB disk: the WAV alone is 576 MB
    with pytest.raises(ScratchSpaceError) as refused:
        check_scratch_space("day.mp4", video_bytes=200 * MIB, duration=5 * 3600, capacity=512 * MIB)

    message = str(refused.value)
    assert isinstance(refused.value, InputError)  # permanent: a retry would fill the same disk
    assert "day.mp4" in message and "audio 549 MB for 18,000 s" in message
    assert "ephemeral storage" in message and "split the video" in message


def test_what_fits_passes_and_the_footprint_grows_with_duration():
    check_scratch_space("day.mp4", video_bytes=200 * MIB, duration=600, capacity=512 * MIB)
    short = scratch_needed(video_bytes=MIB, duration=10)
    long = scratch_needed(video_bytes=MIB, duration=3610)
    assert long - short >= 3600 * WAV_BYTES_PER_SECOND
    # without a soundtrack to transcribe, no WAV is written
    assert (
        scratch_needed(video_bytes=MIB, duration=3600, audio=False) < long - 3600 * WAV_BYTES_PER_SECOND + MIB
    )
    # before probe only the sizes are known
    assert scratch_needed(video_bytes=MIB, sidecar_bytes=MIB) == 2 * MIB + RESERVE_BYTES
