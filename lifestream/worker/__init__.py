"""The event-driven worker: SQS messages carrying S3 upload events → jobs → the pipeline → results.

`lambda_src/worker.py` is a thin Lambda adapter over `handle_message`; the local worker calls that same
handler with events it builds from the moto queue.
"""

from lifestream.worker.events import (
    Continuation,
    MalformedMessageError,
    ObjectEvents,
    ObjectRef,
    S3TestEvent,
    parse_body,
)
from lifestream.worker.processor import JobBusyError, ObjectOutcome, handle_message, process_object
from lifestream.worker.runtime import WorkerRuntime, configure, get_runtime, reset

__all__ = [
    "Continuation",
    "JobBusyError",
    "MalformedMessageError",
    "ObjectEvents",
    "ObjectOutcome",
    "ObjectRef",
    "S3TestEvent",
    "WorkerRuntime",
    "configure",
    "get_runtime",
    "handle_message",
    "parse_body",
    "process_object",
    "reset",
]
