"""Time formatting shared by the diary, chunks and citations, and the local time zone they use."""

from __future__ import annotations

import datetime as dt
import math
from zoneinfo import ZoneInfo


def local_zone(name: str | None = None) -> dt.tzinfo:
    """The zone of diary dates and date filters: `name` (LIFESTREAM_TIMEZONE, an IANA name checked by
    Settings), else the machine's."""
    if name:
        return ZoneInfo(name)
    try:
        import tzlocal

        # An IANA zone, so dates stay right across daylight-saving changes (a fixed offset would not).
        return tzlocal.get_localzone()
    except Exception:  # noqa: BLE001 - no tzlocal, or a machine whose zone it cannot name
        return dt.datetime.now().astimezone().tzinfo or dt.UTC


def zone_name(zone: dt.tzinfo) -> str:
    """The IANA name where there is one ("Asia/Tokyo"), else the zone's own label ("UTC")."""
    return getattr(zone, "key", None) or zone.tzname(None) or str(zone)


def local_midnight(day: dt.date, zone: dt.tzinfo) -> dt.datetime:
    """The instant `day` begins in `zone` (aware)."""
    return dt.datetime.combine(day, dt.time.min, tzinfo=zone)


def hms(seconds: float) -> str:
    """Seconds from the video start as HH:MM:SS (rounded down, never negative)."""
    total = max(0, int(seconds))
    h, rem = divmod(total, 3600)
    m, s = divmod(rem, 60)
    return f"{h:02d}:{m:02d}:{s:02d}"


def span_label(video_id: str, start: float, end: float) -> str:
    """The citation form used in answers: [video, HH:MM:SS–HH:MM:SS]."""
    # The end is rounded up so the span always contains the moment.
    return f"[{video_id}, {hms(start)}–{hms(math.ceil(max(end, start)))}]"
