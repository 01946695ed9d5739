"""Reading a library: jobs, videos by page, one video's diary, the diaries of a day, and media links."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import TYPE_CHECKING

from lifestream.core.constants import LOCAL_FILES_BUCKET
from lifestream.core.errors import RETRYING, NotFoundError, RequestError
from lifestream.core.timefmt import local_midnight
from lifestream.service.base import MAX_PAGE, LibraryBase
from lifestream.service.models import DayDiary, JobView, MediaLinks, VideoDiary, VideoPage, VideoSummary

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
        return VideoPage(
            items=[video_summary(j) for j in found[:limit]], next_offset=offset + limit if more else None
        )

    # --- diaries --------------------------------------------------------------------------------------
    def read_result(self, job: JobRecord, name: str) -> str | None:
        location = (job.result_keys or {}).get(name)
        return self.results(job).read_text(location) if location else None

    def diary_of(self, job: JobRecord) -> VideoDiary:
        if job.status != "completed":
            return VideoDiary(video=video_summary(job))
        raw = self.read_result(job, "json")
        return VideoDiary(
            video=video_summary(job),
            diary=json.loads(raw) if raw else None,
            markdown=self.read_result(job, "markdown"),
        )

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
        return DayDiary(date=day.isoformat(), videos=videos)

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
        seconds = self.settings.media_url_minutes * 60
        client = self.s3.client

        def link(key: str) -> str:
            return client.generate_presigned_url(
                "get_object", Params={"Bucket": job.bucket, "Key": key}, ExpiresIn=seconds
            )

        # The current object: a newer version of the key replaces this video (and its id) once processed.
        return MediaLinks(
            video_id=video_id,
            video_url=link(job.key),
            keyframes=[link(k) for k in frames],
            expires_in=seconds,
        )


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
