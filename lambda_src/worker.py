"""Placeholder worker handler: parses the SQS event and reports no failures.
Replaced by the event-driven worker issue (#5) — do not keep."""

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response

processor = BatchProcessor(event_type=EventType.SQS)


def _record_handler(record) -> None:
    return None


def handler(event, context):
    return process_partial_response(event=event, record_handler=_record_handler, processor=processor, context=context)
