"""Worker Lambda: SQS batch of S3 upload events → LifeStream pipeline, one record failing alone.

ReportBatchItemFailures (set on the event source mapping by the stack) makes SQS retry only the records
listed in `batchItemFailures`; the rest of the batch is deleted. A batch whose every record failed is
reported the same way, not raised: with batch size 1 that is every failure, and a raise would make each
retry a Lambda error (and page the errors alarm). The handler raises only when it cannot run at all. A failed record's visibility is shortened to its
backoff first (lifestream.worker.retry), so it comes back in minutes, not after the queue's 90.
"""

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from lifestream.worker import JobBusyError, get_runtime, handle_message
from lifestream.worker.log import logger
from lifestream.worker.retry import back_off, receive_count

processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)


def record_handler(record: SQSRecord, lambda_context=None) -> None:
    logger.append_keys(message_id=record.message_id)
    try:
        handle_message(record.body, lambda_context, source_queue_arn=record.event_source_arn)
    except JobBusyError:
        raise  # another live attempt holds the job: the queue's full timeout gives it its time
    except Exception:
        back_off(
            get_runtime(),
            queue_arn=record.event_source_arn,
            receipt_handle=record.receipt_handle,
            receive_count=receive_count(record),
        )
        raise
    finally:
        logger.remove_keys(["message_id"])


@logger.inject_lambda_context(clear_state=True)
def handler(event, context):
    return process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
