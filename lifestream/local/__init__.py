"""The embedded default's stand-ins for AWS on one machine: `cloud` runs a moto server with the stacks'
bucket, queue, DLQ and S3 → SQS notification; `worker` plays Lambda's SQS event source, calling the real
handler with the events it builds.
"""

from lifestream.core.lazy import lazy_exports

_NAMES = {
    "LocalCloud": "cloud",
    "LocalResources": "cloud",
    "provision": "cloud",
    "LocalWorker": "worker",
    "build_event": "worker",
}
__all__ = ["LocalCloud", "LocalResources", "LocalWorker", "build_event", "provision"]
__getattr__, __dir__ = lazy_exports(__name__, _NAMES)
