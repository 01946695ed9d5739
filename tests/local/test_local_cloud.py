"""Functional: the local cloud on a moto server over HTTP has the stacks' names, filters and redrive."""

from __future__ import annotations

import json
from urllib.parse import unquote_plus

import pytest

from lifestream.core.constants import (
    DEFAULT_MAX_RECEIVE_COUNT,
    NOTIFICATION_EVENTS,
    NOTIFICATION_SUFFIXES,
    UPLOAD_PREFIX,
)
from lifestream.local import cloud as local_cloud


def test_resources_follow_the_shared_constants(cloud_factory):
    # GIVEN a provisioned local cloud, with the stacks' maxReceiveCount (the suite's own default is lower)
    cloud = cloud_factory(max_receive_count=DEFAULT_MAX_RECEIVE_COUNT)
    r = cloud.resources
    # THEN the names are the ResourceNames of its env
    assert r.bucket == cloud.names.bucket
    assert r.queue_url.endswith("/" + cloud.names.queue)
    assert r.dlq_url.endswith("/" + cloud.names.dlq)
    # AND the bucket is versioned and notifies the queue for every video suffix under uploads/
    assert cloud.s3.get_bucket_versioning(Bucket=r.bucket)["Status"] == "Enabled"
    configs = cloud.s3.get_bucket_notification_configuration(Bucket=r.bucket)["QueueConfigurations"]
    suffixes = set()
    for c in configs:
        assert c["QueueArn"] == r.queue_arn
        assert sorted(c["Events"]) == sorted(NOTIFICATION_EVENTS)
        rules = {rule["Name"].lower(): rule["Value"] for rule in c["Filter"]["Key"]["FilterRules"]}
        assert rules["prefix"] == UPLOAD_PREFIX
        suffixes.add(rules["suffix"])
    assert suffixes == set(NOTIFICATION_SUFFIXES)
    # AND the queue redrives to the DLQ after the shared maxReceiveCount
    attrs = cloud.sqs.get_queue_attributes(QueueUrl=r.queue_url, AttributeNames=["All"])["Attributes"]
    policy = json.loads(attrs["RedrivePolicy"])
    assert policy["deadLetterTargetArn"] == r.dlq_arn
    assert int(policy["maxReceiveCount"]) == DEFAULT_MAX_RECEIVE_COUNT


@pytest.mark.parametrize(
    "key, notified",
    [
        ("uploads/a.mp4", True),
        ("uploads/day/B.MOV", True),
        ("uploads/c.mkv", True),
        ("uploads/notes.txt", False),
        ("uploads/a.srt", False),
        ("elsewhere/a.mp4", False),
        # S3 suffix filters are case-sensitive; only lower and UPPER are registered, and LifeStream writes
        # every key with a lower-case suffix (test_mixed_case_suffixes_uploaded_by_the_cli_are_queued).
        ("uploads/a.Mp4", False),
    ],
)
def test_notification_filters(cloud, key, notified):
    cloud.s3.put_object(Bucket=cloud.resources.bucket, Key=key, Body=b"data")
    bodies = cloud.bodies()
    assert bool(bodies) is notified
    if notified:
        assert bodies[0]["Records"][0]["eventName"].startswith("ObjectCreated")


def test_provision_is_idempotent_and_sends_no_second_test_event(cloud):
    # WHEN the same resources are provisioned again
    again = local_cloud.provision(
        cloud.resources.endpoint_url,
        names=cloud.names,
        visibility_timeout=cloud.resources.visibility_timeout,
        max_receive_count=cloud.resources.max_receive_count,
    )
    # THEN nothing changes and no new s3:TestEvent arrives
    assert again == cloud.resources
    assert cloud.bodies() == []


def test_up_status_down_runs_a_detached_moto_server(tmp_path):
    from tests.support.postgres import free_port

    state = tmp_path / "state"
    port = free_port()
    # WHEN the local cloud is started twice
    first, started = local_cloud.up(state, port=port, visibility_timeout=60)
    try:
        second, started_again = local_cloud.up(state)
        # THEN the second call reuses the running server
        assert started and not started_again
        assert second.pid == first.pid and second.port == port
        assert local_cloud.status(state) is not None
        with pytest.raises(local_cloud.LocalCloudError, match="already runs on port"):
            local_cloud.up(state, port=port + 1)
    finally:
        # AND down stops it
        assert local_cloud.down(state) is True
    assert local_cloud.status(state) is None
    assert local_cloud.down(state) is False


def test_up_refuses_a_port_taken_by_another_program(tmp_path, moto_endpoint):
    taken = int(moto_endpoint.rsplit(":", 1)[1])
    with pytest.raises(local_cloud.LocalCloudError, match="taken by another program"):
        local_cloud.up(tmp_path / "state", port=taken)


def test_bucket_contents_survive_down_and_up_without_queuing_work(tmp_path):
    import boto3

    from tests.support.postgres import free_port

    state = tmp_path / "state"
    cloud, _ = local_cloud.up(state, port=free_port(), visibility_timeout=60)
    try:
        r = cloud.resources
        s3 = boto3.client("s3", endpoint_url=r.endpoint_url, region_name=r.region)
        sqs = boto3.client("sqs", endpoint_url=r.endpoint_url, region_name=r.region)
        # GIVEN an upload and a result in the bucket
        s3.put_object(Bucket=r.bucket, Key="uploads/day one.mp4", Body=b"video bytes")
        s3.put_object(Bucket=r.bucket, Key="results/day-1/summary.md", Body=b"# Daily Summary")
        # WHEN the local cloud goes down and comes up again
        assert local_cloud.down(state) is True
        assert (state / "bucket" / "uploads" / "day one.mp4").read_bytes() == b"video bytes"
        cloud, started = local_cloud.up(state, port=cloud.port)
        assert started
        r = cloud.resources
        s3 = boto3.client("s3", endpoint_url=r.endpoint_url, region_name=r.region)
        sqs = boto3.client("sqs", endpoint_url=r.endpoint_url, region_name=r.region)
        # THEN the objects are back
        body = s3.get_object(Bucket=r.bucket, Key="results/day-1/summary.md")["Body"].read()
        assert body == b"# Daily Summary"
        assert s3.get_object(Bucket=r.bucket, Key="uploads/day one.mp4")["ContentType"] == "video/mp4"
        # AND restoring them queued nothing but the notification's own test event
        got = sqs.receive_message(QueueUrl=r.queue_url, MaxNumberOfMessages=10).get("Messages", [])
        assert [json.loads(m["Body"]).get("Event") for m in got] == ["s3:TestEvent"]
    finally:
        local_cloud.down(state, keep_data=False)
    assert local_cloud.status(state) is None


def test_mixed_case_suffixes_uploaded_by_the_cli_are_queued(cloud, settings_for, tmp_path):
    from lifestream.local.uploads import upload_videos

    video = tmp_path / "Clip.Mp4"
    video.write_bytes(b"not decoded here")
    (tmp_path / "Clip.SRT").write_text("1\n00:00:00,000 --> 00:00:01,000\nhi\n")
    (key,) = upload_videos(settings_for(cloud), [video])
    assert key == "uploads/Clip.mp4"
    records = [r for body in cloud.bodies() for r in body.get("Records", [])]
    assert [unquote_plus(r["s3"]["object"]["key"]) for r in records] == ["uploads/Clip.mp4"]
    listed = cloud.s3.list_objects_v2(Bucket=cloud.resources.bucket, Prefix="uploads/")["Contents"]
    assert sorted(o["Key"] for o in listed) == ["uploads/Clip.mp4", "uploads/Clip.srt"]


def test_the_local_cloud_answers_only_this_machine(tmp_path):
    """moto takes unsigned requests: a page that re-points its name to 127.0.0.1 (DNS rebinding) could
    list and download the raw videos, and any page could POST a form into the bucket."""
    import boto3
    import httpx

    from tests.support.postgres import free_port

    state = tmp_path / "state"
    cloud, _ = local_cloud.up(state, port=free_port(), visibility_timeout=60)
    try:
        r = cloud.resources
        boto3.client("s3", endpoint_url=r.endpoint_url, region_name=r.region).put_object(
            Bucket=r.bucket, Key="uploads/walk.mp4", Body=b"video bytes"
        )
        listing = f"{r.endpoint_url}/{r.bucket}?list-type=2"
        # A rebound page names its own host: refused, so it lists nothing. (moto reads a name holding
        # "localhost" or an address as path-style, so such an attacker's name used to list the bucket.)
        for name in ("localhost.rebind.example", "127.0.0.1.nip.io", "rebind.example"):
            rebound = httpx.get(listing, headers={"Host": f"{name}:{cloud.port}"}, timeout=10)
            assert rebound.status_code == 400 and "walk.mp4" not in rebound.text, name
        # A page of another site posting a form into the bucket: refused before moto sees it.
        form = httpx.post(
            f"{r.endpoint_url}/{r.bucket}",
            data={"key": "uploads/planted.mp4"},
            files={"file": ("planted.mp4", b"not yours")},
            headers={"Origin": "https://evil.example"},
            timeout=10,
        )
        assert form.status_code == 403
        assert "planted" not in httpx.get(listing, timeout=10).text
        # The web app on this machine (either loopback name) and SDK clients are served as before.
        for origin in ("http://127.0.0.1:8000", "http://localhost:8000", None):
            headers = {"Origin": origin} if origin else {}
            assert "walk.mp4" in httpx.get(listing, headers=headers, timeout=10).text, origin
    finally:
        local_cloud.down(state)
