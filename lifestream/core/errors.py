"""LifeStream's exception hierarchy.

The worker decides retry-or-not by class alone:
- `InputError` (permanent): the job is marked failed with the message and the SQS record is acknowledged.
- `TransientError` and anything unexpected: the record is reported as a failure so SQS redelivers it,
  and after maxReceiveCount it lands in the DLQ.
- `OutOfTime`: the invocation is nearly over; progress is saved and a continuation message is sent.
Messages are written for a person: they name the file, key, setting or variable involved. That person is
the operator: a message may hold paths, keys, hosts or a driver's words, so it goes to logs and to the CLI
on this machine, never to an API client. What a user is told about a failed job is `user_reason(exc)`.
"""

from __future__ import annotations


class LifeStreamError(Exception):
    """Base of every error LifeStream raises on purpose."""


class ConfigError(LifeStreamError):
    """A setting is missing or wrong; the message names the LIFESTREAM_* variable."""


# --- permanent input problems -------------------------------------------------------------------------
class InputError(LifeStreamError):
    """The input can never be processed as it is; retrying will not help. `reason`, when given, says so
    in the user's words (no path, key or library message); otherwise the class's `REASONS` entry does."""

    def __init__(self, message: str, *, reason: str | None = None) -> None:
        super().__init__(message)
        self.reason = reason


class EmptyFileError(InputError):
    pass


class CorruptVideoError(InputError):
    """Not decodable: truncated, damaged, or not a media file at all."""


class NoVideoStreamError(InputError):
    pass


class UnsupportedFileError(InputError):
    """Wrong extension, outside uploads/, or too large to process."""


# --- transient problems -------------------------------------------------------------------------------
class NoSubtitlesError(InputError):
    """Subtitles were required (LIFESTREAM_TRANSCRIBER=subtitles) but this video has none usable: a fact
    about the video, so it fails its job instead of being retried into the DLQ."""


class TransientError(LifeStreamError):
    """A dependency failed in a way that a later retry may fix (throttling, network, database)."""


class OutOfTime(LifeStreamError):
    """Raised between units of work when the remaining invocation time is below the safety margin."""

    def __init__(self, stage: str, offset: float = 0.0):
        super().__init__(f"out of time in stage {stage!r} at offset {offset:.1f}s")
        self.stage = stage
        self.offset = offset


# --- storage --------------------------------------------------------------------------------------------
class StorageError(LifeStreamError):
    """An S3 operation failed for a reason other than the ones below."""


class ObjectNotFoundError(StorageError, InputError):
    """The bucket or key does not exist (e.g. the object was deleted before processing)."""


class AccessDeniedError(StorageError):
    pass


# --- vectors --------------------------------------------------------------------------------------------
class VectorStoreError(LifeStreamError):
    pass


class DimensionMismatchError(VectorStoreError):
    pass


class UnsupportedFilterError(VectorStoreError, ValueError):
    """`field` names the request field at fault, so the edge never has to guess it from the message
    (which quotes the user's value)."""

    def __init__(self, message: str, *, field: str = "filter") -> None:
        super().__init__(message)
        self.field = field


# --- embeddings -----------------------------------------------------------------------------------------
class EmbeddingError(LifeStreamError):
    """The embedding provider rejected a request for a reason retrying will not fix (bad model, bad input)."""


# --- jobs -----------------------------------------------------------------------------------------------
class NotFoundError(LifeStreamError):
    """No such thing for this user. Another user's video or job is reported exactly like a missing one,
    so ids never tell whether they exist."""


class JobNotFoundError(NotFoundError):
    pass


# --- requests (the service layer; the HTTP API maps them to 404 and 422) ---------------------------------
class LimitExceeded(LifeStreamError):
    """A per-user limit (rate or quota) is reached: the API answers 429 with `Retry-After`, or 413 when
    the request can never fit (`retry_after` is None). The message says which limit, for the user."""

    def __init__(self, message: str, *, retry_after: float | None, field: str | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        self.field = field


class RequestError(LifeStreamError):
    """A request the service refuses as it stands; `field` names the offending input."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.reason = message


# --- what a user reads about a failed job (lifestream.worker.lifecycle records it beside the error) -------
REASONS: dict[type[BaseException], str] = {
    EmptyFileError: "the file is empty",
    NoVideoStreamError: "the file has no picture: it is audio only, or not a video",
    CorruptVideoError: "the file cannot be read as a video: it is damaged, cut short, or not a video",
    NoSubtitlesError: "no subtitles came with this video, and this server reads speech only from "
    "subtitles: upload a .srt or .vtt file with it",
    ObjectNotFoundError: "the upload was deleted before it was processed",
    UnsupportedFileError: "this file cannot be processed: it is not a supported video, or it is too large",
    InputError: "this file cannot be processed as it is",
}
RETRYING = "processing was interrupted by a temporary problem; it will be tried again"


def user_reason(exc: BaseException) -> str:
    """Why a job failed, for the person whose video it is: a fact about their video, or that it will be
    retried. Never the exception's text, which is the operator's (paths, keys, hosts, driver messages)."""
    if isinstance(exc, InputError):
        if exc.reason:
            return exc.reason
        return next(REASONS[cls] for cls in type(exc).__mro__ if cls in REASONS)
    return RETRYING
