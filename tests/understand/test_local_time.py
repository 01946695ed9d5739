"""Local time (LIFESTREAM_TIMEZONE, default the machine's zone): the diary's date and stated time, date
tags without an offset read in that zone and flagged, and the library's date filters by local day. Two
zones throughout: a recording at 23:30 UTC is on the next day in Asia/Tokyo (UTC+9)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from lifestream.core.errors import ConfigError
from lifestream.core.settings import load_settings
from lifestream.core.timefmt import local_midnight, local_zone, zone_name
from lifestream.media.probe import parse_recording_time, probe
from lifestream.media.sample_media import require_tool, run_ffmpeg
from lifestream.service import Library
from lifestream.understand.pipeline import process_video

TOKYO = ZoneInfo("Asia/Tokyo")
UPLOADED = dt.datetime(2026, 11, 26, 12, 0, tzinfo=dt.UTC)


def _clip(path: Path, **tags: str) -> Path:
    """A 1 s silent colour clip whose container carries `tags` (e.g. creation_time, date)."""
    require_tool("ffmpeg")
    meta = [a for k, v in tags.items() for a in ("-metadata", f"{k}={v}")]
    run_ffmpeg("-f", "lavfi", "-i", "color=c=blue:s=64x48:r=5:d=1", *meta, "-pix_fmt", "yuv420p", str(path))
    return path


@pytest.fixture(scope="module")
def utc_clip(tmp_path_factory) -> Path:
    return _clip(tmp_path_factory.mktemp("clips") / "utc.mp4", creation_time="2026-11-24T23:30:00Z")


@pytest.fixture(scope="module")
def naive_clip(tmp_path_factory) -> Path:
    # A date tag with no offset (as some cameras and muxers write): a wall-clock time, zone unknown.
    return _clip(tmp_path_factory.mktemp("clips") / "naive.mp4", date="2026-11-24T23:30:00")


# --- the zone ---------------------------------------------------------------------------------------------
def test_the_zone_is_the_setting_or_the_machines():
    import tzlocal

    assert local_zone("Asia/Tokyo") == TOKYO
    assert zone_name(local_zone(None)) == tzlocal.get_localzone_name()
    assert zone_name(TOKYO) == "Asia/Tokyo"
    assert local_midnight(dt.date(2026, 11, 25), TOKYO) == dt.datetime(2026, 11, 24, 15, tzinfo=dt.UTC)


def test_an_unknown_zone_is_refused_naming_the_variable(tmp_path):
    with pytest.raises(ConfigError, match="LIFESTREAM_TIMEZONE.*IANA time zone"):
        load_settings(data_dir=tmp_path, timezone="Mars/Olympus_Mons")
    assert load_settings(data_dir=tmp_path, timezone=" ").timezone is None
    assert load_settings(data_dir=tmp_path, timezone="Asia/Tokyo").timezone == "Asia/Tokyo"


# --- probing ----------------------------------------------------------------------------------------------
def test_a_tag_without_offset_is_a_wall_clock_time_in_the_zone():
    assert parse_recording_time("2026-11-24 23:30:00", zone=TOKYO) == dt.datetime(
        2026, 11, 24, 23, 30, tzinfo=TOKYO
    )
    # A tag with its offset means that instant, whatever the zone.
    assert parse_recording_time("2026-11-24T23:30:00Z", zone=TOKYO) == dt.datetime(
        2026, 11, 24, 23, 30, tzinfo=dt.UTC
    )


def test_probe_flags_a_naive_tag_and_reads_it_in_the_zone(utc_clip, naive_clip):
    naive = probe(naive_clip, zone=TOKYO)
    assert naive.recorded_at == dt.datetime(2026, 11, 24, 23, 30, tzinfo=TOKYO)
    assert naive.recorded_at_zone_assumed is True and naive.recorded_at_is_fallback is False
    aware = probe(utc_clip, zone=TOKYO)
    assert aware.recorded_at == dt.datetime(2026, 11, 24, 23, 30, tzinfo=dt.UTC)
    assert aware.recorded_at_zone_assumed is False


# --- the diary --------------------------------------------------------------------------------------------
def _diary(clip: Path, out: Path, zone: str) -> tuple[dict, str]:
    settings = load_settings(data_dir=out / "data", timezone=zone, transcriber="none")
    result = process_video(
        clip, settings=settings, video_id=clip.stem, output_dir=out, uploaded_at=UPLOADED
    )
    return json.loads(result.json_path.read_text()), result.markdown_path.read_text()


@pytest.mark.parametrize(
    ("zone", "date", "stated"),
    [
        ("UTC", "2026-11-24", "recorded 23:30 UTC (UTC; file metadata)"),
        ("Asia/Tokyo", "2026-11-25", "recorded 08:30 JST (Asia/Tokyo; file metadata)"),
    ],
)
def test_the_diary_is_dated_in_local_time(utc_clip, tmp_path, zone, date, stated):
    saved, markdown = _diary(utc_clip, tmp_path, zone)
    assert saved["date"] == date and saved["timezone"] == zone
    assert saved["recorded_at_zone_assumed"] is False
    # The same instant, stated in the zone.
    recorded = dt.datetime.fromisoformat(saved["recorded_at"])
    assert recorded == dt.datetime(2026, 11, 24, 23, 30, tzinfo=dt.UTC)
    assert recorded.utcoffset() == ZoneInfo(zone).utcoffset(recorded.replace(tzinfo=None))
    assert markdown.startswith(f"# Daily Summary: {date}\n")
    assert stated in markdown


def test_the_diary_says_when_it_assumed_the_zone(naive_clip, tmp_path):
    saved, markdown = _diary(naive_clip, tmp_path, "Asia/Tokyo")
    assert saved["date"] == "2026-11-24" and saved["recorded_at_zone_assumed"] is True
    assert dt.datetime.fromisoformat(saved["recorded_at"]) == dt.datetime(2026, 11, 24, 14, 30, tzinfo=dt.UTC)
    assert (
        "recorded 23:30 JST (Asia/Tokyo; file metadata without a time zone, taken as Asia/Tokyo time)"
        in markdown
    )


# --- the library's date filters ---------------------------------------------------------------------------
@pytest.mark.parametrize(("zone", "day"), [("UTC", "2026-11-24"), ("Asia/Tokyo", "2026-11-25")])
def test_date_filters_select_by_local_day(tmp_path, zone, day):
    library = Library(load_settings(data_dir=tmp_path / "data", timezone=zone))
    job = library.jobs.claim(
        bucket="b", key="uploads/late.mp4", version="v1", worker_id="w", stale_after=60, owner="local"
    ).job
    library.jobs.complete(
        job.id,
        worker_id="w",
        result_keys={},
        duration=1.0,
        recorded_at=dt.datetime(2026, 11, 24, 23, 30, tzinfo=dt.UTC),
        chunk_count=0,
    )
    on_day = library.list_videos("local", date_from=day, date_to=day).items
    assert [v.video_id for v in on_day] == [job.video_id]
    other = (dt.date.fromisoformat(day) + dt.timedelta(days=1 if zone == "UTC" else -1)).isoformat()
    assert library.list_videos("local", date_from=other, date_to=other).items == []
