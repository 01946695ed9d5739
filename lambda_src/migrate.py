"""Deploy-time migration function (a CDK TriggerFunction): brings the RDS job store to the newest
schema before the workers of the new release run.

Idempotent — a deploy with no new migration changes nothing. Raising makes the trigger, and so the
deployment, fail. The database URL is built from the RDS secret (LIFESTREAM_DATABASE_SECRET) and is
never logged with its password.
"""

import time

from aws_lambda_powertools import Logger

from lifestream.core.errors import TransientError
from lifestream.core.settings import load_settings
from lifestream.jobs import JobStore
from lifestream.jobs.engine import describe

logger = Logger()
# Right after RDS is created or modified it may refuse connections for a little while.
RETRY_DELAYS_SECONDS = (2.0, 5.0, 10.0, 20.0)


@logger.inject_lambda_context(clear_state=True)
def handler(event, context):
    settings = load_settings()
    # The store that re-reads the secret when the password was rotated: the secret's first rotation runs
    # when it is created, and a warm container keeps the password it read before.
    store = JobStore.from_settings(settings)
    try:
        for attempt, delay in enumerate((*RETRY_DELAYS_SECONDS, None), start=1):
            try:
                before = store.revision()
                after = store.migrate()
                break
            except TransientError as exc:
                if delay is None:
                    raise
                logger.warning(
                    "database not reachable yet; retrying", extra={"attempt": attempt, "error": str(exc)}
                )
                time.sleep(delay)
    finally:
        store.close()
    logger.info(
        "job store migrated",
        extra={"database": describe(store.engine), "from_revision": before, "revision": after},
    )
    return {
        "status": "migrated" if before != after else "unchanged",
        "from_revision": before,
        "revision": after,
    }
