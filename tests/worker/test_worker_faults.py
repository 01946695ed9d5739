"""Transient faults of the paid services (OpenAI, Pinecone) outlast their own retries: the record fails,
SQS redelivers it after the visibility timeout, and the second attempt completes — once, with one set of
vectors. The services are faked at their HTTP boundary (tests/support/openai_fake/, pinecone_fake.py)."""

from __future__ import annotations

from lifestream.memory.embeddings.openai_embedder import OpenAIEmbedder
from lifestream.memory.vectors.pinecone_store import PineconeVectorStore
from tests.support.openai_fake import DEFAULT_API_KEY as OPENAI_KEY
from tests.support.pinecone_fake import DEFAULT_API_KEY as PINECONE_KEY


def _run_until_done(env, worker):
    return worker.run(until_idle=True, wait_for_retries=True, max_seconds=60)


def test_openai_throttling_is_retried_by_sqs_then_succeeds(env_factory, sample, openai_fake):
    # GIVEN OpenAI embeddings, with the embedder allowed two tries per call
    env = env_factory(
        visibility_timeout=1,
        embedding_provider="openai",
        openai_api_key=OPENAI_KEY,
        openai_base_url=openai_fake.base_url,
    )
    embedder = OpenAIEmbedder(
        api_key=OPENAI_KEY,
        base_url=openai_fake.base_url,
        max_attempts=2,
        base_delay=0.01,
        sleep=lambda s: None,
    )
    env.embedder = embedder
    env.upload(sample.path, "uploads/throttled.mp4", subtitles=sample.subtitles)
    # AND three 429 answers in a row: more than one invocation's retries can absorb
    openai_fake.fail_next(3, status=429, retry_after=0, path="/embeddings")
    # WHEN the worker runs until nothing is left
    stats = _run_until_done(env, env.worker())
    # THEN the first delivery failed, the redelivery completed the job once
    assert stats.failed == 1 and stats.succeeded == 1 and stats.crashes == 0
    job = env.only_job()
    assert job.status == "completed" and job.attempts == 2
    assert len(openai_fake.calls_to("/embeddings", ok_only=False)) >= 4
    assert len(env.vector_ids(job.video_id)) == job.chunk_count
    assert env.cloud.count(env.cloud.resources.dlq_url) == 0


def test_pinecone_outage_is_retried_by_sqs_then_succeeds(
    env_factory, sample, pinecone_fake, embedder, no_sdk_backoff
):
    env = env_factory(visibility_timeout=1, vector_store="pinecone", pinecone_api_key=PINECONE_KEY)
    store = PineconeVectorStore.connect(
        api_key=PINECONE_KEY,
        index_name=env.settings.resolved_pinecone_index,
        dimension=embedder.dimension,
        embedder_name=embedder.name,
        namespace="default",
        control_host=pinecone_fake.url,
        poll_interval=0.01,
        max_attempts=2,
        base_delay=0.01,
        sleep=lambda s: None,
    )
    env.upload(sample.path, "uploads/pinecone-500.mp4", subtitles=sample.subtitles)
    worker = env.worker()
    from lifestream.worker import configure

    configure(worker.settings, embedder=embedder, store=store, tmp_root=env.lambda_tmp)
    # GIVEN Pinecone answers every upsert with 500 (the SDK's and the store's own retries run out)
    pinecone_fake.fail_next(10_000, status=500, path="/vectors/upsert")
    # WHEN the worker receives the upload
    first = worker.invoke(worker.receive(wait_seconds=2))
    # THEN the record is left for SQS to redeliver, and the job is free for the retry
    assert len(first.failed_ids) == 1 and first.crashed is None
    abandoned = env.only_job()
    assert abandoned.status == "queued" and "TransientError" in abandoned.error
    # WHEN Pinecone recovers and the message comes back
    with pinecone_fake._lock:
        pinecone_fake._faults.clear()
    stats = _run_until_done(env, worker)
    # THEN the job completed on the redelivery, with exactly its chunks in the index
    assert stats.succeeded == 1
    job = env.only_job()
    assert job.status == "completed" and job.attempts == 2
    ids = [i for i in pinecone_fake.vectors("default") if i.startswith(job.video_id)]
    assert len(ids) == job.chunk_count


def test_a_failed_record_comes_back_after_its_backoff_not_the_visibility_timeout(
    env_factory, sample, openai_fake
):
    # GIVEN the stacks' kind of queue: a long visibility timeout (here 10 minutes), and a 1 s backoff base
    env = env_factory(
        visibility_timeout=600,
        embedding_provider="openai",
        openai_api_key=OPENAI_KEY,
        openai_base_url=openai_fake.base_url,
        worker_retry_base_seconds=1,
    )
    env.embedder = OpenAIEmbedder(
        api_key=OPENAI_KEY, base_url=openai_fake.base_url, max_attempts=1, sleep=lambda s: None
    )
    env.upload(sample.path, "uploads/backoff.mp4", subtitles=sample.subtitles)
    openai_fake.fail_next(1, status=429, retry_after=0, path="/embeddings")
    worker = env.worker()
    # WHEN the first delivery fails on a transient fault
    first = worker.invoke(worker.receive(wait_seconds=2))
    assert len(first.failed_ids) == 1 and first.crashed is None
    # THEN the record is handed out again after its backoff (1 s), not after the queue's 600 s ...
    again = worker.receive(wait_seconds=5)
    assert [m["MessageId"] for m in again] == first.failed_ids
    assert again[0]["Attributes"]["ApproximateReceiveCount"] == "2"
    # ... and the retry completes the job
    assert worker.invoke(again).failed_ids == []
    assert env.only_job().status == "completed"


def test_the_backoff_grows_and_never_exceeds_the_cap():
    from lifestream.worker.retry import retry_delay

    delays = [retry_delay(n, base=60, cap=900) for n in range(1, 6)]
    assert delays == [60, 180, 540, 900, 900]
    # With maxReceiveCount 5, four waits: a transient fault has about 28 minutes before the DLQ.
    assert sum(delays[:4]) == 1680
