"""End to end on one machine: upload to a moto server over HTTP → S3 notification → SQS → the Lambda
handler (through the local event-source loop) → pipeline on real media → results in S3, vectors in FAISS,
the job in a real PostgreSQL → search finds the block. Then the reliability cases."""

from __future__ import annotations

import json

import pytest

from lifestream.local.worker import LocalLambdaContext, build_event, load_handler
from lifestream.memory.search import semantic_search
from lifestream.worker import get_runtime
from tests.worker.conftest import Env


def test_upload_becomes_searchable_diary(env, sample):
    # GIVEN a video with speech and its subtitles uploaded under uploads/ (key with a space)
    key = "uploads/2026-05-02/my day.mp4"
    env.upload(sample.path, key, subtitles=sample.subtitles)
    # WHEN the worker drains the queue
    stats = env.worker().run(until_idle=True)
    # THEN the job completed in PostgreSQL, for the decoded key
    assert stats.failed == 0 and stats.received >= 1
    job = env.only_job()
    assert (job.status, job.key, job.attempts) == ("completed", key, 1)
    assert job.progress == pytest.approx(1.0) and job.chunk_count and job.chunk_count > 0
    assert job.recorded_at is not None and job.recorded_at.year == 2026  # from the file, not the upload time
    # AND the diary and keyframes are in the bucket under results/<owner>/<video_id>/ (legacy key: local)
    prefix = f"results/local/{job.video_id}/"
    keys = env.keys(prefix)
    assert {prefix + "summary.json", prefix + "summary.md"} <= set(keys)
    assert any(k.startswith(prefix + "keyframes/") and k.endswith(".jpg") for k in keys)
    assert job.result_keys["markdown"] == prefix + "summary.md"
    markdown = env.cloud.s3.get_object(Bucket=env.bucket, Key=prefix + "summary.md")["Body"].read().decode()
    assert markdown.startswith("# Daily Summary: 2026-05-02")
    summary = json.loads(
        env.cloud.s3.get_object(Bucket=env.bucket, Key=prefix + "summary.json")["Body"].read()
    )
    assert summary["video_id"] == job.video_id
    # AND every chunk is in FAISS, and a search finds the moment the purchase was mentioned
    assert len(env.vector_ids(job.video_id)) == job.chunk_count
    runtime = get_runtime()
    results = semantic_search(
        "buy compost and a watering can", store=runtime.store, embedder=runtime.embedder, top_k=3
    )
    assert results and results[0].video_id == job.video_id
    assert any("compost" in r.text.lower() for r in results)
    buy_cue = sample.cues[1]
    assert any(r.start <= buy_cue[0] + 0.5 and r.end >= buy_cue[1] - 0.5 for r in results)
    # AND no checkpoint or temp file is left behind
    assert env.keys(f"state/{job.video_id}/") == []
    assert list(env.lambda_tmp.iterdir()) == []


def _notification_bodies(env: Env) -> list[str]:
    return [m["Body"] for m in env.cloud.drain()]


def test_same_object_delivered_twice_gives_one_job_and_one_vector_set(env, sample):
    # GIVEN an upload whose notification S3 delivers twice (at-least-once: a duplicate is a new message)
    env.upload(sample.path, "uploads/twice.mp4", subtitles=sample.subtitles)
    (body,) = _notification_bodies(env)
    for _ in range(2):
        env.cloud.sqs.send_message(QueueUrl=env.cloud.resources.queue_url, MessageBody=body)
    # WHEN the worker processes both (in one batch, then any retries)
    worker = env.worker(batch_size=1)
    stats = worker.run(until_idle=True)
    # THEN one job did the work once; the duplicate was acknowledged as already completed
    assert stats.failed == 0 and stats.succeeded == 2
    job = env.only_job()
    assert (job.status, job.attempts) == ("completed", 1)
    assert len(env.vector_ids(job.video_id)) == job.chunk_count


def test_duplicate_while_another_attempt_is_live_is_retried_later(env_factory, sample):
    env = env_factory(visibility_timeout=1)
    env.upload(sample.path, "uploads/busy.mp4", subtitles=sample.subtitles)
    (body,) = _notification_bodies(env)
    env.cloud.sqs.send_message(QueueUrl=env.cloud.resources.queue_url, MessageBody=body)
    worker = env.worker()
    jobs = get_runtime().jobs
    # GIVEN another live worker holds the claim of this very object
    ref = json.loads(body)["Records"][0]["s3"]["object"]
    other = jobs.claim(
        bucket=env.bucket,
        key="uploads/busy.mp4",
        version=ref.get("versionId") or ref["eTag"],
        worker_id="other-worker/1",
        stale_after=900,
    )
    assert other.outcome == "claimed"
    # WHEN our worker receives the message
    first = worker.invoke(worker.receive())
    # THEN it neither processes nor acknowledges: the record is reported failed, to come back later
    assert len(first.failed_ids) == 1
    assert jobs.get(other.job.id).claimed_by == "other-worker/1"
    # WHEN the other attempt gives up (transient failure) and the message comes back
    jobs.abandon(other.job.id, worker_id="other-worker/1", error="TransientError: simulated")
    stats = worker.run(until_idle=True, wait_for_retries=True, max_seconds=30)
    # THEN it is processed exactly once more
    job = jobs.get(other.job.id)
    assert job.status == "completed" and job.attempts == 2
    assert stats.succeeded == 1
    assert len(env.vector_ids(job.video_id)) == job.chunk_count


@pytest.mark.parametrize(
    "key",
    ["uploads/my video+1 été.mp4", "uploads/LOUD DAY.MP4", "uploads/2026/a%20b.mov"],
    ids=["space-plus-unicode", "upper-case-suffix", "percent-literal"],
)
def test_awkward_keys_are_decoded_and_processed(env, sample, key):
    env.upload(sample.path, key, subtitles=sample.subtitles)
    stats = env.worker().run(until_idle=True)
    job = env.only_job()
    assert stats.failed == 0
    assert (job.key, job.status) == (key, "completed")


def test_key_outside_uploads_is_acknowledged_without_a_job(env, sample, event_fixture):
    # GIVEN an event for a key outside uploads/ (a misconfigured notification elsewhere)
    env.cloud.s3.upload_file(str(sample.path), env.bucket, "elsewhere/clip.mp4")
    body = json.loads(event_fixture("sqs_s3_put.json")["Records"][0]["body"])
    body["Records"][0]["s3"]["bucket"]["name"] = env.bucket
    body["Records"][0]["s3"]["object"]["key"] = "elsewhere/clip.mp4"
    env.cloud.sqs.send_message(QueueUrl=env.cloud.resources.queue_url, MessageBody=json.dumps(body))
    stats = env.worker().run(until_idle=True)
    assert (stats.succeeded, stats.failed) == (1, 0)
    assert env.jobs() == []


def _assert_failed_once(env: Env, stats, fragment: str) -> None:
    # Permanent input problems are acknowledged (no retry, nothing in the DLQ) and recorded on the job.
    assert stats.failed == 0
    job = env.only_job()
    assert job.status == "failed" and job.attempts == 1
    assert fragment in job.error
    assert env.cloud.count(env.cloud.resources.queue_url) == 0
    assert env.cloud.count(env.cloud.resources.dlq_url) == 0
    assert env.vector_ids(job.video_id) == []


@pytest.mark.parametrize(
    "make, fragment",
    [
        ("zero_bytes", "EmptyFileError"),
        ("text_as_video", "CorruptVideoError"),
        ("truncated_video", "CorruptVideoError"),
        ("audio_only", "NoVideoStreamError"),
    ],
)
def test_bad_media_fails_the_job_without_retry(env, media, make, fragment):
    env.upload(getattr(media, make)(), f"uploads/bad-{make}.mp4")
    stats = env.worker().run(until_idle=True)
    _assert_failed_once(env, stats, fragment)
    # The upload is tagged, so the bucket's lifecycle expires it (every other upload is kept: a diary
    # plays it).
    from lifestream.core.constants import FAILED_UPLOAD_TAG

    tags = env.cloud.s3.get_object_tagging(Bucket=env.bucket, Key=f"uploads/bad-{make}.mp4")["TagSet"]
    assert {t["Key"]: t["Value"] for t in tags} == {FAILED_UPLOAD_TAG[0]: FAILED_UPLOAD_TAG[1]}


def test_object_deleted_before_processing(env, sample):
    env.upload(sample.path, "uploads/gone.mp4")
    env.cloud.s3.delete_object(Bucket=env.bucket, Key="uploads/gone.mp4")
    stats = env.worker().run(until_idle=True)
    _assert_failed_once(env, stats, "ObjectNotFoundError")


def test_declared_size_over_the_limit_is_refused_before_download(env, sample):
    # GIVEN a notification declaring a 2 GB object (S3 reports the size; we do not upload 2 GB to moto)
    env.upload(sample.path, "uploads/huge.mp4")
    (body,) = _notification_bodies(env)
    event = json.loads(body)
    event["Records"][0]["s3"]["object"]["size"] = 2 * 1024**3
    env.cloud.sqs.send_message(QueueUrl=env.cloud.resources.queue_url, MessageBody=json.dumps(event))
    stats = env.worker().run(until_idle=True)
    _assert_failed_once(env, stats, "UnsupportedFileError")
    assert "2,147,483,648 bytes" in env.only_job().error


def test_actual_size_over_the_limit_is_refused_from_head_object(env, sample):
    # GIVEN a limit smaller than the real object (HeadObject's ContentLength is the authority)
    env.upload(sample.path, "uploads/too-big.mp4")
    (body,) = _notification_bodies(env)
    event = json.loads(body)
    event["Records"][0]["s3"]["object"].pop("size")  # the event does not say; HeadObject must
    env.cloud.sqs.send_message(QueueUrl=env.cloud.resources.queue_url, MessageBody=json.dumps(event))
    stats = env.worker(max_video_bytes=1000).run(until_idle=True)
    _assert_failed_once(env, stats, "LIFESTREAM_MAX_VIDEO_BYTES")


class ShortInvocation(LocalLambdaContext):
    """A Lambda context whose clock advances one step per look: each invocation allows a few units of work,
    whatever this machine's speed."""

    def __init__(self, *, start_seconds: float, step_seconds: float) -> None:
        super().__init__(function_name="worker", timeout_seconds=start_seconds)
        self.start, self.step, self.looks = start_seconds, step_seconds, 0

    def get_remaining_time_in_millis(self) -> int:
        left = self.start - self.step * self.looks
        self.looks += 1
        return int(left * 1000)


def test_long_video_completes_across_several_invocations(env, sample):
    # GIVEN invocations that fall below the 60 s safety margin at the second look at the clock:
    # each may start its record and finish only one unit of work
    env.upload(sample.path, "uploads/long day.mp4", subtitles=sample.subtitles)
    worker = env.worker(worker_safety_margin_seconds=60.0)
    worker.context_factory = lambda: ShortInvocation(start_seconds=60.5, step_seconds=1.0)
    continuations: list[dict] = []
    original = worker.invoke

    def spy(messages):
        for m in messages:
            body = json.loads(m["Body"])
            if body.get("kind") == "lifestream.continuation":
                continuations.append(body)
        return original(messages)

    worker.invoke = spy
    # WHEN the worker drains the queue
    stats = worker.run(until_idle=True)
    # THEN the job went through several continuation messages, each one hop further, and completed once
    assert stats.failed == 0
    assert len(continuations) >= 3
    assert [c["hop"] for c in continuations] == list(range(1, len(continuations) + 1))
    assert len({(c["stage"], c["offset"]) for c in continuations}) == len(continuations)  # always further
    job = env.only_job()
    assert job.status == "completed", job.error
    assert job.attempts == len(continuations) + 1
    assert len(env.vector_ids(job.video_id)) == job.chunk_count
    assert env.keys(f"state/{job.video_id}/") == []
    summary = json.loads(
        env.cloud.s3.get_object(Bucket=env.bucket, Key=job.result_keys["json"])["Body"].read()
    )
    assert "compost" in json.dumps(summary).lower()


def test_records_met_too_late_in_a_batch_are_handed_to_a_fresh_invocation(env, sample):
    # GIVEN two uploads in one batch and invocations with time for one unit of work only
    env.upload(sample.path, "uploads/first.mp4", subtitles=sample.subtitles)
    env.upload(sample.path, "uploads/second.mp4", subtitles=sample.subtitles)
    worker = env.worker(worker_safety_margin_seconds=60.0)
    worker.context_factory = lambda: ShortInvocation(start_seconds=60.5, step_seconds=1.0)
    stages: list[str] = []
    original = worker.invoke

    def spy(messages):
        stages.extend(json.loads(m["Body"]).get("stage", "") for m in messages)
        return original(messages)

    worker.invoke = spy
    # WHEN the worker drains the queue
    stats = worker.run(until_idle=True)
    # THEN the record found without time was passed on untouched, and both videos completed
    assert stats.failed == 0
    assert "not-started" in stages
    assert sorted((j.key, j.status) for j in env.jobs()) == [
        ("uploads/first.mp4", "completed"),
        ("uploads/second.mp4", "completed"),
    ]


def test_database_down_is_retried_then_succeeds(env_factory, sample, postgres_server):
    env = env_factory(visibility_timeout=1, max_receive_count=5)
    env.upload(sample.path, "uploads/db-restart.mp4", subtitles=sample.subtitles)
    worker = env.worker()
    get_runtime().jobs.list_jobs()  # the pool holds connections that the restart will break
    # GIVEN the database goes down
    postgres_server.stop()
    try:
        # WHEN the worker receives the upload
        first = worker.invoke(worker.receive(wait_seconds=2))
        # THEN the record is reported for SQS to retry (a partial failure, not a Lambda error)
        assert len(first.failed_ids) == 1 and first.crashed is None
    finally:
        postgres_server.start()
    # WHEN the database is back and the message returns
    stats = worker.run(until_idle=True, wait_for_retries=True, max_seconds=60)
    # THEN it is processed once
    assert stats.succeeded == 1
    job = env.only_job()
    assert job.status == "completed" and job.attempts == 1
    assert env.cloud.count(env.cloud.resources.dlq_url) == 0


def test_direct_handler_call_reports_partial_failures(env, sample, event_fixture):
    # GIVEN a batch with a good upload and a malformed message
    env.upload(sample.path, "uploads/batch.mp4", subtitles=sample.subtitles)
    (good,) = env.cloud.drain()
    env.worker()  # installs the runtime the handler uses
    bad = event_fixture("sqs_malformed_body.json")["Records"][0]
    event = build_event([good], queue_arn=env.cloud.resources.queue_arn, region="us-east-1")
    event["Records"].append(bad)
    # WHEN the Lambda handler runs the batch
    response = load_handler()(event, LocalLambdaContext(function_name="worker", timeout_seconds=120))
    # THEN only the malformed record is reported, and the upload completed
    assert response == {"batchItemFailures": [{"itemIdentifier": bad["messageId"]}]}
    assert env.only_job().status == "completed"


def test_log_lines_carry_job_id_key_and_message_id(env, sample):
    import io
    import logging

    from lifestream.worker.log import logger

    # The logger's own handler writes to the stdout of its creation; listen beside it with its formatter.
    stream = io.StringIO()
    listener = logging.StreamHandler(stream)
    listener.setFormatter(logger.registered_formatter)
    logger.setLevel("INFO")
    logger._logger.addHandler(listener)
    try:
        env.upload(sample.path, "uploads/logged day.mp4", subtitles=sample.subtitles)
        env.cloud.sqs.send_message(  # processed after the upload, in its own invocation
            QueueUrl=env.cloud.resources.queue_url,
            MessageBody=json.dumps({"Service": "Amazon S3", "Event": "s3:TestEvent", "Bucket": env.bucket}),
        )
        env.worker(batch_size=1).run(until_idle=True)
    finally:
        logger._logger.removeHandler(listener)
    lines = [json.loads(line) for line in stream.getvalue().splitlines() if line.startswith("{")]
    job = env.only_job()
    claimed = [line for line in lines if line.get("message") == "claimed"]
    completed = [line for line in lines if line.get("message") == "completed"]
    assert claimed and completed
    for line in claimed + completed:
        assert line["job_id"] == job.id
        assert line["key"] == "uploads/logged day.mp4"
        assert line["message_id"]
        assert line["function_name"] == env.settings.names.worker_function
    # AND keys do not leak into the next record's lines
    acknowledged = [line for line in lines if line.get("message") == "s3:TestEvent acknowledged"]
    assert acknowledged and all("job_id" not in line for line in acknowledged)


def _assert_only_the_new_version(env: Env, key: str, new_duration: float, old_video_ids: list[str]) -> None:
    # One job — the new object's — with its results and vectors; nothing of the older version remains.
    job = env.only_job()
    assert (job.status, job.key) == ("completed", key), job.error
    assert job.duration == pytest.approx(new_duration, abs=0.5)
    assert len(env.vector_ids(job.video_id)) == job.chunk_count
    assert {job.result_keys["json"], job.result_keys["markdown"]} <= set(
        env.keys(f"results/local/{job.video_id}/")
    )
    for old in old_video_ids:
        assert old != job.video_id
        assert env.vector_ids(old) == []
        assert env.keys(f"results/local/{old}/") == [] and env.keys(f"state/{old}/") == []
    assert env.cloud.count(env.cloud.resources.dlq_url) == 0


def test_an_unversioned_event_overwritten_before_processing_is_superseded(env, sample, media):
    # GIVEN a key uploaded twice with different videos before the worker runs: two events, whose
    # records name no version id (moto's, like an unversioned bucket's), only the ETags
    key = "uploads/overwritten.mp4"
    env.upload(sample.path, key, subtitles=sample.subtitles)
    env.upload(media.several_scenes_video(), key)
    bodies = [json.loads(m["Body"]) for m in env.cloud.drain()]
    objects = [b["Records"][0]["s3"]["object"] for b in bodies if "Records" in b]
    assert len(objects) == 2 and all("versionId" not in o for o in objects)
    assert objects[0]["eTag"] != objects[1]["eTag"]
    for body in bodies:
        env.cloud.sqs.send_message(QueueUrl=env.cloud.resources.queue_url, MessageBody=json.dumps(body))
    worker = env.worker(batch_size=1)
    # WHEN the worker takes the first event
    first = worker.invoke(worker.receive())
    # THEN it is acknowledged as superseded: nothing processed under the newer object's content
    assert (first.received, first.deleted, first.crashed) == (1, 1, None)
    assert env.jobs() == [] and env.keys("results/") == []
    # WHEN the rest of the queue is drained
    stats = worker.run(until_idle=True)
    # THEN the second event processed the new video
    assert (stats.succeeded, stats.failed, stats.crashes) == (2, 0, 0)
    from lifestream.media.probe import probe

    new = env.only_job()
    assert new.version.strip('"') == objects[1]["eTag"].strip('"')
    second = probe(media.several_scenes_video()).duration
    assert abs(second - sample.duration) > 2  # the two videos can be told apart by their length
    _assert_only_the_new_version(env, key, second, [])


def test_a_versioned_event_for_a_version_overwritten_since_is_superseded(env, sample, media):
    # GIVEN a video uploaded, then overwritten by another one under the same key
    key = "uploads/overwritten.mp4"
    env.upload(sample.path, key, subtitles=sample.subtitles)
    (first_body,) = _notification_bodies(env)
    heads = env.cloud.s3.list_object_versions(Bucket=env.bucket, Prefix=key)["Versions"]
    (first_version,) = [v["VersionId"] for v in heads if v["Key"] == key]
    env.cloud.s3.upload_file(str(media.several_scenes_video()), env.bucket, key)
    env.cloud.drain()
    # AND the first upload's event names its version id (as S3 does for versioned buckets; moto omits it)
    event = json.loads(first_body)
    event["Records"][0]["s3"]["object"]["versionId"] = first_version
    env.cloud.sqs.send_message(QueueUrl=env.cloud.resources.queue_url, MessageBody=json.dumps(event))
    # WHEN it is processed
    stats = env.worker().run(until_idle=True)
    # THEN it is acknowledged without work: the key's memory is its newest version, whose own event does it
    assert (stats.succeeded, stats.failed) == (1, 0)
    assert env.jobs() == []
    assert env.keys("results/") == [] and env.keys("state/") == []


def test_a_new_version_of_a_key_replaces_the_old_versions_memory(env, sample, media):
    # GIVEN a video processed under a key
    key = "uploads/replaced.mp4"
    env.upload(sample.path, key, subtitles=sample.subtitles)
    env.worker().run(until_idle=True)
    old = env.only_job()
    assert old.status == "completed" and env.vector_ids(old.video_id)
    assert env.keys(f"results/local/{old.video_id}/")
    # WHEN the key is overwritten with another video and that is processed
    other = media.several_scenes_video()
    env.upload(other, key)
    stats = env.worker().run(until_idle=True)
    # THEN the new version's job, vectors and results are there, and the old version's are gone
    assert (stats.failed, stats.crashes) == (0, 0)
    from lifestream.media.probe import probe

    _assert_only_the_new_version(env, key, probe(other).duration, [old.video_id])
    # AND a late redelivery of the old version's event is acknowledged as superseded, re-adding nothing
    event = {
        "Records": [
            {
                "eventName": "ObjectCreated:Put",
                "s3": {
                    "bucket": {"name": env.bucket},
                    "object": {"key": key, "eTag": old.version, "size": old.size},
                },
            }
        ]
    }
    env.cloud.sqs.send_message(QueueUrl=env.cloud.resources.queue_url, MessageBody=json.dumps(event))
    assert env.worker().run(until_idle=True).succeeded == 1
    _assert_only_the_new_version(env, key, probe(other).duration, [old.video_id])


def test_a_stale_worker_that_lost_its_claim_stops_without_touching_the_new_holders_job(env, sample):
    from datetime import timedelta

    from lifestream.jobs import JobStore
    from lifestream.jobs.schema import utcnow
    from lifestream.worker import configure

    env.upload(sample.path, "uploads/taken-over.mp4", subtitles=sample.subtitles)
    worker = env.worker()
    # A second worker whose clock is an hour ahead: for it, our worker's claim is long stale.
    later = JobStore(env.settings.database_url, clock=lambda: utcnow() + timedelta(hours=1))
    taken: list = []

    def take_over(key: str, stage: str, fraction: float) -> None:
        # GIVEN our worker stalls in the middle of the job and the other worker takes the job over
        if stage == "summarize" and not taken:
            job = get_runtime().jobs.list_jobs()[0]
            claim = later.claim(
                bucket=job.bucket, key=job.key, version=job.version, worker_id="new-holder", stale_after=60
            )
            assert claim.claimed and claim.resumed
            later.update_progress(job.id, worker_id="new-holder", stage="vision", progress=0.5)
            taken.append(later.get(job.id))

    configure(worker.settings, embedder=env.embedder, tmp_root=env.lambda_tmp, progress_listener=take_over)
    # WHEN our (now stale) worker carries on
    stats = worker.run(until_idle=True)
    # THEN it acknowledged its message without an error and wrote nothing: the job is the holder's,
    # exactly as the holder left it, and no results were published under it
    assert taken, "the take-over never happened"
    assert (stats.succeeded, stats.failed, stats.crashes) == (1, 0, 0)
    job = env.only_job()
    assert job == taken[0]
    assert (job.status, job.claimed_by, job.stage) == ("processing", "new-holder", "vision")
    assert env.keys(f"results/local/{job.video_id}/") == []
    later.close()


def test_the_handler_reports_a_wholly_failed_batch_instead_of_raising(env, event_fixture):
    # GIVEN a batch of one record that fails (batch size 1: every failure is a whole batch failing)
    env.worker()  # installs the runtime the handler uses
    bad = event_fixture("sqs_malformed_body.json")["Records"][0]
    # WHEN the Lambda handler runs it
    response = load_handler()(
        {"Records": [bad]}, LocalLambdaContext(function_name="worker", timeout_seconds=120)
    )
    # THEN the record is reported for retry; the invocation itself succeeds (no Lambda error, no page)
    assert response == {"batchItemFailures": [{"itemIdentifier": bad["messageId"]}]}


def test_one_message_with_a_good_and_a_bad_object_settles_both(env, sample, media):
    # GIVEN one S3 message naming two uploads: a good video and an empty file
    env.upload(sample.path, "uploads/good.mp4", subtitles=sample.subtitles)
    env.upload(media.zero_bytes(), "uploads/empty.mp4")
    bodies = [json.loads(m["Body"]) for m in env.cloud.drain()]
    merged = {"Records": [r for b in bodies for r in b["Records"]]}
    assert len(merged["Records"]) == 2
    env.cloud.sqs.send_message(QueueUrl=env.cloud.resources.queue_url, MessageBody=json.dumps(merged))
    # WHEN it is processed
    stats = env.worker().run(until_idle=True)
    # THEN the message is acknowledged: one job completed, the other failed for its own reason
    assert (stats.succeeded, stats.failed) == (1, 0)
    outcome = {j.key: (j.status, j.error or "") for j in env.jobs()}
    assert outcome["uploads/good.mp4"][0] == "completed"
    assert outcome["uploads/empty.mp4"][0] == "failed" and "EmptyFileError" in outcome["uploads/empty.mp4"][1]


def test_a_continuation_that_cannot_be_sent_leaves_the_message_to_resume_the_job(env_factory, sample):
    from lifestream.worker import configure

    env = env_factory(visibility_timeout=1)
    env.upload(sample.path, "uploads/handover.mp4", subtitles=sample.subtitles)
    worker = env.worker(worker_safety_margin_seconds=60.0)
    worker.context_factory = lambda: ShortInvocation(start_seconds=60.5, step_seconds=1.0)
    # GIVEN the handler's queue for continuations does not exist (the hand-over will fail)
    broken = worker.settings.model_copy(update={"queue_url": env.cloud.resources.queue_url + "-missing"})
    configure(broken, embedder=env.embedder, tmp_root=env.lambda_tmp)
    # WHEN the first invocation runs out of time
    first = worker.invoke(worker.receive(wait_seconds=2))
    # THEN the record fails, and the job is free again with the reason recorded
    assert len(first.failed_ids) == 1 and first.crashed is None
    job = env.only_job()
    assert job.status == "queued" and job.claimed_by is None and "QueueDoesNotExist" in job.error
    # WHEN the queue is right again and the message comes back
    configure(worker.settings, embedder=env.embedder, tmp_root=env.lambda_tmp)
    worker.run(until_idle=True, wait_for_retries=True, max_seconds=60)
    # THEN the job resumes and completes
    job = env.only_job()
    assert job.status == "completed", job.error
    assert len(env.vector_ids(job.video_id)) == job.chunk_count


def test_database_restart_in_the_middle_of_a_job(env_factory, sample, postgres_server):
    from lifestream.worker import configure

    env = env_factory(visibility_timeout=1, max_receive_count=5)
    env.upload(sample.path, "uploads/db-restart-mid-job.mp4", subtitles=sample.subtitles)
    worker = env.worker()
    restarted: list[str] = []

    def restart_once(key: str, stage: str, fraction: float) -> None:
        # GIVEN the database restarts while the job is being processed (pooled connections die)
        if stage == "summarize" and not restarted:
            postgres_server.restart()
            restarted.append(stage)

    configure(worker.settings, embedder=env.embedder, tmp_root=env.lambda_tmp, progress_listener=restart_once)
    # WHEN the worker runs until nothing is left
    worker.run(until_idle=True, wait_for_retries=True, max_seconds=60)
    # THEN the restart happened and the job still completed, once, with one set of vectors
    assert restarted == ["summarize"]
    job = env.only_job()
    assert job.status == "completed", job.error
    assert job.attempts <= 2
    assert len(env.vector_ids(job.video_id)) == job.chunk_count
    assert env.cloud.count(env.cloud.resources.dlq_url) == 0
