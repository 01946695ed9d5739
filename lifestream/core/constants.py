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

VIDEO_SUFFIXES: tuple[str, ...] = (".mp4", ".mov", ".avi", ".mkv")
VIDEO_TYPES = {
    ".mp4": "video/mp4",
    ".mov": "video/quicktime",
    ".avi": "video/x-msvideo",
    ".mkv": "video/x-matroska",
}
SUBTITLE_SUFFIXES: tuple[str, ...] = (".srt", ".vtt")

# S3 suffix filters are case-sensitive, so each suffix is registered in both cases.
NOTIFICATION_SUFFIXES: tuple[str, ...] = tuple(
    s for suffix in VIDEO_SUFFIXES for s in (suffix, suffix.upper())
)
NOTIFICATION_EVENTS: tuple[str, ...] = ("s3:ObjectCreated:*",)

DEFAULT_MAX_RECEIVE_COUNT = 3
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


def is_video_key(key: str) -> bool:
    """True for keys the pipeline accepts: under uploads/, with a video suffix in any case."""
    lowered = key.lower()
    return lowered.startswith(UPLOAD_PREFIX) and lowered.endswith(VIDEO_SUFFIXES)
