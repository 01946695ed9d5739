"""Names and filters shared by the CDK stacks and the local cloud — the one source of truth.

`stacks/` imports this module (never the reverse), so a bucket notification configured by
`lifestream local up` filters exactly what the deployed one filters.
"""

from __future__ import annotations

from dataclasses import dataclass

APP_NAME = "lifestream"

UPLOAD_PREFIX = "uploads/"
RESULTS_PREFIX = "results/"
# Intermediate stage outputs that let a long video resume in a later invocation.
STATE_PREFIX = "state/"
# The one user of a machine without sign-in; it also owns every upload made before keys carried their owner.
LOCAL_USER = "local"
# The OAuth scope an access token must carry to call the API: one scope ("api") of a Cognito resource
# server ("lifestream"), required by the gateway's authorizer on every route and by the app itself.
# ID tokens carry no scope at all, so they are refused twice over.
API_RESOURCE_SERVER = "lifestream"
API_SCOPE_NAME = "api"
API_SCOPE = f"{API_RESOURCE_SERVER}/{API_SCOPE_NAME}"
# The job store's "bucket" of videos processed from files on this machine (`lifestream process`): their
# results are files under the data directory, not objects.
LOCAL_FILES_BUCKET = "local"

# Ids nobody may sign in as: LOCAL_USER owns the library from before sign-in, vectors without an owner and
# the base Pinecone namespace; the others are the default namespace's name and words of the storage layout.
RESERVED_OWNERS = frozenset(
    {LOCAL_USER, "default", UPLOAD_PREFIX.strip("/"), RESULTS_PREFIX.strip("/"), STATE_PREFIX.strip("/")}
)

# A moment, what search and answers cite: a transcript chunk, a cited span and a quote are at most this long.
MOMENT_SECONDS = 25.0

# How a diary titles a block in which nothing was said ("No speech (3 scenes)"): the summarizer writes it,
# the library and the day digest skip such blocks when they look for what a video is about.
NO_SPEECH_TITLE = "No speech"

VIDEO_SUFFIXES: tuple[str, ...] = (".mp4", ".mov", ".avi", ".mkv")
VIDEO_TYPES = {
    ".mp4": "video/mp4",
    ".mov": "video/quicktime",
    ".avi": "video/x-msvideo",
    ".mkv": "video/x-matroska",
}
SUBTITLE_SUFFIXES: tuple[str, ...] = (".srt", ".vtt")

# S3 suffix filters are case-sensitive: each suffix is registered in both cases, and every key LifeStream
# writes ends in the lower-case one (`key_name`), so "Clip.Mp4" is queued too. An object put under uploads/
# by another tool with a mixed-case suffix raises no event (README, "Uploads").
NOTIFICATION_SUFFIXES: tuple[str, ...] = tuple(
    s for suffix in VIDEO_SUFFIXES for s in (suffix, suffix.upper())
)
NOTIFICATION_EVENTS: tuple[str, ...] = ("s3:ObjectCreated:*",)

# Deliveries of a message before SQS moves it to the DLQ: with the worker's backoff between them
# (lifestream.worker.retry) a transient fault has about half an hour to clear.
DEFAULT_MAX_RECEIVE_COUNT = 5

# The tag the worker puts on an upload whose job failed for good: the bucket's lifecycle expires only
# uploads carrying it. Every other upload is a video some diary plays, and is kept (moved to a cheaper
# storage class instead).
FAILED_UPLOAD_TAG = ("lifestream-job", "failed")

# What a browser page may send straight to the video bucket (the web app's CORS rule on AWS, and the one
# `lifestream serve` adds to the local bucket): POST for a presigned upload, PUT for each part of a
# multipart upload (over 5 GB), GET/HEAD for presigned playback and keyframes; ETag exposed, since
# completing a multipart upload needs each part's.
BROWSER_CORS_METHODS: tuple[str, ...] = ("GET", "HEAD", "POST", "PUT")
BROWSER_CORS_EXPOSED_HEADERS: tuple[str, ...] = ("ETag",)
BROWSER_CORS_MAX_AGE_SECONDS = 3000
DLQ_RETENTION_DAYS = 14
# AWS guidance for SQS-triggered Lambdas: visibility timeout at least 6x the function timeout.
VISIBILITY_TIMEOUT_FACTOR = 6

LOCAL_ENV = "local"
# moto's default account, so local ARNs look like the cloud ones.
LOCAL_ACCOUNT = "123456789012"


@dataclass(frozen=True, kw_only=True)
class ResourceNames:
    """Physical names of the pipeline's resources in one environment."""

    env: str
    account: str

    @property
    def prefix(self) -> str:
        return f"{APP_NAME}-{self.env}"

    @property
    def bucket(self) -> str:
        # Bucket names are global: the account id keeps them unique across accounts.
        return f"{self.prefix}-videos-{self.account}"

    @property
    def queue(self) -> str:
        return f"{self.prefix}-processing"

    @property
    def dlq(self) -> str:
        return f"{self.prefix}-processing-dlq"

    @property
    def topic(self) -> str:
        return f"{self.prefix}-alarms"

    @property
    def worker_function(self) -> str:
        return f"{self.prefix}-worker"

    @property
    def api_function(self) -> str:
        return f"{self.prefix}-api"

    @property
    def user_pool(self) -> str:
        return f"{self.prefix}-users"

    @property
    def auth_domain_prefix(self) -> str:
        # Cognito prefix domains are global per region: the account id keeps them unique, as for buckets.
        return f"{self.prefix}-{self.account}"

    @property
    def pinecone_index(self) -> str:
        return f"{self.prefix}"

    @property
    def database_name(self) -> str:
        return APP_NAME


def video_type(name: str) -> str:
    """The media type a video file is served and stored with, by its suffix."""
    suffix = name[name.rfind(".") :].lower() if "." in name else ""
    return VIDEO_TYPES.get(suffix, "application/octet-stream")


def key_name(name: str) -> str:
    """A file name as LifeStream writes it into a key: its suffix in lower case ("Clip.Mp4" -> "Clip.mp4"),
    so that the bucket's case-sensitive suffix filters see every video."""
    dot = name.rfind(".")
    return name if dot <= 0 else name[:dot] + name[dot:].lower()


def is_video_key(key: str) -> bool:
    """True for keys the pipeline accepts: under uploads/, with a video suffix in any case."""
    lowered = key.lower()
    return lowered.startswith(UPLOAD_PREFIX) and lowered.endswith(VIDEO_SUFFIXES)
