"""Reading a library: jobs, videos by page, one video's diary, the diaries of a day, and media links."""

from __future__ import annotations

import datetime as dt
import json
import logging
from pathlib import Path
from typing import TYPE_CHECKING

from lifestream.core.constants import LOCAL_FILES_BUCKET
from lifestream.core.errors import RETRYING, NotFoundError, RequestError
from lifestream.core.timefmt import local_midnight
from lifestream.service.base import MAX_PAGE, LibraryBase
from lifestream.service.day_digest import day_digest, has_speech
from lifestream.service.models import DayDiary, JobView, MediaLinks, VideoDiary, VideoPage, VideoSummary

log = logging.getLogger(__name__)

# Diaries read at once for a page of the library (S3 GETs wait on the network, not the CPU).
READERS = 8

if TYPE_CHECKING:
    from lifestream.jobs import JobRecord


def parse_day(value: str, field: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        raise RequestError(field, f"must be a date like 2026-11-24, got {value!r}") from None


def check_status(status: str | None) -> None:
    from lifestream.jobs import JobStatus

    if status is not None and status not in {s.value for s in JobStatus}:
        allowed = ", ".join(s.value for s in JobStatus)
        raise RequestError("status", f"must be one of {allowed}, got {status!r}")


class Videos(LibraryBase):
    # --- jobs -----------------------------------------------------------------------------------------
    def job_records(self, owner: str, *, status: str | None = None, limit: int = 50) -> list[JobRecord]:
        """The owner's jobs, most recently updated first, as the job store keeps them."""
        check_status(status)
        return self.jobs.list_jobs(owner=owner, status=status, limit=max(1, limit))

    def list_jobs(self, owner: str, *, status: str | None = None, limit: int = 50) -> list[JobView]:
        return [job_view(j) for j in self.job_records(owner, status=status, limit=min(limit, MAX_PAGE))]

    def get_job(self, owner: str, job_id: int | str) -> JobView:
        return job_view(self.jobs.get(job_id, owner=owner))  # JobNotFoundError is a NotFoundError

    def lookup(self, owner: str, ref: str) -> JobRecord:
        """A job by number, video id or unique prefix of one (what people type at the CLI)."""
        return self.jobs.lookup(ref, owner=owner)  # JobNotFoundError is a NotFoundError

    # --- videos ---------------------------------------------------------------------------------------
    def list_videos(
        self,
        owner: str,
        *,
        status: str | None = None,
        date_from: str | None = None,
        date_to: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> VideoPage:
        check_status(status)
        low = parse_day(date_from, "date_from") if date_from else None
        high = parse_day(date_to, "date_to") if date_to else None
        if low and high and low > high:
            raise RequestError("date_from", f"{date_from} is after date_to {date_to}")
        limit = max(1, min(limit, MAX_PAGE))
        if offset < 0:
            raise RequestError("offset", "must be 0 or more")
        found = self.jobs.list_jobs(
            owner=owner,
            status=status,
            limit=limit + 1,
            offset=offset,
            # Days are the user's local days (LIFESTREAM_TIMEZONE), as the diary dates them.
            recorded_from=local_midnight(low, self.zone) if low else None,
            recorded_before=local_midnight(high + dt.timedelta(days=1), self.zone) if high else None,
        )
        more = len(found) > limit
        return VideoPage(items=self._covers(found[:limit]), next_offset=offset + limit if more else None)

    def _covers(self, jobs: list[JobRecord]) -> list[VideoSummary]:
        """The videos as the library lists them: each completed one with its diary's title and a keyframe."""
        from concurrent.futures import ThreadPoolExecutor

        def cover(job: JobRecord) -> VideoSummary:
            summary = video_summary(job)
            if job.status != "completed":
                return summary
            try:
                diary = self.read_diary(job)
            except Exception as exc:  # noqa: BLE001 - one unreadable diary must not hide the whole library
                log.warning("the diary of %s cannot be read for the library list: %s", job.video_id, exc)
                return summary
            title, frame = diary_cover(diary)
            summary.diary_title = title
            location = (job.result_keys or {}).get("keyframes")
            if frame and location:
                if job.bucket == LOCAL_FILES_BUCKET:
                    summary.local_thumbnail = frame
                else:
                    summary.thumbnail = self.presigned(job, self.results(job).keyframe(location, frame))
            return summary

        if len(jobs) <= 1:
            return [cover(j) for j in jobs]
        with ThreadPoolExecutor(max_workers=min(READERS, len(jobs))) as pool:
            return list(pool.map(cover, jobs))

    # --- diaries --------------------------------------------------------------------------------------
    def read_result(self, job: JobRecord, name: str) -> str | None:
        location = (job.result_keys or {}).get(name)
        return self.results(job).read_text(location) if location else None

    def read_diary(self, job: JobRecord) -> dict | None:
        """The job's diary JSON, parsed (None when it has none)."""
        raw = self.read_result(job, "json")
        return json.loads(raw) if raw else None

    def diary_of(self, job: JobRecord) -> VideoDiary:
        if job.status != "completed":
            return VideoDiary(video=video_summary(job))
        diary = self.read_diary(job)
        summary = video_summary(job)
        summary.diary_title = diary_cover(diary)[0]
        return VideoDiary(video=summary, diary=diary, markdown=self.read_result(job, "markdown"))

    def get_video(self, owner: str, video_id: str) -> VideoDiary:
        return self.diary_of(self._job(owner, video_id))

    def markdown(self, owner: str, ref: str) -> str:
        job = self.lookup(owner, ref)
        if job.status != "completed":
            reason = public_reason(job)
            hint = f": {reason}" if reason else ""
            raise NotFoundError(f"{job.video_id} has no diary yet (status {job.status}{hint})")
        text = self.read_result(job, "markdown")
        if text is None:
            raise NotFoundError(f"the diary of {job.video_id} is missing (process the video again)")
        return text

    def day(self, owner: str, date: str) -> DayDiary:
        """Every diary recorded on `date` (the local date of LIFESTREAM_TIMEZONE, as the diary states it)."""
        day = parse_day(date, "date")
        # The diary's date is local to the recording; its UTC time is within a day of it either way.
        candidates = self.jobs.list_jobs(
            owner=owner,
            status="completed",
            limit=1000,
            recorded_from=_utc_midnight(day - dt.timedelta(days=1)),
            recorded_before=_utc_midnight(day + dt.timedelta(days=2)),
        )
        diaries = [self.diary_of(j) for j in candidates]
        videos = [d for d in diaries if d.diary and d.diary.get("date") == day.isoformat()]
        videos.sort(key=lambda d: d.video.recorded_at or d.video.created_at)
        return DayDiary(date=day.isoformat(), videos=videos, digest=day_digest(videos))

    # --- media ----------------------------------------------------------------------------------------
    def media(self, owner: str, video_id: str) -> MediaLinks:
        job = self._job(owner, video_id)
        keyframes_at = (job.result_keys or {}).get("keyframes")
        frames = self.results(job).keyframes(keyframes_at) if keyframes_at else []
        if job.bucket == LOCAL_FILES_BUCKET:
            return MediaLinks(
                video_id=video_id,
                local_path=job.source,
                local_keyframes={Path(p).name: p for p in frames},
            )
        # The current object: a newer version of the key replaces this video (and its id) once processed.
        return MediaLinks(
            video_id=video_id,
            video_url=self.presigned(job, job.key),
            keyframes=[self.presigned(job, k) for k in frames],
            expires_in=self.settings.media_url_minutes * 60,
        )

    def presigned(self, job: JobRecord, key: str) -> str:
        """A GET link to one object of the job's bucket, valid for LIFESTREAM_MEDIA_URL_MINUTES: every
        video, keyframe and thumbnail link is made here (a local file's media is the API's own path)."""
        return self.s3.client.generate_presigned_url(
            "get_object",
            Params={"Bucket": job.bucket, "Key": key},
            ExpiresIn=self.settings.media_url_minutes * 60,
        )


def diary_cover(diary: dict | None) -> tuple[str | None, str | None]:
    """(title, keyframe file name) a diary shows a video by: its first block with speech (else its first
    block), and that block's first keyframe (else the first of any block)."""
    blocks = [b for b in (diary or {}).get("blocks") or [] if isinstance(b, dict)]
    if not blocks:
        return None, None
    spoken = [b for b in blocks if has_speech(b)]
    first = (spoken or blocks)[0]
    frames = [k for b in [first, *blocks] for k in b.get("keyframes") or [] if isinstance(k, str)]
    title = str(first.get("title") or "").strip() or None
    return title, (frames[0] if frames else None)


def _utc_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


# What a failure recorded before reasons existed (migration 0005) reads as.
FAILED_WITHOUT_REASON = "processing failed"

def _title(job: JobRecord) -> str:
    if job.source:
        return Path(job.source).name
    return job.key.rpartition("/")[2] or job.video_id


def video_summary(job: JobRecord) -> VideoSummary:
    return VideoSummary(
        video_id=job.video_id,
        job_id=job.id,
        title=_title(job),
        status=job.status.value if hasattr(job.status, "value") else job.status,
        stage=job.stage,
        progress=job.progress,
        error=public_reason(job),
        duration=job.duration,
        recorded_at=job.recorded_at,
        created_at=job.created_at,
        chunk_count=job.chunk_count,
    )


def job_view(job: JobRecord) -> JobView:
    return JobView.model_validate({**job.model_dump(), "error": public_reason(job)})


def public_reason(job: JobRecord) -> str | None:
    """What the owner reads about a failure: the job's `reason`, never its `error` (the operator's
    exception text, with keys, hosts and library words). A failure recorded before reasons existed
    (migration 0005) is only said to have happened."""
    if job.reason:
        return job.reason
    if not job.error:
        return None
    status = job.status.value if hasattr(job.status, "value") else job.status
    return FAILED_WITHOUT_REASON if status == "failed" else RETRYING
