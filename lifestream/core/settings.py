"""Typed settings, read from `LIFESTREAM_*` environment variables and an optional `.env` file.

`load_settings()` validates everything at start and turns any problem into a `ConfigError` whose
message names the variable to fix. Secret values are `SecretStr`; in Lambda they are not in the
environment at all — the stacks pass the *name* of a Secrets Manager secret or SSM SecureString
(`*_SECRET` variables) and `lifestream.core.secrets` resolves it on first use.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Literal
from urllib.parse import quote

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from lifestream.core.constants import API_SCOPE, LOCAL_ACCOUNT, LOCAL_ENV, ResourceNames
from lifestream.core.errors import ConfigError
from lifestream.core.loopback import is_loopback_url

ENV_PREFIX = "LIFESTREAM_"

DEFAULT_EMBEDDING = {
    "local": ("all-MiniLM-L6-v2", 384),
    "openai": ("text-embedding-3-small", 1536),
}


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        frozen=True,
    )

    env: str = Field(default=LOCAL_ENV, pattern=r"^[a-z][a-z0-9-]{0,19}$")
    data_dir: Path = Path(".lifestream")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

    # --- AWS (or the local moto endpoint) ---
    aws_region: str = "us-east-1"
    aws_profile: str | None = None
    aws_endpoint_url: str | None = Field(default=None, pattern=r"^https?://")
    bucket: str | None = None
    queue_url: str | None = None
    dlq_url: str | None = None

    # --- job store ---
    database_url: str | None = None
    database_secret: str | None = None  # Secrets Manager secret with RDS credentials (JSON)
    # RDS enforces TLS (rds.force_ssl); only a local server without TLS needs less.
    database_sslmode: Literal["disable", "prefer", "require", "verify-ca", "verify-full"] = "require"
    # CA bundle for verify-ca/verify-full (the Lambda asset ships the RDS one); libpq's default otherwise.
    database_sslrootcert: Path | None = None

    # --- vectors ---
    vector_store: Literal["faiss", "pinecone"] = "faiss"
    faiss_dir: Path | None = None
    faiss_mode: Literal["auto", "flat", "hnsw"] = "auto"
    pinecone_api_key: SecretStr | None = None
    pinecone_api_key_secret: str | None = None
    pinecone_index: str | None = None
    pinecone_cloud: str = "aws"
    pinecone_region: str = "us-east-1"
    pinecone_namespace: str = "default"
    pinecone_host: str | None = None  # data-plane host override (tests, private endpoints)
    pinecone_control_host: str | None = None  # control-plane host override (tests)

    # --- embeddings ---
    embedding_provider: Literal["local", "openai"] = "local"
    embedding_model: str | None = None
    embedding_dimension: int | None = Field(default=None, gt=0, le=4096)
    # Local all-MiniLM-L6-v2: int8 ONNX (fast start, no torch) or sentence-transformers; same vectors.
    local_embedding_backend: Literal["auto", "onnx", "torch"] = "auto"
    # OpenAI inputs over 8191 tokens: cut them, or embed the pieces and average.
    embedding_long_input: Literal["truncate", "split"] = "truncate"

    # --- OpenAI ---
    openai_api_key: SecretStr | None = None
    openai_api_key_secret: str | None = None
    openai_base_url: str | None = None
    openai_chat_model: str = "gpt-4o-mini"
    openai_vision_model: str = "gpt-4o-mini"
    openai_transcription_model: str = "whisper-1"

    # --- pipeline ---
    transcriber: Literal["auto", "subtitles", "local", "openai", "none"] = "auto"
    whisper_model_dir: Path | None = None
    # The model that writes: block summaries, and also answers and the visual summary. auto: openai with a
    # key, else the local LLM when its model is installed, else extractive; answers under auto are
    # extractive offline (lifestream.memory.answers.answer_from), and vision is OpenAI's only under openai.
    summarizer: Literal["auto", "openai", "local", "extractive"] = Field(
        default="auto",
        description="Who writes block summaries, answers and the visual summary: auto, openai, local, extractive",
    )
    # The local LLM (GGUF for llama.cpp): a file path, or a Hugging Face "repo/file"; unset: the packaged default.
    llm_model: str | None = None
    llm_threads: int | None = Field(default=None, gt=0)  # unset: the machine's cores
    # Who spoke: a local diarizer on the audio ("auto": when installed), or none.
    diarizer: Literal["auto", "local", "none"] = "auto"
    # Text read on screen: OCR of keyframes ("auto": when installed), or none.
    ocr: Literal["auto", "local", "none"] = "auto"
    # IANA zone for diary dates and date filters; unset: the machine's zone.
    timezone: str | None = None
    block_max_seconds: float = Field(default=300.0, gt=0)
    max_video_bytes: int = Field(default=2 * 1024**3 - 1, gt=0)
    # Size of the scratch disk a run may fill (Lambda: the function's ephemeral storage). Unset: what is
    # free in the temp directory when the run starts (in Lambda, /tmp is exactly the configured size).
    ephemeral_storage_bytes: int | None = Field(default=None, gt=0)

    # --- worker ---
    worker_safety_margin_seconds: float = Field(default=60.0, ge=0)
    worker_stale_claim_seconds: float = Field(default=900.0, gt=0)
    # A failed record's wait before SQS hands it out again: base x 3^(receive - 1), at most the max, never
    # more than the queue's own visibility timeout (lifestream.worker.retry). 60 s, 3, 9, 15 min: a
    # transient fault reaches the DLQ (after maxReceiveCount 5) in about 28 minutes, not 7.5 hours.
    # Uploads: over upload_post_limit_bytes a ticket is a multipart upload (S3 takes at most 5 GB in one
    # POST), in parts of upload_part_bytes (S3: 5 MiB to 5 GiB a part). Only lowered to drive the multipart
    # path with small files (the browser tests).
    upload_post_limit_bytes: int = Field(default=5 * 1024**3, gt=0, le=5 * 1024**3)
    upload_part_bytes: int = Field(default=512 * 1024**2, ge=5 * 1024**2, le=5 * 1024**3)
    worker_retry_base_seconds: float = Field(default=60.0, gt=0)
    worker_retry_max_seconds: float = Field(default=900.0, gt=0)

    # --- HTTP API ---
    # none: one local user, loopback only; jwt: verify bearer tokens as API Gateway's JWT authorizer does
    # (issuer, audience, JWKS); gateway: behind that authorizer on AWS, trust its claims.
    auth: Literal["none", "jwt", "gateway"] = "none"
    auth_issuer: str | None = None
    auth_audience: str | None = None
    auth_jwks: str | None = None  # a JWKS file path or an https:// URL (http:// only on loopback)
    # The scope an access token must carry (jwt and gateway modes): the Cognito resource server's.
    auth_scope: str = Field(default=API_SCOPE, min_length=1, pattern=r"^\S+$")
    # Presigned upload and playback links expire after this many minutes.
    upload_url_minutes: int = Field(default=15, ge=1, le=60)
    media_url_minutes: int = Field(default=15, ge=1, le=720)

    # --- per-user limits (0: none), per environment on AWS (stacks/config.py) ---
    # API requests per minute and the burst allowed above it, in the signed-in modes; `ask` runs a model
    # on every call and has its own, smaller bucket. Local mode (one user) has no rate limit.
    rate_requests_per_minute: int = Field(default=600, ge=0)
    rate_requests_burst: int = Field(default=120, ge=1)
    rate_asks_per_minute: int = Field(default=20, ge=0)
    rate_asks_burst: int = Field(default=10, ge=1)
    # Uploads: videos signed and not yet processed, and bytes signed in the last 24 hours.
    quota_uploads_in_flight: int = Field(default=20, ge=0)
    quota_bytes_per_day: int = Field(default=50 * 1024**3, ge=0)
    # Jobs of one user processing at once; the worker puts the others back for `quota_defer_seconds`.
    quota_jobs_processing: int = Field(default=2, ge=0)
    quota_defer_seconds: int = Field(default=60, ge=1, le=900)

    @field_validator("timezone")
    @classmethod
    def _check_timezone(cls, value: str | None) -> str | None:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        value = (value or "").strip() or None
        if value is None:
            return None
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                "must be an IANA time zone name such as Europe/Paris or Asia/Tokyo (unset: the machine's)"
            ) from None
        return value

    @field_validator("auth_jwks")
    @classmethod
    def _check_jwks(cls, value: str | None) -> str | None:
        # Keys fetched over plain http could be swapped on the way, and then any token would verify.
        if value and value.lower().startswith("http://") and not is_loopback_url(value):
            raise ValueError("must be an https:// URL (http:// only for a server on this machine) or a file")
        return value

    @model_validator(mode="after")
    def _check_combinations(self) -> Settings:
        # (setting, value that calls a service, service whose key it then needs)
        for field, value, service in (
            ("vector_store", "pinecone", "pinecone"),
            ("embedding_provider", "openai", "openai"),
            ("transcriber", "openai", "openai"),
            ("summarizer", "openai", "openai"),
        ):
            has_key = getattr(self, f"{service}_api_key") or getattr(self, f"{service}_api_key_secret")
            if getattr(self, field) == value and not has_key:
                key = f"{ENV_PREFIX}{service.upper()}_API_KEY"
                raise ValueError(f"{field}={value} needs {key} or {key}_SECRET")
        if self.auth == "jwt":
            missing = [n for n in ("auth_issuer", "auth_audience", "auth_jwks") if not getattr(self, n)]
            if missing:
                names = ", ".join(ENV_PREFIX + n.upper() for n in missing)
                raise ValueError(f"auth=jwt needs {names}")
        return self

    # --- derived values --------------------------------------------------------------------------------
    @property
    def has_openai(self) -> bool:
        return bool(self.openai_api_key or self.openai_api_key_secret)

    @property
    def names(self) -> ResourceNames:
        return ResourceNames(env=self.env, account=LOCAL_ACCOUNT)

    @property
    def resolved_bucket(self) -> str:
        return self.bucket or self.names.bucket

    @property
    def resolved_faiss_dir(self) -> Path:
        return self.faiss_dir or self.data_dir / "index"

    @property
    def resolved_pinecone_index(self) -> str:
        return self.pinecone_index or self.names.pinecone_index

    @property
    def resolved_embedding_model(self) -> str:
        return self.embedding_model or DEFAULT_EMBEDDING[self.embedding_provider][0]

    @property
    def resolved_embedding_dimension(self) -> int:
        return self.embedding_dimension or DEFAULT_EMBEDDING[self.embedding_provider][1]

    @cached_property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        if self.database_secret:
            from lifestream.core.secrets import database_url_from_secret

            url = database_url_from_secret(self.database_secret, sslmode=self.database_sslmode)
            if self.database_sslrootcert:
                url += "&sslrootcert=" + quote(str(self.database_sslrootcert), safe="/")
            return url
        return f"sqlite:///{(self.data_dir / 'jobs.db').resolve()}"

    def openai_key(self) -> str | None:
        """The OpenAI API key, from the environment or (in Lambda) from the named secret."""
        return _api_key(self.openai_api_key, self.openai_api_key_secret)

    def pinecone_key(self) -> str | None:
        """The Pinecone API key, from the environment or (in Lambda) from the named secret."""
        return _api_key(self.pinecone_api_key, self.pinecone_api_key_secret)

    def boto3_session(self):
        import boto3

        return boto3.session.Session(profile_name=self.aws_profile, region_name=self.aws_region)

    def client(self, service: str):
        """A boto3 client for `service`, pointed at the local endpoint when one is set."""
        return self.boto3_session().client(service, endpoint_url=self.aws_endpoint_url)


def _api_key(value: SecretStr | None, secret_name: str | None) -> str | None:
    # A key set directly wins; a secret's name (how Lambda is configured) is resolved only when needed.
    if value:
        return value.get_secret_value()
    if secret_name:
        from lifestream.core.secrets import resolve_secret

        return resolve_secret(secret_name)
    return None


def _variable(loc: tuple) -> str:
    if not loc:
        return f"{ENV_PREFIX}*"
    return ENV_PREFIX + str(loc[0]).upper()


def load_settings(**overrides) -> Settings:
    """Read and validate settings; raise `ConfigError` naming each offending variable."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            message = err["msg"].removeprefix("Value error, ")
            if err["loc"]:
                name = _variable(err["loc"])
                shown = "" if ("KEY" in name or "SECRET" in name) else f" (got {err.get('input')!r})"
                problems.append(f"{name}: {message}{shown}")
            else:
                problems.append(message)
        raise ConfigError("Invalid LifeStream settings:\n  " + "\n  ".join(problems)) from None
