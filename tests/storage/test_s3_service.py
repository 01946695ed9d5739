"""S3Service against a real moto server over HTTP (no in-process mocks)."""

from __future__ import annotations

import json
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from botocore.stub import Stubber

from lifestream.core.errors import AccessDeniedError, ObjectNotFoundError, StorageError
from lifestream.core.settings import load_settings
from lifestream.storage.s3_service import S3Service


@pytest.fixture
def s3(moto_endpoint) -> S3Service:
    bucket = f"test-{uuid.uuid4().hex[:12]}"
    service = S3Service(bucket, region="us-east-1", endpoint_url=moto_endpoint)
    service.client.create_bucket(Bucket=bucket)
    service.client.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    return service


def test_upload_with_metadata_then_head_and_download(s3, tmp_path):
    # GIVEN a local video file
    src = tmp_path / "clip.mp4"
    src.write_bytes(b"\x00\x01video-bytes" * 1000)

    # WHEN it is uploaded with user metadata
    meta = s3.upload_file(src, "uploads/my clip+1.mp4", metadata={"recorded-at": "2026-11-24T10:00:00Z"})

    # THEN head reports size, inferred content type, etag, version and metadata
    assert meta.size == src.stat().st_size
    assert meta.content_type == "video/mp4"
    assert meta.etag and meta.version_id
    assert meta.metadata == {"recorded-at": "2026-11-24T10:00:00Z"}
    assert meta.last_modified is not None
    out = s3.download_file("uploads/my clip+1.mp4", tmp_path / "out" / "copy.mp4")
    assert out.read_bytes() == src.read_bytes()
    assert not (tmp_path / "out" / "copy.mp4.part").exists()


def _put(s3: S3Service, key: str, data: bytes, **extra) -> None:
    s3.client.put_object(Bucket=s3.bucket, Key=key, Body=data, **extra)


def test_text_exists_and_delete(s3):
    _put(s3, "results/v1/summary.json", b'{"a": 1}', ContentType="application/json")
    assert s3.file_exists("results/v1/summary.json")
    assert json.loads(s3.read_text("results/v1/summary.json")) == {"a": 1}
    assert s3.get_file_metadata("results/v1/summary.json").content_type == "application/json"
    assert s3.delete_files(["results/v1/summary.json"]) == 1
    assert s3.delete_files(["results/v1/summary.json"]) == 1  # idempotent, as in S3
    assert not s3.file_exists("results/v1/summary.json")


def test_missing_objects_and_buckets_are_typed_errors_naming_them(s3, tmp_path, moto_endpoint):
    with pytest.raises(ObjectNotFoundError, match=rf"s3://{s3.bucket}/nope\.mp4"):
        s3.get_file_metadata("nope.mp4")
    with pytest.raises(ObjectNotFoundError, match="nope.mp4"):
        s3.download_file("nope.mp4", tmp_path / "x.mp4")
    with pytest.raises(ObjectNotFoundError, match="nope.txt"):
        s3.read_text("nope.txt")
    missing = S3Service("no-such-bucket-xyz", region="us-east-1", endpoint_url=moto_endpoint)
    with pytest.raises(ObjectNotFoundError, match="no-such-bucket-xyz.*bucket not found"):
        list(missing.iter_files())
    with pytest.raises(StorageError, match="local file not found"):
        s3.upload_file(tmp_path / "absent.mp4", "uploads/absent.mp4")


def test_access_denied_is_its_own_error(s3):
    # moto does not enforce IAM; AWS's 403 answer is stubbed at the botocore boundary instead.
    with Stubber(s3.client) as stub:
        stub.add_client_error("head_object", service_error_code="403", http_status_code=403)
        stub.add_client_error(
            "get_object",
            service_error_code="AccessDenied",
            service_message="Access Denied",
            http_status_code=403,
        )
        with pytest.raises(AccessDeniedError, match=rf"s3://{s3.bucket}/private\.mp4"):
            s3.get_file_metadata("private.mp4")
        with pytest.raises(AccessDeniedError, match="Access Denied"):
            s3.read_text("private.mp4")


def test_listing_and_batch_delete_beyond_1000_keys(s3):
    keys = [f"state/job-{i:05d}.json" for i in range(1105)]
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda k: _put(s3, k, b"{}"), keys))
    _put(s3, "uploads/other.mp4", b"x")

    listed = list(s3.iter_files("state/"))
    assert [o.key for o in listed] == keys  # all pages, in key order
    assert all(o.size == 2 for o in listed)

    assert s3.delete_files(keys + keys[:3]) == 1105
    assert list(s3.iter_files("state/")) == []
    assert [o.key for o in s3.iter_files()] == ["uploads/other.mp4"]


def test_big_files_go_multipart(moto_endpoint, tmp_path):
    bucket = f"test-{uuid.uuid4().hex[:12]}"
    s3 = S3Service(
        bucket,
        region="us-east-1",
        endpoint_url=moto_endpoint,
        multipart_threshold=5 * 1024 * 1024,
        multipart_chunksize=5 * 1024 * 1024,
    )
    s3.client.create_bucket(Bucket=bucket)
    src = tmp_path / "big.mov"
    src.write_bytes(b"\xab" * (11 * 1024 * 1024))
    meta = s3.upload_file(src, "uploads/big.mov")
    assert meta.etag.endswith("-3")  # S3's multipart etag: md5-of-md5s plus the part count
    assert meta.content_type == "video/quicktime"
    assert s3.download_file("uploads/big.mov", tmp_path / "back.mov").stat().st_size == src.stat().st_size


def test_from_settings_uses_endpoint_and_bucket(moto_endpoint):
    settings = load_settings(bucket="from-settings-bucket", aws_endpoint_url=moto_endpoint)
    s3 = S3Service.from_settings(settings)
    s3.client.create_bucket(Bucket="from-settings-bucket")
    _put(s3, "k", b"x")
    assert s3.file_exists("k") and s3.bucket == "from-settings-bucket"


def test_other_failures_are_storage_errors_not_not_found(moto_endpoint):
    bad = S3Service("Not A Valid Bucket!", region="us-east-1", endpoint_url=moto_endpoint)
    with pytest.raises(StorageError, match="Not A Valid Bucket!") as info:
        bad.get_file_metadata("k")
    assert not isinstance(info.value, (ObjectNotFoundError, AccessDeniedError))


def test_named_profile(moto_endpoint, tmp_path, monkeypatch):
    # GIVEN credentials only under a named profile
    (tmp_path / "credentials").write_text(
        "[lifestream-test]\naws_access_key_id = AKIDPROFILE\naws_secret_access_key = s\n"
    )
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    s3 = S3Service(
        "profile-bucket", region="us-east-1", endpoint_url=moto_endpoint, profile="lifestream-test"
    )
    assert s3.client._request_signer._credentials.access_key == "AKIDPROFILE"
    s3.client.create_bucket(Bucket="profile-bucket")
    _put(s3, "k", b"x")
    assert s3.file_exists("k")


def test_versions_are_listed_and_deleted_for_good(s3):
    # GIVEN a versioned bucket holding two versions of a key, a delete marker on it, and a neighbour
    s3.client.put_bucket_versioning(Bucket=s3.bucket, VersioningConfiguration={"Status": "Enabled"})
    for body in (b"one", b"two"):
        s3.client.put_object(Bucket=s3.bucket, Key="uploads/a/talk.mp4", Body=body)
    s3.client.delete_object(Bucket=s3.bucket, Key="uploads/a/talk.mp4")
    s3.client.put_object(Bucket=s3.bucket, Key="uploads/b/other.mp4", Body=b"keep")

    found = s3.list_versions("uploads/a/")
    assert [k for k, _ in found] == ["uploads/a/talk.mp4"] * 3 and all(v for _, v in found)

    # WHEN every version is deleted, THEN nothing of the key is left (no marker either); the neighbour stays
    assert s3.delete_versions(found) == 3
    assert s3.list_versions("uploads/a/") == []
    assert [k for k, _ in s3.list_versions("uploads/")] == ["uploads/b/other.mp4"]
