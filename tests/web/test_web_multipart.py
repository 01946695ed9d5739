"""A multipart upload from the browser, the way a file over S3's 5 GB POST limit goes up: Chromium PUTs
each part straight to the local bucket through its presigned URL, across origins, under the CORS rule that
`lifestream serve` applies, which is the stack's rule for the site (one set of constants; the two are held
equal by tests/infra/test_storage_stack.py). The limits are scaled down by settings: a 1 MiB POST limit
and 5 MiB parts (S3's smallest), so a 6 MiB file is two parts.
"""

from __future__ import annotations

import os

import boto3
import pytest

from tests.web.conftest import running_site

MIB = 1024 * 1024


@pytest.fixture(scope="module")
def multipart_site(moto_endpoint, postgres_server, tmp_path_factory):
    with running_site(
        moto_endpoint,
        postgres_server,
        tmp_path_factory.mktemp("web-multipart"),
        LIFESTREAM_UPLOAD_POST_LIMIT_BYTES=str(MIB),
        LIFESTREAM_UPLOAD_PART_BYTES=str(5 * MIB),
    ) as running:
        yield running


def test_a_multipart_upload_from_the_browser_reaches_the_bucket(multipart_site, tmp_path):
    site = multipart_site
    video = tmp_path / "long-walk.mp4"
    video.write_bytes(os.urandom(6 * MIB + 123))
    bucket = site.env["LIFESTREAM_BUCKET"]
    page = site.new_page()
    puts: list[int] = []
    page.on(
        "requestfinished",
        lambda r: puts.append(r.response().status) if r.method == "PUT" and f"/{bucket}/" in r.url else None,
    )
    try:
        page.goto(f"{site.url}/upload")
        page.get_by_role("heading", name="Upload").wait_for()
        page.locator("input[type=file]").set_input_files([str(video)])
        row = page.locator(".upload", has_text="long-walk.mp4")
        # The bytes are up, and the job followed: the worker read them (random bytes fail as a video).
        row.locator(".upload-status", has_text="cannot be read as a video").wait_for(timeout=60_000)
    finally:
        page.close()
    # Two parts, each PUT by the page itself across origins, and completed through the API.
    assert puts == [200, 200]
    assert site.console_errors == [], "console errors (a CORS refusal shows here)"
    s3 = boto3.client("s3", endpoint_url=site.env["LIFESTREAM_AWS_ENDPOINT_URL"], region_name="us-east-1")
    (key,) = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", []) if o["Key"].endswith("long-walk.mp4")]
    assert s3.head_object(Bucket=bucket, Key=key)["ContentLength"] == video.stat().st_size
