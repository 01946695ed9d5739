"""Unit: parsing SQS message bodies (shared Lambda events in tests/events/)."""

from __future__ import annotations

import json

import pytest

from lifestream.core.constants import is_video_key
from lifestream.worker.events import (
    Continuation,
    MalformedMessageError,
    ObjectEvents,
    S3TestEvent,
    parse_body,
)


def _bodies(event: dict) -> list[str]:
    return [record["body"] for record in event["Records"]]


def test_s3_put_event_gives_one_object_with_version_and_size(event_fixture):
    # GIVEN an S3 put notification delivered through SQS
    (body,) = _bodies(event_fixture("sqs_s3_put.json"))
    # WHEN it is parsed
    message = parse_body(body)
    # THEN the object is named with its decoded key ('+' is a space) and its version id
    assert isinstance(message, ObjectEvents)
    (ref,) = message.objects
    assert ref.key == "uploads/2026-11-20/morning walk.mp4"
    assert ref.version == ref.version_id == "3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY"
    assert ref.size == 1048576
    assert ref.bucket == "lifestream-local-videos-123456789012"
    assert ref.event_time is not None and ref.event_time.year == 2026


def test_test_event_is_recognised(event_fixture):
    (body,) = _bodies(event_fixture("sqs_s3_test_event.json"))
    message = parse_body(body)
    assert isinstance(message, S3TestEvent)
    assert message.bucket == "lifestream-local-videos-123456789012"


def test_several_records_per_message_and_removals_are_ignored(event_fixture):
    first, second = _bodies(event_fixture("sqs_s3_multi_record.json"))
    message = parse_body(first)
    assert [o.key for o in message.objects] == ["uploads/day1.mp4", "uploads/day2.MOV"]
    assert [o.version for o in message.objects] == ["v-day1", "v-day2"]
    assert len(message.ignored) == 1 and "ObjectRemoved" in message.ignored[0]
    assert [o.key for o in parse_body(second).objects] == ["uploads/day3.mkv"]


def test_url_encoded_key_with_slash_plus_unicode_and_upper_suffix(event_fixture):
    # GIVEN moto's encoding: '/' as %2F, spaces as '+', a literal '+' as %2B, UTF-8 percent-encoded
    (body,) = _bodies(event_fixture("sqs_s3_encoded_key.json"))
    (ref,) = parse_body(body).objects
    # THEN the key is the real one, and the unversioned object falls back to its ETag as version
    assert ref.key == "uploads/my video+1 été.MP4"
    assert ref.version == "336311a016184326ddbdd61edd4eeb52"
    assert ref.version_id is None
    assert is_video_key(ref.key)


def test_continuation_round_trips(event_fixture):
    (body,) = _bodies(event_fixture("sqs_continuation.json"))
    message = parse_body(body)
    assert isinstance(message, Continuation)
    assert (message.stage, message.offset, message.hop) == ("transcribe", 120.0, 2)
    assert message.object.key == "uploads/long day.mp4"
    assert parse_body(message.to_body()) == message


@pytest.mark.parametrize("index", [0, 1])
def test_malformed_bodies_raise_a_typed_error(event_fixture, index):
    body = _bodies(event_fixture("sqs_malformed_body.json"))[index]
    with pytest.raises(MalformedMessageError):
        parse_body(body)


@pytest.mark.parametrize(
    "body, fragment",
    [
        ("[1, 2]", "not an object"),
        (json.dumps({"Records": [{"eventName": "ObjectCreated:Put", "s3": {}}]}), "lacks s3.bucket.name"),
        (
            json.dumps(
                {
                    "Records": [
                        {
                            "eventName": "ObjectCreated:Put",
                            "s3": {"bucket": {"name": "b"}, "object": {"key": "uploads/a.mp4"}},
                        }
                    ]
                }
            ),
            "neither versionId nor eTag",
        ),
        (json.dumps({"kind": "lifestream.continuation", "bucket": "b"}), "continuation message is invalid"),
    ],
)
def test_malformed_messages_say_what_is_wrong(body, fragment):
    with pytest.raises(MalformedMessageError, match=fragment):
        parse_body(body)


def test_sns_envelope_is_unwrapped(event_fixture):
    (inner,) = _bodies(event_fixture("sqs_s3_put.json"))
    wrapped = json.dumps({"Type": "Notification", "MessageId": "x", "Message": inner})
    assert parse_body(wrapped).objects[0].key == "uploads/2026-11-20/morning walk.mp4"


@pytest.mark.parametrize(
    "key, accepted",
    [
        ("uploads/a.mp4", True),
        ("uploads/A.MP4", True),
        ("UPLOADS/a.mov", True),
        ("results/a.mp4", False),
        ("uploads/a.srt", False),
        ("a.mp4", False),
    ],
)
def test_prefix_and_suffix_recheck_is_case_insensitive(key, accepted):
    assert is_video_key(key) is accepted


def test_the_handler_module_imports_nothing_heavy():
    # A cold start pays for every module the handler imports; the database, media and model libraries load
    # on first use (an s3:TestEvent needs none of them).
    import subprocess
    import sys
    from pathlib import Path

    repo = Path(__file__).resolve().parents[2]
    code = (
        "import importlib.util, sys\n"
        "spec = importlib.util.spec_from_file_location('w', 'lambda_src/worker.py')\n"
        "spec.loader.exec_module(importlib.util.module_from_spec(spec))\n"
        "heavy = ('sqlalchemy', 'psycopg', 'av', 'faiss', 'numpy', 'onnxruntime', 'torch')\n"
        "print([m for m in heavy if m in sys.modules])\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=repo, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
