"""`lifestream serve` serves the built page and /config.json beside the API, from one origin; deep links
get the page; the local bucket lets that origin POST its presigned uploads (CORS)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from lifestream.api import create_app
from lifestream.core.settings import load_settings
from lifestream.local import cloud as local_cloud


@pytest.fixture
def dist(tmp_path):
    root = tmp_path / "dist"
    (root / "assets").mkdir(parents=True)
    (root / "index.html").write_text("<!doctype html><title>LifeStream</title><div id=app></div>")
    (root / "assets" / "index-abc123.js").write_text("console.log(1)")
    (tmp_path / "secret.txt").write_text("outside the build")
    return root


def client(tmp_path, web_dir, **settings) -> TestClient:
    s = load_settings(data_dir=tmp_path / "data", **settings)
    return TestClient(create_app(s, web_dir=web_dir), raise_server_exceptions=False, base_url="http://127.0.0.1")


def test_the_page_its_assets_and_deep_links(tmp_path, dist):
    c = client(tmp_path, dist)
    home = c.get("/")
    assert home.status_code == 200 and "id=app" in home.text and home.headers["cache-control"] == "no-cache"
    deep = c.get("/day/2026-05-02?v=walk-1&t=3")
    assert deep.status_code == 200 and deep.text == home.text
    # As strict as CloudFront's policy on AWS: no inline script or style anywhere.
    csp = home.headers["content-security-policy"]
    assert "script-src 'self';" in csp and "style-src 'self';" in csp and "frame-ancestors 'none'" in csp
    asset = c.get("/assets/index-abc123.js")
    assert asset.text == "console.log(1)" and "immutable" in asset.headers["cache-control"]
    # A missing asset is a 404 (a stale page must not get HTML as JavaScript); no way out of the build.
    assert c.get("/assets/gone.js").status_code == 404
    assert "outside" not in c.get("/../secret.txt").text
    assert "outside" not in c.get("/%2e%2e/secret.txt").text


def test_api_paths_stay_the_api(tmp_path, dist):
    c = client(tmp_path, dist)
    assert c.get("/api/health").json() == {"status": "ok"}
    missing = c.get("/api/nope")
    assert missing.status_code == 404 and missing.json()["error"] == "not_found"
    assert c.get("/api/videos").json() == {"items": [], "next_offset": None}
    # The page and its config are no part of the API's contract.
    assert not any(p in c.get("/api/openapi.json").json()["paths"] for p in ("/config.json", "/{path}"))


def test_config_json_comes_from_the_settings(tmp_path, dist):
    cfg = client(tmp_path, dist, max_video_bytes=1234, timezone="Europe/Berlin").get("/config.json").json()
    assert cfg == {
        "apiUrl": "",
        "auth": "none",
        "timezone": "Europe/Berlin",
        "limits": {
            "maxVideoBytes": 1234,
            "maxSubtitleBytes": 16 * 1024 * 1024,
            "videoSuffixes": [".mp4", ".mov", ".avi", ".mkv"],
            "subtitleSuffixes": [".srt", ".vtt"],
        },
    }


def test_the_page_may_reach_the_storage_endpoint(tmp_path, dist):
    c = client(tmp_path, dist, aws_endpoint_url="http://127.0.0.1:4599/")
    csp = c.get("/").headers["content-security-policy"]
    for directive in ("connect-src", "media-src", "img-src"):
        assert f"{directive} 'self'" in csp
        assert "http://127.0.0.1:4599" in csp.split(f"{directive} ")[1].split(";")[0]


def test_without_a_build_the_page_says_how_to_make_one(tmp_path):
    page = client(tmp_path, tmp_path / "nowhere").get("/day/2026-05-02")
    assert page.status_code == 503 and "npm ci &amp;&amp; npm run build" in page.text
    assert client(tmp_path, tmp_path / "nowhere").get("/config.json").status_code == 200


def test_the_lambda_api_serves_no_page(tmp_path):
    c = TestClient(create_app(load_settings(data_dir=tmp_path)), raise_server_exceptions=False, base_url="http://127.0.0.1")
    assert c.get("/").status_code == 404 and c.get("/config.json").status_code == 404


def test_the_local_bucket_lets_the_serve_origin_post(cloud):
    endpoint, bucket = cloud.resources.endpoint_url, cloud.resources.bucket
    origin = "http://127.0.0.1:8123"
    assert local_cloud.allow_browser_uploads(endpoint, bucket, [origin]) == [origin]
    # A second server (another port) is added, the first kept; a rule of someone else's stays.
    rules = cloud.s3.get_bucket_cors(Bucket=bucket)["CORSRules"]
    cloud.s3.put_bucket_cors(
        Bucket=bucket,
        CORSConfiguration={
            "CORSRules": [*rules, {"AllowedOrigins": ["https://x"], "AllowedMethods": ["GET"]}]
        },
    )
    both = local_cloud.allow_browser_uploads(endpoint, bucket, ["http://localhost:9000", origin])
    assert both == [origin, "http://localhost:9000"]
    rules = cloud.s3.get_bucket_cors(Bucket=bucket)["CORSRules"]
    assert len(rules) == 2 and any(r["AllowedOrigins"] == ["https://x"] for r in rules)
    ours = next(r for r in rules if r.get("ID") == local_cloud.BROWSER_UPLOAD_RULE)
    assert set(ours["AllowedMethods"]) >= {"POST", "PUT"} and ours["ExposeHeaders"] == ["ETag"]
    # moto's server answers every browser preflight for any origin (flask-cors), so the rule itself is
    # what is checked here: it is what S3 enforces on AWS.


def test_serve_points_at_the_local_cloud_and_allows_its_origin(cloud, tmp_path):
    from lifestream.cli.serve_cmds import with_local_cloud

    s = load_settings(
        data_dir=tmp_path,
        aws_endpoint_url=cloud.resources.endpoint_url,
        bucket=cloud.resources.bucket,
        queue_url=cloud.resources.queue_url,
    )
    same, endpoint = with_local_cloud(s, ["http://127.0.0.1:8555"])
    assert endpoint == cloud.resources.endpoint_url and same.bucket == cloud.resources.bucket
    rule = cloud.s3.get_bucket_cors(Bucket=cloud.resources.bucket)["CORSRules"][0]
    assert rule["AllowedOrigins"] == ["http://127.0.0.1:8555"]
    # Real AWS (no endpoint override): nothing is touched.
    aws = load_settings(data_dir=tmp_path, bucket="b", queue_url="https://sqs.example/q")
    assert with_local_cloud(aws, ["http://127.0.0.1:1"]) == (aws, None)


def test_serve_finds_the_running_local_cloud(cloud, tmp_path):
    import json
    import os
    from dataclasses import asdict
    from urllib.parse import urlsplit

    from lifestream.cli.serve_cmds import with_local_cloud

    # What `lifestream local up` records; the "server" is the session's moto server (alive, port open).
    s = load_settings(data_dir=tmp_path)
    state = local_cloud.default_state_dir(s)
    state.mkdir(parents=True)
    port = urlsplit(cloud.resources.endpoint_url).port
    record = local_cloud.LocalCloud(
        pid=os.getpid(), port=port, state_dir=str(state), resources=cloud.resources
    )
    (state / local_cloud.STATE_FILE).write_text(json.dumps(asdict(record)))
    found, endpoint = with_local_cloud(s, ["http://127.0.0.1:8000", "http://localhost:8000"])
    assert endpoint == cloud.resources.endpoint_url
    assert (found.bucket, found.queue_url) == (cloud.resources.bucket, cloud.resources.queue_url)
    rule = cloud.s3.get_bucket_cors(Bucket=cloud.resources.bucket)["CORSRules"][0]
    assert rule["AllowedOrigins"] == ["http://127.0.0.1:8000", "http://localhost:8000"]
    # Nothing running and nothing configured: the settings stay as they are.
    (state / local_cloud.STATE_FILE).unlink()
    assert with_local_cloud(s, ["http://127.0.0.1:8000"]) == (s, None)
