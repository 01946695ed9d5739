"""The worker's one structured logger. The Lambda handler and the local worker share it, so every line
carries the same keys (job_id, key) wherever the code runs."""

from __future__ import annotations

import os

from aws_lambda_powertools import Logger

SERVICE = "lifestream-worker"

logger = Logger(
    service=os.environ.get("POWERTOOLS_SERVICE_NAME", SERVICE),
    # Powertools' own variable wins; otherwise the level LifeStream is configured with.
    level=os.environ.get("POWERTOOLS_LOG_LEVEL") or os.environ.get("LIFESTREAM_LOG_LEVEL") or "INFO",
)
