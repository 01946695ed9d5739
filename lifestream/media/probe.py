"""What a file is (duration, picture, codecs) and when it was recorded.

The recording date comes from container metadata only (never the file's mtime, which in the cloud is
the download time); when the file has none, the caller's upload time is used and flagged as a fallback.
A tag without a zone offset is read in the caller's zone (LIFESTREAM_TIMEZONE) and flagged as such.
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from pathlib import Path

from pydantic import BaseModel

from lifestream.core.errors import CorruptVideoError, EmptyFileError, NoVideoStreamError, UnsupportedFileError

# Tags cameras and phones write, most trustworthy first. Apple's carries the local time zone offset.
DATE_TAGS = (
    "com.apple.quicktime.creationdate",
    "creation_time",
    "date",
    "com.android.capture.time",
    "date_recorded",
    "DATE_RECORDED",
)


class MediaInfo(BaseModel):
    path: Path
    size: int
    container: str
    duration: float
    width: int  # as displayed (after rotation)
    height: int
    rotation: int = 0  # degrees counter-clockwise applied on display
    fps: float
    video_codec: str
    audio_codec: str | None = None
    has_audio: bool = False
    subtitle_streams: int = 0
    recorded_at: datetime
    recorded_at_is_fallback: bool
    recorded_at_source: str  # the metadata tag used, or "uploaded_at"
    # The tag had no zone offset: its wall-clock time was taken to be in the caller's zone.
    recorded_at_zone_assumed: bool = False

    @property
    def orientation(self) -> str:
        return "portrait" if self.height > self.width else "landscape"


def _parse_iso(value: str) -> datetime | None:
    """The tag's time as written: aware when it carries an offset, naive when it does not."""
    text = value.strip().replace(" ", "T", 1)
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    # "+0100" -> "+01:00" for Python < 3.11 compatible parsing of offsets without a colon.
    if len(text) > 5 and text[-5] in "+-" and text[-4:].isdigit():
        text = text[:-2] + ":" + text[-2:]
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.year < 1971:  # cameras with an unset clock write 1904/1970 epochs
        return None
    return parsed


def parse_recording_time(value: str, *, zone: tzinfo = UTC) -> datetime | None:
    """ISO-8601 variants seen in the wild; naive values are wall-clock times in `zone`."""
    parsed = _parse_iso(value)
    if parsed is None:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=zone)


def _recording_time(container, video_stream, zone: tzinfo) -> tuple[datetime, str, bool] | None:
    """(time, tag, whether the tag had no zone offset) of the most trustworthy date tag."""
    sources = [dict(container.metadata or {}), dict(video_stream.metadata or {})]
    for tag in DATE_TAGS:
        for meta in sources:
            for key, value in meta.items():
                if key.lower() == tag.lower() and value:
                    parsed = _parse_iso(str(value))
                    if parsed:
                        naive = parsed.tzinfo is None
                        return (parsed.replace(tzinfo=zone) if naive else parsed), tag, naive
    return None


def _looks_like_text(path: Path) -> bool:
    head = path.open("rb").read(4096)
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def probe(
    path: Path,
    *,
    uploaded_at: datetime | None = None,
    max_bytes: int | None = None,
    zone: tzinfo = UTC,
) -> MediaInfo:
    """Inspect `path`; raise an `InputError` subclass for anything that is not a processable video.
    A date tag without an offset is read as a wall-clock time in `zone`."""
    import av

    path = Path(path)
    if not path.is_file():
        raise UnsupportedFileError(f"{path.name}: not a file")
    size = path.stat().st_size
    if size == 0:
        raise EmptyFileError(f"{path.name}: the file is empty (0 bytes)")
    if max_bytes is not None and size > max_bytes:
        raise UnsupportedFileError(
            f"{path.name}: {size} bytes is over the {max_bytes}-byte limit",
            reason=f"the video is {size:,} bytes, over the limit of {max_bytes:,} bytes",
        )
    try:
        container = av.open(str(path))
    except (av.FFmpegError, ValueError, OSError) as exc:
        what = (
            "a text file, not a video"
            if _looks_like_text(path)
            else "not a readable video (truncated or damaged)"
        )
        raise CorruptVideoError(f"{path.name}: {what}: {exc}") from None
    with container:
        if not container.streams.video:
            raise NoVideoStreamError(f"{path.name}: has no video stream (audio-only or data file)")
        video = container.streams.video[0]
        rotation = _check_decodable(container, video, path)
        width, height = video.codec_context.width, video.codec_context.height
        if rotation % 180:
            width, height = height, width  # the size as displayed
        duration = _duration(container, video)
        audio = container.streams.audio[0] if container.streams.audio else None
        found = _recording_time(container, video, zone)
        zone_assumed = False
        if found:
            recorded_at, source, zone_assumed = found
            fallback = False
        else:
            recorded_at = uploaded_at or datetime.now(UTC)
            if recorded_at.tzinfo is None:
                recorded_at = recorded_at.replace(tzinfo=UTC)
            source, fallback = "uploaded_at", True
        rate = video.average_rate or video.guessed_rate or 0
        return MediaInfo(
            path=path,
            size=size,
            container=container.format.name,
            duration=duration,
            width=width,
            height=height,
            rotation=rotation,
            fps=float(rate),
            video_codec=video.codec_context.name,
            audio_codec=audio.codec_context.name if audio else None,
            has_audio=audio is not None,
            subtitle_streams=len(container.streams.subtitles),
            recorded_at=recorded_at,
            recorded_at_is_fallback=fallback,
            recorded_at_source=source,
            recorded_at_zone_assumed=zone_assumed,
        )


def _duration(container, video) -> float:
    import av

    if container.duration:
        return container.duration / av.time_base
    if video.duration and video.time_base:
        return float(video.duration * video.time_base)
    return 0.0


def _check_decodable(container, video, path: Path) -> int:
    """Decode the first picture (headers can be intact while the data behind them is missing); return its
    display rotation in degrees counter-clockwise (phones store portrait video as rotated landscape)."""
    import av

    try:
        for packet in container.demux(video):
            for frame in packet.decode():
                container.seek(0)
                return int(round(getattr(frame, "rotation", 0) or 0)) % 360
    except av.FFmpegError as exc:
        raise CorruptVideoError(f"{path.name}: the video data cannot be decoded: {exc}") from None
    raise CorruptVideoError(f"{path.name}: the video stream holds no decodable picture (truncated?)")
