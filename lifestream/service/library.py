"""The service layer: everything a person can do with their library, for the HTTP API and the CLI alike.

Every method takes the owner explicitly and scopes by it — the job store filters by `owner`, vectors go
through `for_owner`, objects are addressed from the owner's job — so a rule lives here once. Another
user's video or job raises the same `NotFoundError` as one that does not exist. Bad input raises
`RequestError` naming the field, before anything is written.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from lifestream.core.constants import (
    LOCAL_FILES_BUCKET,
    LOCAL_USER,
    SUBTITLE_SUFFIXES,
    UPLOAD_PREFIX,
    VIDEO_SUFFIXES,
)
from lifestream.core.errors import (
    NotFoundError,
    RequestError,
    StorageError,
    UnsupportedFilterError,
)
from lifestream.core.ownership import (
    InvalidNameError,
    legacy_results_prefix,
    new_upload_folder,
    owner_of_key,
    results_prefix,
    safe_name,
    state_prefix,
    upload_prefix,
)
from lifestream.core.settings import Settings
from lifestream.core.sidecars import MAX_SIDECAR_BYTES
from lifestream.core.timefmt import local_midnight, local_zone
from lifestream.service.models import (
    AnswerView,
    CitationView,
    CompletedUpload,
    DayDiary,
    DeleteReport,
    JobView,
    MediaLinks,
    SearchHit,
    SearchPage,
    UploadTicket,
    VideoDiary,
    VideoPage,
    VideoSummary,
)

if TYPE_CHECKING:
    from lifestream.jobs import JobRecord, JobStore

# S3 takes at most 5 GB in one POST; larger files need multipart upload (not offered yet).
PRESIGNED_POST_LIMIT = 5 * 1024**3
# Parts of a multipart upload: S3 allows 5 MB-5 GB a part and 10,000 parts.
MULTIPART_PART_SIZE = 512 * 1024**2
SUBTITLE_TYPES = ("application/x-subrip", "text/vtt", "text/plain", "application/octet-stream")
MAX_PAGE = 200
MAX_QUERY_CHARS = 2000


def _not_found(video_id: str) -> NotFoundError:
    return NotFoundError(f"no video {video_id!r}")


def _parse_day(value: str, field: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        raise RequestError(field, f"must be a date like 2026-11-24, got {value!r}") from None


class Library:
    """One user's library, for any user: pass the owner to every call. Heavy parts (job store, embedder,
    vector store, S3 client) are built on first use and shared by every request of the process."""

    def __init__(
        self,
        settings: Settings,
        *,
        jobs: JobStore | None = None,
        store: Any = None,
        embedder: Any = None,
        clock: Callable[[], dt.datetime] | None = None,
    ) -> None:
        self.settings = settings
        self.clock = clock or (lambda: dt.datetime.now(dt.UTC))
        self._lock = threading.Lock()
        for name, part in (("jobs", jobs), ("store", store), ("embedder", embedder)):
            if part is not None:
                self.__dict__[name] = part

    # --- parts ----------------------------------------------------------------------------------------
    @cached_property
    def zone(self) -> dt.tzinfo:
        return local_zone(self.settings.timezone)

    @cached_property
    def jobs(self) -> JobStore:
        from lifestream.jobs import JobStore

        return JobStore.from_settings(self.settings)

    @cached_property
    def embedder(self):
        from lifestream.memory.embeddings import make_embedder

        return make_embedder(self.settings)

    @cached_property
    def store(self):
        from lifestream.memory.vectors import make_vector_store

        with self._lock:
            return make_vector_store(self.settings, self.embedder)

    @cached_property
    def s3(self):
        from lifestream.storage.s3_service import S3Service

        return S3Service.from_settings(self.settings)

    @cached_property
    def lexical(self):
        """The lexical channel of search, in the job store's database (it shares the store's pool)."""
        from lifestream.memory.lexical import LexicalIndex

        return LexicalIndex(self.jobs.engine)

    def vectors(self, owner: str):
        from lifestream.memory.vectors.owned import for_owner

        return for_owner(self.store, owner)

    def close(self) -> None:
        if "jobs" in self.__dict__:
            self.jobs.close()

    # --- jobs and videos ------------------------------------------------------------------------------
    def _job(self, owner: str, video_id: str) -> JobRecord:
        job = self.jobs.find_by_video(video_id, owner=owner)
        if job is None:
            raise _not_found(video_id)
        return job

    def job_records(self, owner: str, *, status: str | None = None, limit: int = 50) -> list[JobRecord]:
        """The owner's jobs, most recently updated first, as the job store keeps them."""
        from lifestream.jobs import JobStatus

        if status is not None and status not in {s.value for s in JobStatus}:
            allowed = ", ".join(s.value for s in JobStatus)
            raise RequestError("status", f"must be one of {allowed}, got {status!r}")
        return self.jobs.list_jobs(owner=owner, status=status, limit=max(1, limit))

    def list_jobs(self, owner: str, *, status: str | None = None, limit: int = 50) -> list[JobView]:
        return [_job_view(j) for j in self.job_records(owner, status=status, limit=min(limit, MAX_PAGE))]

    def get_job(self, owner: str, job_id: int | str) -> JobView:
        return _job_view(self.jobs.get(job_id, owner=owner))  # JobNotFoundError is a NotFoundError

    def lookup(self, owner: str, ref: str) -> JobRecord:
        """A job by number, video id or unique prefix of one (what people type at the CLI)."""
        return self.jobs.lookup(ref, owner=owner)  # JobNotFoundError is a NotFoundError

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
        from lifestream.jobs import JobStatus

        if status is not None and status not in {s.value for s in JobStatus}:
            allowed = ", ".join(s.value for s in JobStatus)
            raise RequestError("status", f"must be one of {allowed}, got {status!r}")
        low = _parse_day(date_from, "date_from") if date_from else None
        high = _parse_day(date_to, "date_to") if date_to else None
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
            items=[_video(j) for j in found[:limit]], next_offset=offset + limit if more else None
        )

    # --- diaries --------------------------------------------------------------------------------------
    def _read_result(self, job: JobRecord, name: str) -> str | None:
        location = (job.result_keys or {}).get(name)
        if not location:
            return None
        if job.bucket == LOCAL_FILES_BUCKET:
            path = Path(location)
            return path.read_text(encoding="utf-8") if path.exists() else None
        from lifestream.core.errors import ObjectNotFoundError

        try:
            return self.s3.read_text(location)
        except ObjectNotFoundError:
            return None

    def _write_result(self, job: JobRecord, name: str, text: str, content_type: str) -> None:
        location = (job.result_keys or {})[name]
        if job.bucket == LOCAL_FILES_BUCKET:
            path = Path(location)
            tmp = path.with_suffix(path.suffix + ".tmp")
            tmp.write_text(text, encoding="utf-8")
            tmp.replace(path)  # atomic: a reader sees the old diary or the new one
            return
        # A single PUT is atomic in S3.
        self.s3.client.put_object(
            Bucket=job.bucket, Key=location, Body=text.encode(), ContentType=content_type
        )

    def _diary(self, job: JobRecord) -> VideoDiary:
        if job.status != "completed":
            return VideoDiary(video=_video(job))
        raw = self._read_result(job, "json")
        return VideoDiary(
            video=_video(job),
            diary=json.loads(raw) if raw else None,
            markdown=self._read_result(job, "markdown"),
        )

    def get_video(self, owner: str, video_id: str) -> VideoDiary:
        return self._diary(self._job(owner, video_id))

    def markdown(self, owner: str, ref: str) -> str:
        job = self.lookup(owner, ref)
        if job.status != "completed":
            hint = f": {job.error}" if job.error else ""
            raise NotFoundError(f"{job.video_id} has no diary yet (status {job.status}{hint})")
        text = self._read_result(job, "markdown")
        if text is None:
            raise NotFoundError(f"the diary of {job.video_id} is missing (process the video again)")
        return text

    def day(self, owner: str, date: str) -> DayDiary:
        """Every diary recorded on `date` (the local date of LIFESTREAM_TIMEZONE, as the diary states it)."""
        day = _parse_day(date, "date")
        # The diary's date is local to the recording; its UTC time is within a day of it either way.
        candidates = self.jobs.list_jobs(
            owner=owner,
            status="completed",
            limit=1000,
            recorded_from=_midnight(day - dt.timedelta(days=1)),
            recorded_before=_midnight(day + dt.timedelta(days=2)),
        )
        diaries = [self._diary(j) for j in candidates]
        videos = [d for d in diaries if d.diary and d.diary.get("date") == day.isoformat()]
        videos.sort(key=lambda d: d.video.recorded_at or d.video.created_at)
        return DayDiary(date=day.isoformat(), videos=videos)

    # --- media ----------------------------------------------------------------------------------------
    def media(self, owner: str, video_id: str) -> MediaLinks:
        job = self._job(owner, video_id)
        keyframes_at = (job.result_keys or {}).get("keyframes")
        if job.bucket == LOCAL_FILES_BUCKET:
            frames = sorted(Path(keyframes_at).glob("*.jpg")) if keyframes_at else []
            return MediaLinks(
                video_id=video_id,
                local_path=job.source,
                local_keyframes={p.name: str(p) for p in frames},
            )
        seconds = self.settings.media_url_minutes * 60
        client = self.s3.client
        # The current object: a newer version of the key replaces this video (and its id) once processed.
        url = client.generate_presigned_url(
            "get_object", Params={"Bucket": job.bucket, "Key": job.key}, ExpiresIn=seconds
        )
        frames = [o.key for o in self.s3.iter_files(keyframes_at)] if keyframes_at else []
        return MediaLinks(
            video_id=video_id,
            video_url=url,
            keyframes=[
                client.generate_presigned_url(
                    "get_object", Params={"Bucket": job.bucket, "Key": k}, ExpiresIn=seconds
                )
                for k in sorted(frames)
            ],
            expires_in=seconds,
        )

    # --- uploads --------------------------------------------------------------------------------------
    def presign_upload(
        self,
        owner: str,
        *,
        filename: str,
        size: int,
        content_type: str,
        beside: str | None = None,
    ) -> UploadTicket:
        """A presigned POST for one file under the owner's prefix. A video gets a fresh folder
        `uploads/<owner>/<uuid>/`; subtitles (`beside` = the video's key from its own ticket) go into
        that folder under the video's name, where the worker looks for them — upload them first."""
        try:
            name = safe_name(filename)
        except InvalidNameError as exc:
            raise RequestError("filename", str(exc)) from None
        suffix = PurePosixPath(name).suffix.lower()
        content_type = (content_type or "").strip().lower()
        if beside is None:
            if suffix not in VIDEO_SUFFIXES:
                raise RequestError("filename", f"must end in one of {', '.join(VIDEO_SUFFIXES)}")
            if not content_type.startswith("video/"):
                raise RequestError("content_type", f"must be a video/* type, got {content_type!r}")
            limit = self.settings.max_video_bytes
            key = new_upload_folder(owner) + name
            type_condition: list[Any] = ["starts-with", "$Content-Type", "video/"]
        else:
            if suffix not in SUBTITLE_SUFFIXES:
                raise RequestError("filename", f"subtitles must end in one of {', '.join(SUBTITLE_SUFFIXES)}")
            if content_type not in SUBTITLE_TYPES:
                raise RequestError("content_type", f"must be one of {', '.join(SUBTITLE_TYPES)}")
            # Only beside a video of the owner's own prefix, in the shape the API hands out.
            if owner_of_key(beside) != owner or not beside.startswith(upload_prefix(owner)):
                raise NotFoundError(f"no upload {beside!r}")
            folder, _, video_name = beside.rpartition("/")
            if PurePosixPath(video_name).suffix.lower() not in VIDEO_SUFFIXES:
                raise RequestError("beside", "must be the key of a video upload")
            limit = MAX_SIDECAR_BYTES
            key = f"{folder}/{PurePosixPath(video_name).stem}{suffix}"
            type_condition = ["eq", "$Content-Type", content_type]
        if isinstance(size, bool) or not isinstance(size, int) or size < 1:
            raise RequestError("size", "must be a positive number of bytes")
        if size > limit:
            raise RequestError("size", f"{size:,} bytes is over the limit of {limit:,} bytes")
        seconds = self.settings.upload_url_minutes * 60
        if size > PRESIGNED_POST_LIMIT:
            return self._presign_multipart(key, size, content_type, seconds)
        with _storage_errors("presigning an upload"):
            post = self.s3.client.generate_presigned_post(
                Bucket=self.settings.resolved_bucket,
                Key=key,
                Fields={"Content-Type": content_type},
                # S3 refuses a POST breaking any of these: another key, another size, another type.
                Conditions=[["eq", "$key", key], ["content-length-range", size, size], type_condition],
                ExpiresIn=seconds,
            )
        return UploadTicket(
            url=post["url"],
            fields={k: str(v) for k, v in post["fields"].items()},
            key=key,
            max_bytes=size,
            expires_at=self.clock() + dt.timedelta(seconds=seconds),
        )

    def _presign_multipart(self, key: str, size: int, content_type: str, seconds: int) -> UploadTicket:
        """Over S3's POST limit: a multipart upload whose every part URL is signed for this key and
        upload id. A PUT cannot be held to a size by its URL, so `complete_upload` checks the parts."""
        client, bucket = self.s3.client, self.settings.resolved_bucket
        part_size = max(MULTIPART_PART_SIZE, -(-size // 10_000))
        count = -(-size // part_size)
        with _storage_errors("starting a multipart upload"):
            upload_id = client.create_multipart_upload(
                Bucket=bucket, Key=key, ContentType=content_type, Metadata={"declared-size": str(size)}
            )["UploadId"]
            urls = [
                client.generate_presigned_url(
                    "upload_part",
                    Params={"Bucket": bucket, "Key": key, "UploadId": upload_id, "PartNumber": n},
                    ExpiresIn=seconds,
                )
                for n in range(1, count + 1)
            ]
        return UploadTicket(
            method="multipart",
            key=key,
            max_bytes=size,
            expires_at=self.clock() + dt.timedelta(seconds=seconds),
            upload_id=upload_id,
            part_size=part_size,
            part_urls=urls,
        )

    def complete_upload(self, owner: str, *, key: str, upload_id: str, parts: list[Any]) -> CompletedUpload:
        """Finish a multipart upload of the owner's, if its parts are what the ticket allowed: each part
        `part_size` long but the last, the total the declared size. Otherwise it is aborted (nothing stays)."""
        if owner_of_key(key) != owner or not key.startswith(upload_prefix(owner)):
            raise NotFoundError(f"no upload {key!r}")
        client, bucket = self.s3.client, self.settings.resolved_bucket
        from botocore.exceptions import ClientError

        try:
            listed = client.list_parts(Bucket=bucket, Key=key, UploadId=upload_id)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in {"NoSuchUpload", "404", "NoSuchKey"}:
                raise NotFoundError(f"no upload {key!r}") from None
            raise StorageError(f"listing the parts of {key}: {exc}") from exc
        sizes = {p["PartNumber"]: int(p["Size"]) for p in listed.get("Parts", [])}
        wanted = sorted(parts, key=lambda p: p.part_number)
        total = sum(sizes.get(p.part_number, 0) for p in wanted)
        numbers = [p.part_number for p in wanted]
        if numbers != list(range(1, len(wanted) + 1)) or set(numbers) != set(sizes):
            raise RequestError("parts", "send every uploaded part once, numbered 1, 2, 3…")
        if total > self.settings.max_video_bytes:
            self._abort(bucket, key, upload_id)
            raise RequestError(
                "size", f"{total:,} bytes is over the limit of {self.settings.max_video_bytes:,} bytes"
            )
        with _storage_errors("completing a multipart upload"):
            client.complete_multipart_upload(
                Bucket=bucket,
                Key=key,
                UploadId=upload_id,
                MultipartUpload={"Parts": [{"PartNumber": p.part_number, "ETag": p.etag} for p in wanted]},
            )
            head = client.head_object(Bucket=bucket, Key=key)
        # The declared size rides on the upload as metadata (S3 keeps no other state for us): an object
        # of another size is removed at once, before anyone reads it (the worker then finds it gone).
        declared = int(head.get("Metadata", {}).get("declared-size", total))
        if int(head["ContentLength"]) != declared:
            s3 = self._bucket(bucket)
            s3.delete_versions([(k, v) for k, v in s3.list_versions(key) if k == key])
            raise RequestError("size", f"the parts hold {total:,} bytes, not the {declared:,} declared")
        return CompletedUpload(key=key, size=total)

    def _abort(self, bucket: str, key: str, upload_id: str) -> None:
        with _storage_errors("aborting a multipart upload"):
            self.s3.client.abort_multipart_upload(Bucket=bucket, Key=key, UploadId=upload_id)

    # --- forgetting -----------------------------------------------------------------------------------
    def delete_video(self, owner: str, video_id: str) -> DeleteReport:
        """Forget a video completely: every version of its upload (and its subtitles), its results,
        checkpoints, vectors and job. Safe to repeat after a failure: the job row goes last, so a retry
        finds the video and finishes the rest. A file on this machine is never deleted (it is yours);
        only what LifeStream made from it."""
        job = self._job(owner, video_id)
        from lifestream.memory.index_builder import delete_video as delete_vectors

        # Every version of the object the store knows (an older one not yet replaced, a failed one).
        versions = [job, *self.jobs.other_versions(job)]
        objects = 0 if job.bucket == LOCAL_FILES_BUCKET else self._delete_upload(job)
        vectors = jobs = 0
        for version in versions:
            objects += self._delete_made_from(version)
            vectors += delete_vectors(version.video_id, store=self.vectors(owner), lexical=self.lexical)
        for version in versions:
            jobs += int(self.jobs.forget(version.id))
        return DeleteReport(video_id=video_id, objects=objects, vectors=vectors, jobs=jobs)

    def _delete_made_from(self, job: JobRecord) -> int:
        """What LifeStream made of one version: its results and checkpoints."""
        video_id = job.video_id
        if job.bucket == LOCAL_FILES_BUCKET:
            data_dir = self.settings.data_dir.expanduser().resolve()
            removed = 0
            for folder in (data_dir / "results" / video_id, data_dir / "state" / video_id):
                if folder.exists():
                    removed += sum(1 for p in folder.rglob("*") if p.is_file())
                    shutil.rmtree(folder)
            return removed
        prefixes = [results_prefix(job.owner, video_id), state_prefix(video_id)]
        if job.owner == LOCAL_USER:
            prefixes.append(legacy_results_prefix(video_id))
        return self._delete_all_versions(job.bucket, prefixes)

    def _delete_upload(self, job: JobRecord) -> int:
        from lifestream.core.sidecars import subtitle_files

        folder, _, name = job.key.rpartition("/")
        if owner_of_key(job.key) != LOCAL_USER and job.key.startswith(upload_prefix(job.owner)):
            # An API upload owns its whole folder: the video and its subtitles.
            return self._delete_all_versions(job.bucket, [folder + "/"])
        if not job.key.startswith(UPLOAD_PREFIX):
            return 0
        s3 = self._bucket(job.bucket)
        listed = s3.list_versions(f"{folder}/{PurePosixPath(name).stem}.")
        mine = {name, *subtitle_files(name, {k.rpartition("/")[2] for k, _ in listed})}
        return s3.delete_versions([(k, v) for k, v in listed if k.rpartition("/")[2] in mine])

    def _bucket(self, bucket: str):
        """The S3 service of a job's bucket (the configured one, but for jobs recorded elsewhere)."""
        from lifestream.storage.s3_service import S3Service

        return self.s3 if bucket == self.s3.bucket else S3Service.from_settings(self.settings, bucket=bucket)

    def _delete_all_versions(self, bucket: str, prefixes: list[str]) -> int:
        s3 = self._bucket(bucket)
        return sum(s3.delete_versions(s3.list_versions(p)) for p in prefixes)

    # --- memory ---------------------------------------------------------------------------------------
    def search(self, owner: str, query: str, **options: Any) -> list[SearchHit]:
        """The hits of `search_page` (same options)."""
        return self.search_page(owner, query, **options).hits

    def search_page(
        self,
        owner: str,
        query: str,
        *,
        top_k: int = 5,
        min_score: float | None = None,
        date_from: str | None = None,
        date_to: str | None = None,
        video_id: str | None = None,
        speaker: str | None = None,
        chunk_type: str | None = None,
        mode: str = "hybrid",
    ) -> SearchPage:
        """Hybrid (or dense / lexical) search with dates said in the query read as a filter in the
        user's time zone; the page says how the query was understood."""
        outcome = self._search(
            owner,
            query,
            "q",
            top_k=top_k,
            min_score=min_score,
            date_from=date_from,
            date_to=date_to,
            video_id=video_id,
            speaker=speaker,
            chunk_type=chunk_type,
            mode=mode,
        )
        return SearchPage(
            hits=[_hit(r) for r in outcome.results],
            found=outcome.found,
            mode=outcome.mode,
            query=outcome.query,
            date_from=outcome.dates.date_from if outcome.dates and not outcome.dates.relaxed else None,
            date_to=outcome.dates.date_to if outcome.dates and not outcome.dates.relaxed else None,
            searching=outcome.dates.label if outcome.dates else None,
            speakers=outcome.boosted_speakers,
        )

    def _search(self, owner: str, query: str, field: str, **options: Any):
        from lifestream.memory.search import search

        _check_query(query, field)
        try:
            # The filter is built (and refused) before the query is embedded, so bad input costs nothing.
            return search(
                query,
                store=self.vectors(owner),
                embedder=self.embedder,
                lexical=self.lexical,
                timezone=self.settings.timezone,
                now=self.clock(),
                **options,
            )
        except UnsupportedFilterError as exc:
            raise RequestError(_filter_field(str(exc)), str(exc)) from None

    def ask(self, owner: str, question: str, *, top_k: int = 6, mode: str = "hybrid") -> AnswerView:
        from lifestream.memory.answers import NOT_FOUND, answer_from, evidence

        outcome = self._search(owner, question, "question", top_k=top_k, mode=mode)
        searching = outcome.dates.label if outcome.dates else None
        # The calibrated decision of search: below the index's thresholds nothing retrieved answers it.
        if not outcome.found:
            return AnswerView(text=NOT_FOUND, grounded=False, citations=[], searching=searching)
        results = outcome.results
        answer = answer_from(question, results, self.settings)
        quotes = {(r.video_id, r.start, r.end): r.text for r in evidence(results)}
        return AnswerView(
            text=answer.text,
            grounded=answer.grounded,
            searching=searching,
            citations=[
                CitationView(
                    video_id=c.video_id,
                    start=c.start,
                    end=c.end,
                    quote=c.quote or quotes.get((c.video_id, c.start, c.end), ""),
                    label=c.label,
                )
                for c in answer.citations
            ],
        )

    def has_memory(self, owner: str) -> bool:
        return self.vectors(owner).count() > 0

    # --- speakers -------------------------------------------------------------------------------------
    def rename_speakers(self, owner: str, video_id: str, names: Mapping[str, str]) -> VideoDiary:
        """Rename speaker labels ("Speaker 1" → "Anna") in the diary (JSON and Markdown) and in the
        video's vectors (re-indexed from the renamed diary), so search and diaries follow the new name."""
        from lifestream.understand.chunking import build_chunks
        from lifestream.understand.diary import DailySummary, render_markdown

        job = self._job(owner, video_id)
        if not names:
            raise RequestError("names", "give at least one label to rename")
        for old, new in names.items():
            if not old.strip() or not new.strip() or len(new) > 100 or "\x00" in new or "\n" in new:
                raise RequestError("names", f"cannot rename {old!r} to {new!r} (1–100 characters, one line)")
        if job.status != "completed":
            raise RequestError("video_id", f"{video_id} has no diary yet (status {job.status})")
        raw = self._read_result(job, "json")
        if raw is None:
            raise NotFoundError(f"the diary of {video_id} is missing")
        summary = DailySummary.model_validate_json(raw)
        known = {s.speaker for b in summary.blocks for s in b.transcript if s.speaker}
        known |= {p for b in summary.blocks for p in b.participants}
        unknown = sorted(set(names) - known)
        if unknown:
            raise RequestError(
                "names", f"no speaker {unknown[0]!r} in this video (speakers: {sorted(known)})"
            )
        renamed = _rename(summary, dict(names))
        chunks = build_chunks(renamed, images_described=renamed.vision == "openai")
        from lifestream.memory.index_builder import index_video

        # Vectors first: if writing the diary then fails, a retry renames the (unchanged) diary again.
        index_video(video_id, chunks, store=self.vectors(owner), embedder=self.embedder, lexical=self.lexical)
        self._write_result(job, "json", renamed.model_dump_json(indent=2), "application/json")
        self._write_result(job, "markdown", render_markdown(renamed), "text/markdown; charset=utf-8")
        return self._diary(job)


def _rename(summary: Any, names: dict[str, str]) -> Any:
    """The summary with each label replaced: where it is a label (speakers, participants, owners) and
    where the summary's own text names it ("Speaker 1 plans the launch"). A label is matched whole, so
    renaming "Speaker 1" leaves "Speaker 10" alone; what people said (the transcript's text) is kept."""
    import re

    pattern = re.compile(
        "|".join(rf"(?<!\w){re.escape(old)}(?!\w)" for old in sorted(names, key=len, reverse=True))
    )

    def text(value: str) -> str:
        return pattern.sub(lambda m: names[m.group(0)], value)

    def swap(value: str | None) -> str | None:
        return names.get(value, value) if value else value

    data = summary.model_copy(deep=True)
    for block in data.blocks:
        block.participants = [swap(p) for p in block.participants]
        block.title, block.activity = text(block.title), text(block.activity)
        block.location, block.visual_summary = text(block.location), text(block.visual_summary)
        block.key_points = [text(k) for k in block.key_points]
        for seg in block.transcript:
            seg.speaker = swap(seg.speaker)
        for item in block.per_speaker:
            item.speaker, item.summary = swap(item.speaker), text(item.summary)
        for action in block.action_items:
            action.owner, action.text = swap(action.owner), text(action.text)
    return data


@contextmanager
def _storage_errors(action: str) -> Iterator[None]:
    """botocore's failures as LifeStream's StorageError (the API answers 503: retrying is safe)."""
    from botocore.exceptions import BotoCoreError, ClientError

    from lifestream.core.errors import StorageError

    try:
        yield
    except (BotoCoreError, ClientError) as exc:
        raise StorageError(f"{action}: {exc}") from exc


def _check_query(text: str, field: str) -> None:
    if not text or not text.strip():
        raise RequestError(field, "is empty")
    if len(text) > MAX_QUERY_CHARS or "\x00" in text:
        raise RequestError(field, f"must be at most {MAX_QUERY_CHARS} characters without NUL")


def _hit(result: Any) -> SearchHit:
    return SearchHit.model_validate(
        {**result.model_dump(exclude={"supporting"}), "supporting": [_hit(r) for r in result.supporting]}
    )


def _filter_field(message: str) -> str:
    for field in ("date_from", "date_to", "chunk type", "mode"):
        if message.startswith(field) or field in message:
            return field.replace(" ", "_")
    if "date" in message:
        return "date_from"
    return "filter"


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


def _title(job: JobRecord) -> str:
    if job.source:
        return Path(job.source).name
    return job.key.rpartition("/")[2] or job.video_id


def _video(job: JobRecord) -> VideoSummary:
    return VideoSummary(
        video_id=job.video_id,
        job_id=job.id,
        title=_title(job),
        status=job.status.value if hasattr(job.status, "value") else job.status,
        stage=job.stage,
        progress=job.progress,
        error=job.error,
        duration=job.duration,
        recorded_at=job.recorded_at,
        created_at=job.created_at,
        chunk_count=job.chunk_count,
    )


def _job_view(job: JobRecord) -> JobView:
    return JobView.model_validate(job.model_dump())
