"""Putting videos under uploads/ in the bucket, whose notification queues them for the worker; their
subtitles go first, beside the video, so that the worker finds them."""

from __future__ import annotations

from pathlib import Path

from lifestream.core.constants import SUBTITLE_SUFFIXES, UPLOAD_PREFIX, VIDEO_SUFFIXES, key_name, video_type
from lifestream.core.errors import ConfigError, UnsupportedFileError
from lifestream.core.settings import Settings
from lifestream.core.sidecars import sidecar_subtitles

DEMO_KEY_FOLDER = "demo"


def upload_videos(
    settings: Settings,
    files: list[Path],
    subtitles: list[Path] | None = None,
    *,
    folder: str = "",
    sidecars: bool = True,
) -> list[str]:
    """Upload videos under uploads/ (subtitles first, so the worker finds them beside the video).
    Without explicit `subtitles`, a same-named .srt/.vtt beside each video goes along when `sidecars`."""
    from lifestream.storage.s3_service import S3Service

    s3 = S3Service.from_settings(settings)
    subtitles = list(subtitles or [])
    if subtitles and len(subtitles) != len(files):
        raise ConfigError("give one --subtitles file per video (or none and keep them beside the videos)")
    keys = []
    for index, path in enumerate(files):
        if not path.is_file():
            raise UnsupportedFileError(f"{path} does not exist or is not a file")
        if path.suffix.lower() not in VIDEO_SUFFIXES:
            raise UnsupportedFileError(f"{path} is not a video ({', '.join(VIDEO_SUFFIXES)})")
        prefix = UPLOAD_PREFIX + (folder.strip("/") + "/" if folder.strip("/") else "")
        # The suffix in lower case: the bucket's suffix filters are case-sensitive ("Clip.Mp4" would never
        # be queued).
        key = prefix + key_name(path.name)
        stem = key.rsplit(".", 1)[0]
        found = sidecar_subtitles(path) if sidecars else []
        for sidecar in [subtitles[index]] if subtitles else found:
            if sidecar.suffix.lower() not in SUBTITLE_SUFFIXES:
                raise UnsupportedFileError(
                    f"{sidecar} is not a subtitle file ({', '.join(SUBTITLE_SUFFIXES)})"
                )
            # An explicit --subtitles file takes the video's name; a sidecar keeps its own tail
            # (".en.vtt"), so that the worker's sidecar rule finds each one beside the video.
            tail = sidecar.name[len(path.stem) :] if sidecar in found else sidecar.suffix
            tail = tail[: -len(sidecar.suffix)] + sidecar.suffix.lower()
            s3.upload_file(sidecar, stem + tail, content_type="text/plain; charset=utf-8")
        s3.upload_file(path, key, content_type=video_type(path.name))
        keys.append(key)
    return keys



def upload_demo_video(settings: Settings, video: Path) -> str:
    """Upload the demo's video under uploads/demo/ (requeuing its job if the results vanished); its key."""
    from lifestream.worker import configure

    runtime = configure(settings)
    bucket = settings.resolved_bucket
    key = f"{UPLOAD_PREFIX}{DEMO_KEY_FOLDER}/{key_name(video.name)}"
    # moto's events carry no version id, so an unchanged file maps to the same (ETag-keyed) job and a re-run
    # finds it completed. If its results vanished with a restarted moto server, make it claimable again.
    s3 = runtime.s3(bucket)
    for job in runtime.jobs.list_jobs(limit=1000):
        mine = job.bucket == bucket and job.key == key and job.status in ("completed", "failed")
        if mine and not s3.file_exists((job.result_keys or {}).get("markdown", "-")):
            runtime.jobs.requeue(job.id)
    # The sample's own .srt stays home: the demo shows speech recognition (it is used when no model is).
    upload_videos(settings, [video], folder=DEMO_KEY_FOLDER, sidecars=False)
    return key
