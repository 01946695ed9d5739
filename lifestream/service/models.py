"""What the service layer hands back: plain pydantic models the HTTP API returns as they are and the CLI
prints. Times are seconds from the start of the video; datetimes are UTC."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from lifestream.memory.search_filters import SearchMode


class VideoSummary(BaseModel):
    video_id: str
    job_id: int
    title: str = Field(description="The uploaded file's name")
    status: Literal["queued", "processing", "completed", "failed"]
    stage: str | None = None
    progress: float = 0.0
    error: str | None = Field(default=None, description="Why processing failed, or is being retried")
    duration: float | None = Field(default=None, description="Seconds")
    recorded_at: datetime | None = None
    created_at: datetime
    chunk_count: int | None = None
    diary_title: str | None = Field(
        default=None, description="What the diary calls the video: the title of its first block with speech"
    )
    thumbnail: str | None = Field(default=None, description="A keyframe: presigned GET, or the API's path")
    # A video processed from a file on this machine: the keyframe's file name, which the API serves itself.
    local_thumbnail: str | None = Field(default=None, exclude=True)


class VideoPage(BaseModel):
    items: list[VideoSummary]
    next_offset: int | None = Field(default=None, description="Pass as `offset` for the next page")


class VideoDiary(BaseModel):
    video: VideoSummary
    diary: dict[str, Any] | None = Field(default=None, description="The diary (`Diary` JSON)")
    markdown: str | None = None


class CitationView(BaseModel):
    video_id: str
    start: float
    end: float
    quote: str = Field(description="The words of the source the claim rests on")
    label: str


class DigestLine(BaseModel):
    """One video of a day in a line: when, what (its blocks' titles), who (names only), where, tasks."""

    video_id: str
    at: str | None = Field(default=None, description="Local clock time the video starts, HH:MM")
    text: str
    citations: list[CitationView] = Field(default_factory=list, description="The blocks the line rests on")


class DayDiary(BaseModel):
    date: str
    videos: list[VideoDiary]
    digest: list[DigestLine] = Field(
        default_factory=list, description="The day in a few lines, one per video, built from the diaries"
    )


class MediaLinks(BaseModel):
    video_id: str
    video_url: str | None = Field(default=None, description="Presigned GET, or the API's own stream")
    keyframes: list[str] = Field(default_factory=list)
    expires_in: int | None = Field(default=None, description="Seconds the presigned links stay valid")
    # A video processed from a file on this machine: the API streams it (HTTP Range) instead.
    local_path: str | None = Field(default=None, exclude=True)
    local_keyframes: dict[str, str] = Field(default_factory=dict, exclude=True)


class UploadTicket(BaseModel):
    """A presigned POST (`method` "post": send `fields` then the file as multipart/form-data to `url`), or,
    for a file over S3's 5 GB POST limit, a multipart upload (`method` "multipart": PUT part n — bytes
    (n-1)·part_size onward — to part_urls[n-1], then POST the parts' ETags to /api/uploads/complete)."""

    method: Literal["post", "multipart"] = "post"
    url: str = ""
    fields: dict[str, str] = Field(default_factory=dict)
    key: str
    max_bytes: int
    expires_at: datetime
    upload_id: str | None = None
    part_size: int | None = None
    part_urls: list[str] = Field(default_factory=list)


class UploadedPart(BaseModel):
    part_number: int = Field(ge=1, le=10000)
    etag: str = Field(min_length=1, max_length=100)


class CompletedUpload(BaseModel):
    key: str
    size: int


class DeleteReport(BaseModel):
    video_id: str
    objects: int = Field(description="Upload versions, results and checkpoints deleted")
    vectors: int
    jobs: int


class JobView(BaseModel):
    id: int
    video_id: str
    status: Literal["queued", "processing", "completed", "failed"]
    stage: str | None = None
    progress: float
    attempts: int
    error: str | None = Field(default=None, description="Why processing failed, or is being retried")
    created_at: datetime
    updated_at: datetime
    started_at: datetime | None = None
    finished_at: datetime | None = None


class SearchHit(BaseModel):
    video_id: str
    start: float
    end: float
    score: float
    text: str
    chunk_type: str
    recorded_date: str | None = None
    speakers: list[str] = Field(default_factory=list)
    found: bool = Field(
        default=False,
        description="This moment clears the calibrated threshold that ask uses (else it is only related)",
    )
    supporting: list[SearchHit] = Field(
        default_factory=list, description="Other hits of the same moment (overlapping, or a copied video)"
    )


class SearchPage(BaseModel):
    """Search hits and how the query was understood."""

    hits: list[SearchHit]
    found: bool = Field(description="False: nothing retrieved clears the calibrated relevance threshold")
    mode: SearchMode
    query: str = Field(description="The text searched, without the date phrase")
    date_from: str | None = Field(default=None, description="A date filter read from the query's words")
    date_to: str | None = None
    searching: str | None = Field(default=None, description='e.g. "searching 2026-11-23 – 2026-11-24"')
    speakers: list[str] = Field(default_factory=list, description="Speakers named in the query (boosted)")


class AnswerView(BaseModel):
    text: str
    grounded: bool
    citations: list[CitationView]
    searching: str | None = Field(default=None, description="The date filter read from the question")
