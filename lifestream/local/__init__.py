"""The embedded default's stand-ins for AWS on one machine: `cloud` runs a moto server (`server`) with the
stacks' bucket, queue, DLQ and S3 → SQS notification (`resources`), keeping the bucket across restarts
(`snapshot`); `worker` plays Lambda's SQS event source, calling the real handler with the events it builds;
`uploads` and `dlq` are what a person does to that cloud: put videos in, look at and redrive failures;
`files` processes video files on this machine through the same job lifecycle, with no cloud at all.
"""

from lifestream.core.lazy import lazy_exports

_NAMES = {
    "LocalCloud": "cloud",
    "LocalResources": "resources",
    "provision": "resources",
    "LocalWorker": "worker",
    "build_event": "worker",
}
__all__ = ["LocalCloud", "LocalResources", "LocalWorker", "build_event", "provision"]
__getattr__, __dir__ = lazy_exports(__name__, _NAMES)
