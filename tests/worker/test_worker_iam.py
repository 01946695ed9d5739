"""The worker's whole job under exactly the policy its role has in the synthesized template: moto's IAM
authentication refuses what the policy does not allow, and every S3 and SQS call is recorded and held to
the template's policy as AWS authorizes it (tests/support/iam.py). The local event-source loop receives and
deletes with the same identity, as Lambda's event source mapping polls with the function's role.

Covered: the first job of an upload handed over across several invocations (continuation messages, the
checkpoint under state/), an upload that fails for good (tagged for expiry), and a new version of the key
replacing the old version's results.
"""

from __future__ import annotations

from moto.core.authorization import enable_iam_authentication

from tests.infra.conftest import synthesized  # noqa: F401 - the session's synthesized templates
from tests.support.iam import S3Calls, act_as, as_moto_authorizes, local_policy, role_statements, user_with_policy
from tests.worker.test_worker_e2e import ShortInvocation


def test_the_workers_whole_job_under_its_role(env, sample, media, synthesized, monkeypatch):  # noqa: F811
    resources = env.cloud.resources
    statements = role_statements(synthesized.template_json("dev", "Processing"), "WorkerFunction")
    policy = local_policy(
        statements,
        synthesized_env="dev",
        names=env.cloud.names,
        imports={"DeadLetterQueue": resources.dlq_arn, "Queue": resources.queue_arn},
    )
    key = "uploads/replaced.mp4"
    env.upload(sample.path, key, subtitles=sample.subtitles)  # as the browser would, before the worker acts
    env.upload(media.text_as_video(), "uploads/broken.mp4")  # fails for good: tagged for expiry
    act_as(monkeypatch, user_with_policy(resources.endpoint_url, as_moto_authorizes(policy, env.bucket), name="worker"))
    calls = S3Calls(monkeypatch)
    # WHEN the worker runs in invocations too short for the whole job (it hands over to itself)
    worker = env.worker(worker_safety_margin_seconds=60.0)
    worker.context_factory = lambda: ShortInvocation(start_seconds=60.5, step_seconds=1.0)
    with enable_iam_authentication():
        stats = worker.run(until_idle=True)
    (old,) = [j for j in env.jobs() if j.key == key]
    assert (stats.failed, stats.crashes, old.status) == (0, 0, "completed"), old.error
    assert old.attempts > 1  # handed over at least once
    (broken,) = [j for j in env.jobs() if j.key == "uploads/broken.mp4"]
    assert broken.status == "failed"
    # AND the key is overwritten with another video, which is processed
    monkeypatch.undo()  # the suite's own credentials again, for the upload
    env.upload(media.several_scenes_video(), key)
    act_as(monkeypatch, user_with_policy(resources.endpoint_url, as_moto_authorizes(policy, env.bucket), name="worker"))
    recorded = calls.calls
    calls = S3Calls(monkeypatch)
    with enable_iam_authentication():
        stats = env.worker().run(until_idle=True)
    # THEN the new version replaced the old one's results, all within the role's permissions
    assert (stats.failed, stats.crashes) == (0, 0)
    (new,) = [j for j in env.jobs() if j.key == key]
    assert new.status == "completed" and new.video_id != old.video_id
    assert env.keys(f"results/local/{old.video_id}/") == []
    calls.calls[:0] = recorded
    operations = set(calls.operations())
    assert {"HeadObject", "GetObject", "PutObject", "DeleteObjects", "ListObjectsV2", "PutObjectTagging"} <= operations
    assert {"sqs:ReceiveMessage", "sqs:SendMessage", "sqs:DeleteMessageBatch"} <= operations
    assert calls.refused_by(policy) == []
    # The failed upload carries its tag (the tagging is best effort: a refusal would only be logged). Read
    # last: the recorder records this test's own calls too.
    tags = env.cloud.s3.get_object_tagging(Bucket=env.bucket, Key=broken.key)["TagSet"]
    assert tags, "the failed upload was not tagged"
