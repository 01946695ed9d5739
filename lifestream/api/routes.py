"""The routes. Each one resolves the caller (`Owner`) and passes it to the service layer, which scopes
every read and write by it; nothing here decides what a user may see.

Jobs are followed by polling with ETags rather than SSE: on AWS the API runs in Lambda behind an HTTP
API, which buffers a response until the function returns, so a stream would arrive all at once at the
timeout. `GET /api/jobs/{id}` with `If-None-Match` answers 304 with no body while nothing changed, so a
client polling every couple of seconds costs a tiny response — the same on a laptop and on AWS.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request, Response
from fastapi import Path as PathParam
from fastapi.responses import FileResponse
from pydantic import BaseModel, ConfigDict, Field

from lifestream.core.constants import video_type
from lifestream.core.errors import NotFoundError
from lifestream.memory.search_filters import SearchMode
from lifestream.service import parse_filters
from lifestream.service.models import (
    AnswerView,
    CompletedUpload,
    DayDiary,
    DeleteReport,
    JobView,
    MediaLinks,
    SearchHit,
    UploadedPart,
    UploadTicket,
    VideoDiary,
    VideoPage,
)


class ErrorBody(BaseModel):
    error: str = Field(
        description="unauthorized | forbidden | invalid_host | not_found | invalid | too_many | too_large "
        "| unavailable | internal"
    )
    message: str
    field: str | None = Field(default=None, description="The request field at fault, when one is")


ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorBody, "description": "No valid sign-in"},
    404: {"model": ErrorBody, "description": "No such thing for you (another user's id reads the same)"},
    422: {"model": ErrorBody, "description": "Bad input; `field` names it"},
    429: {"model": ErrorBody, "description": "Over your rate or quota; `Retry-After` says when to retry"},
}

VideoId = Annotated[str, PathParam(pattern=r"^[a-z0-9][a-z0-9-]{0,79}$", description="A video id")]


def owner(request: Request, authorization: Annotated[str | None, Header()] = None) -> str:
    """The caller, once their request fits their rate limit (`lifestream.api.limits`)."""
    who = request.app.state.auth.owner(authorization, request.scope)
    request.app.state.limits.spend(who, request)
    return who


Owner = Annotated[str, Depends(owner)]


def library(request: Request):
    return request.app.state.library


router = APIRouter(prefix="/api", responses=ERRORS)


class UploadRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    filename: str = Field(min_length=1, max_length=1024, description="The file's name on the client")
    size: int = Field(gt=0, description="Bytes; the presigned policy admits exactly this size")
    content_type: str = Field(
        max_length=255, description="video/* for videos; text/vtt, application/x-subrip…"
    )
    beside: str | None = Field(
        default=None, max_length=1024, description="For subtitles: the key of the video they belong to"
    )


class AskRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    question: str = Field(min_length=1, max_length=2000)
    top_k: int = Field(default=6, ge=1, le=50)
    mode: SearchMode = "hybrid"


class SpeakerNames(BaseModel):
    model_config = ConfigDict(extra="forbid")

    names: dict[str, str] = Field(description='{"Speaker 1": "Anna"}', min_length=1, max_length=50)


@router.get("/health", include_in_schema=False)
def health() -> dict[str, str]:
    return {"status": "ok"}


@router.post("/uploads", response_model=UploadTicket, status_code=201, responses={413: {"model": ErrorBody}})
def create_upload(body: UploadRequest, who: Owner, request: Request) -> UploadTicket:
    """A presigned POST for one video (or its subtitles) under your own prefix."""
    return library(request).presign_upload(
        who, filename=body.filename, size=body.size, content_type=body.content_type, beside=body.beside
    )


class CompleteRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    key: str = Field(max_length=1024)
    upload_id: str = Field(min_length=1, max_length=1024)
    parts: list[UploadedPart] = Field(min_length=1, max_length=10000)


@router.post("/uploads/complete", response_model=CompletedUpload)
def complete_upload(body: CompleteRequest, who: Owner, request: Request) -> CompletedUpload:
    """Finish a multipart upload (a file over 5 GB) once every part is PUT."""
    return library(request).complete_upload(who, key=body.key, upload_id=body.upload_id, parts=body.parts)


@router.get("/videos", response_model=VideoPage)
def list_videos(
    who: Owner,
    request: Request,
    status: Annotated[str | None, Query(description="queued, processing, completed, failed")] = None,
    date_from: Annotated[str | None, Query(description="Recorded on or after YYYY-MM-DD")] = None,
    date_to: Annotated[str | None, Query(description="Recorded on or before YYYY-MM-DD")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> VideoPage:
    page = library(request).list_videos(
        who, status=status, date_from=date_from, date_to=date_to, limit=limit, offset=offset
    )
    for item in page.items:
        if item.local_thumbnail:
            item.thumbnail = local_keyframe_url(item.video_id, item.local_thumbnail)
    return page


def local_keyframe_url(video_id: str, name: str) -> str:
    """Where this API serves a local file's keyframe (`keyframe` below): the media view and the library's
    thumbnails both link here; S3 keyframes are presigned by the service instead."""
    return f"/api/videos/{video_id}/keyframes/{name}"


@router.get("/videos/{video_id}", response_model=VideoDiary)
def get_video(video_id: VideoId, who: Owner, request: Request) -> VideoDiary:
    return library(request).get_video(who, video_id)


@router.get("/videos/{video_id}/media", response_model=MediaLinks)
def get_media(video_id: VideoId, who: Owner, request: Request) -> MediaLinks:
    """Playback: a presigned GET (S3), or this API's own stream with HTTP Range (a file on this machine)."""
    links = library(request).media(who, video_id)
    if links.local_path is not None:
        base = f"/api/videos/{video_id}"
        links.video_url = f"{base}/media/file"
        links.keyframes = [local_keyframe_url(video_id, name) for name in sorted(links.local_keyframes)]
    return links


@router.get("/videos/{video_id}/media/file", response_class=FileResponse)
def stream_media(video_id: VideoId, who: Owner, request: Request) -> FileResponse:
    """The video file itself (local library only); Range requests get 206 Partial Content."""
    links = library(request).media(who, video_id)
    if not links.local_path or not Path(links.local_path).is_file():
        raise NotFoundError(f"no local file for video {video_id!r}")
    return FileResponse(links.local_path, media_type=video_type(links.local_path))


@router.get("/videos/{video_id}/keyframes/{name}", response_class=FileResponse)
def keyframe(
    video_id: VideoId,
    name: Annotated[str, PathParam(pattern=r"^[A-Za-z0-9_.-]{1,100}\.jpg$")],
    who: Owner,
    request: Request,
) -> FileResponse:
    links = library(request).media(who, video_id)
    path = links.local_keyframes.get(name)
    if path is None:
        raise NotFoundError(f"no keyframe {name!r}")
    return FileResponse(path, media_type="image/jpeg")


@router.delete("/videos/{video_id}", response_model=DeleteReport)
def delete_video(video_id: VideoId, who: Owner, request: Request) -> DeleteReport:
    """Forget a video completely; repeating it after a failure finishes the job (then 404)."""
    return library(request).delete_video(who, video_id)


@router.patch("/videos/{video_id}/speakers", response_model=VideoDiary)
def rename_speakers(video_id: VideoId, body: SpeakerNames, who: Owner, request: Request) -> VideoDiary:
    return library(request).rename_speakers(who, video_id, body.names)


@router.get("/days/{date}", response_model=DayDiary)
def get_day(date: Annotated[str, PathParam(max_length=10)], who: Owner, request: Request) -> DayDiary:
    return library(request).day(who, date)


def _etag(payload: str) -> str:
    return '"' + hashlib.sha256(payload.encode()).hexdigest()[:32] + '"'


def _conditional(payload: str, if_none_match: str | None, media: str = "application/json") -> Response:
    tag = _etag(payload)
    headers = {"ETag": tag, "Cache-Control": "no-cache"}
    if if_none_match and tag in [t.strip() for t in if_none_match.split(",")]:
        return Response(status_code=304, headers=headers)
    return Response(content=payload, media_type=media, headers=headers)


@router.get(
    "/jobs", response_model=list[JobView], responses={304: {"description": "Unchanged since the ETag"}}
)
def list_jobs(
    who: Owner,
    request: Request,
    status: str | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    if_none_match: Annotated[str | None, Header()] = None,
) -> Response:
    jobs = library(request).list_jobs(who, status=status, limit=limit)
    payload = "[" + ",".join(j.model_dump_json() for j in jobs) + "]"
    return _conditional(payload, if_none_match)


@router.get(
    "/jobs/{job_id}", response_model=JobView, responses={304: {"description": "Unchanged since the ETag"}}
)
def get_job(
    job_id: Annotated[int, PathParam(ge=1, le=2**62)],
    who: Owner,
    request: Request,
    if_none_match: Annotated[str | None, Header()] = None,
) -> Response:
    return _conditional(library(request).get_job(who, job_id).model_dump_json(), if_none_match)


@router.get("/search", response_model=list[SearchHit])
def search(
    who: Owner,
    request: Request,
    response: Response,
    q: Annotated[str, Query(min_length=1, max_length=2000, description="What to look for")],
    top_k: Annotated[int, Query(ge=1, le=100)] = 5,
    min_score: Annotated[float | None, Query(ge=-1, le=1)] = None,
    date_from: str | None = None,
    date_to: str | None = None,
    video_id: Annotated[str | None, Query(max_length=80)] = None,
    speaker: Annotated[str | None, Query(max_length=100)] = None,
    chunk_type: Annotated[str | None, Query(description="summary, transcript or action_item")] = None,
    mode: Annotated[SearchMode, Query(description="dense, lexical or hybrid (both, fused)")] = "hybrid",
) -> list[SearchHit]:
    """The hits, best first. How the query was understood rides in headers, so the body stays a list:
    Search-Found (calibrated: "false" means not in your videos), Search-Mode, and for a date said in the
    query ("last weekend") Search-Dates, as an ISO interval 2026-11-28/2026-11-29."""
    filters = parse_filters(
        date_from=date_from, date_to=date_to, video_id=video_id, speaker=speaker, chunk_type=chunk_type
    )
    page = library(request).search_page(who, q, filters=filters, top_k=top_k, min_score=min_score, mode=mode)
    response.headers["Search-Found"] = "true" if page.found else "false"
    response.headers["Search-Mode"] = page.mode
    if page.date_from:
        response.headers["Search-Dates"] = f"{page.date_from}/{page.date_to}"
    return page.hits


@router.post("/ask", response_model=AnswerView)
def ask(body: AskRequest, who: Owner, request: Request) -> AnswerView:
    return library(request).ask(who, body.question, top_k=body.top_k, mode=body.mode)

