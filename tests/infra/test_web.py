"""The Web construct: a private site bucket read by CloudFront through origin access control, the
single-page fallback, /api/* routed to the HTTP API uncached, security headers, the generated config.json,
and the two places that must name the site's origin (the video bucket's CORS rule, the app client)."""

from __future__ import annotations

import json
import re
import subprocess
from dataclasses import replace

import pytest

from lifestream.core.constants import API_SCOPE
from stacks.config import CONFIGS
from stacks.web import PLACEHOLDER_SITE, SPA_REWRITE_CODE, site_directory
from tests.infra.conftest import only, render, resources_of

# CloudFront's managed policies, by their documented ids.
CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
ALL_VIEWER_EXCEPT_HOST_HEADER = "b689b0a8-53d0-40ab-baf2-68738e2966ac"
ALL_METHODS = {"GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"}
SECRET_LOOKING = re.compile(r"secret|password|passwd|private|api[_-]?key|credential|token", re.IGNORECASE)


def _web(synthesized, env) -> dict:
    return synthesized.template_json(env, "Web")


def _distribution(synthesized, env) -> tuple[str, dict]:
    ((key, value),) = resources_of(_web(synthesized, env), "AWS::CloudFront::Distribution").items()
    return key, value["Properties"]["DistributionConfig"]


def _site_bucket_id(template: dict) -> str:
    (key,) = [k for k in resources_of(template, "AWS::S3::Bucket") if k.startswith("WebSite")]
    return key


def _api_behavior(config: dict) -> dict:
    (behavior,) = [b for b in config["CacheBehaviors"] if b["PathPattern"] == "/api/*"]
    return behavior


def _origin(config: dict, origin_id: str) -> dict:
    (origin,) = [o for o in config["Origins"] if o["Id"] == origin_id]
    return origin


def test_the_site_is_read_through_origin_access_control_only(synthesized, env):
    template = _web(synthesized, env)
    distribution_id, config = _distribution(synthesized, env)
    oac = only(template, "AWS::CloudFront::OriginAccessControl")["Properties"]["OriginAccessControlConfig"]
    assert (oac["OriginAccessControlOriginType"], oac["SigningBehavior"]) == ("s3", "always")
    site = _origin(config, config["DefaultCacheBehavior"]["TargetOriginId"])
    assert "OriginAccessControlId" in site and site["S3OriginConfig"]["OriginAccessIdentity"] == ""
    assert site["DomainName"] == {"Fn::GetAtt": [_site_bucket_id(template), "RegionalDomainName"]}
    assert resources_of(template, "AWS::CloudFront::CloudFrontOriginAccessIdentity") == {}

    # The bucket policy lets CloudFront read, and only on behalf of this distribution.
    bucket_id = _site_bucket_id(template)
    (policy,) = [
        p
        for p in resources_of(template, "AWS::S3::BucketPolicy").values()
        if p["Properties"]["Bucket"] == {"Ref": bucket_id}
    ]
    allows = [s for s in policy["Properties"]["PolicyDocument"]["Statement"] if s["Effect"] == "Allow"]
    cloudfront = [s for s in allows if s["Principal"] == {"Service": "cloudfront.amazonaws.com"}]
    (statement,) = cloudfront
    assert statement["Action"] == "s3:GetObject"
    arn = render(statement["Condition"]["StringEquals"]["AWS:SourceArn"])
    assert arn.endswith(f"distribution/${{{distribution_id}}}")
    # Anything else allowed is the CDK's auto-delete handler (dev, staging), never a public principal.
    for other in (s for s in allows if s not in cloudfront):
        assert "AutoDeleteObjectsCustomResourceProvider" in json.dumps(other["Principal"])
    assert not any(s["Principal"] in ("*", {"AWS": "*"}) for s in allows)


def test_the_site_bucket_is_private_encrypted_and_tls_only(synthesized, env):
    template = _web(synthesized, env)
    bucket = template["Resources"][_site_bucket_id(template)]["Properties"]
    assert bucket["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    assert "WebsiteConfiguration" not in bucket
    (rule,) = bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert rule["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    assert bucket["OwnershipControls"]["Rules"] == [{"ObjectOwnership": "BucketOwnerEnforced"}]
    statements = [
        s
        for p in resources_of(template, "AWS::S3::BucketPolicy").values()
        if p["Properties"]["Bucket"] == {"Ref": _site_bucket_id(template)}
        for s in p["Properties"]["PolicyDocument"]["Statement"]
    ]
    assert any(
        s["Effect"] == "Deny" and s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
        for s in statements
    )


def test_deep_links_get_the_app_but_api_errors_stay_api_errors(synthesized, env):
    template = _web(synthesized, env)
    _, config = _distribution(synthesized, env)
    # No distribution-wide error rewriting: it would turn the API's 404s/403s into a 200 HTML page.
    assert "CustomErrorResponses" not in config
    (function_id,) = resources_of(template, "AWS::CloudFront::Function")
    (association,) = config["DefaultCacheBehavior"]["FunctionAssociations"]
    assert association == {
        "EventType": "viewer-request",
        "FunctionARN": {"Fn::GetAtt": [function_id, "FunctionARN"]},
    }
    assert "FunctionAssociations" not in _api_behavior(config)
    code = template["Resources"][function_id]["Properties"]["FunctionCode"]
    assert code == SPA_REWRITE_CODE
    assert (
        template["Resources"][function_id]["Properties"]["FunctionConfig"]["Runtime"] == "cloudfront-js-2.0"
    )


@pytest.mark.parametrize(
    ("uri", "served"),
    [
        ("/", "/index.html"),
        ("/day/2026-11-30", "/index.html"),
        ("/videos/abc123/", "/index.html"),
        ("/index.html", "/index.html"),
        ("/config.json", "/config.json"),
        ("/assets/index-3f9a1c.js", "/assets/index-3f9a1c.js"),
        ("/favicon.svg", "/favicon.svg"),
    ],
)
def test_the_rewrite_function_serves_routes_and_leaves_files(uri, served):
    # The function's real code, run by Node (CloudFront Functions are a subset of ECMAScript).
    script = (
        SPA_REWRITE_CODE + f"\nprocess.stdout.write(handler({{request: {{uri: {json.dumps(uri)}}}}}).uri);"
    )
    result = subprocess.run(["node", "-e", script], capture_output=True, text=True, timeout=30, check=True)
    assert result.stdout == served


def test_api_paths_go_to_the_http_api_uncached_with_every_method(synthesized, env):
    _, config = _distribution(synthesized, env)
    behavior = _api_behavior(config)
    assert behavior["CachePolicyId"] == CACHING_DISABLED
    assert behavior["OriginRequestPolicyId"] == ALL_VIEWER_EXCEPT_HOST_HEADER
    assert set(behavior["AllowedMethods"]) == ALL_METHODS
    assert behavior["ViewerProtocolPolicy"] == "https-only"
    origin = _origin(config, behavior["TargetOriginId"])
    assert origin["CustomOriginConfig"] == {
        "OriginProtocolPolicy": "https-only",
        "OriginSSLProtocols": ["TLSv1.2"],
    }
    (api_id,) = resources_of(_web(synthesized, env), "AWS::ApiGatewayV2::Api")
    assert render(origin["DomainName"]) == f"${{{api_id}}}.execute-api.${{AWS::Region}}.${{AWS::URLSuffix}}"
    # The site itself is cached and read-only.
    default = config["DefaultCacheBehavior"]
    assert set(default["AllowedMethods"]) == {"GET", "HEAD"}
    assert default["CachePolicyId"] != CACHING_DISABLED


def test_security_headers(synthesized, env):
    template = _web(synthesized, env)
    ((policy_id, policy),) = resources_of(template, "AWS::CloudFront::ResponseHeadersPolicy").items()
    _, config = _distribution(synthesized, env)
    assert config["DefaultCacheBehavior"]["ResponseHeadersPolicyId"] == {"Ref": policy_id}
    assert _api_behavior(config)["ResponseHeadersPolicyId"] == {"Ref": policy_id}
    headers = policy["Properties"]["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]
    assert all(h["Override"] for h in headers.values())
    hsts = headers["StrictTransportSecurity"]
    assert hsts["AccessControlMaxAgeSec"] >= 365 * 86400 and hsts["IncludeSubdomains"] is True
    assert headers["FrameOptions"]["FrameOption"] == "DENY"
    assert headers["ReferrerPolicy"]["ReferrerPolicy"] == "same-origin"
    assert "ContentTypeOptions" in headers

    csp = render(headers["ContentSecurityPolicy"]["ContentSecurityPolicy"])
    directives = {d.split(" ")[0]: d.split(" ")[1:] for d in csp.split("; ")}
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["object-src"] == ["'none'"]
    account = "${AWS::AccountId}"
    bucket_hosts = {
        f"https://lifestream-{env}-videos-{account}.s3.amazonaws.com",
        f"https://lifestream-{env}-videos-{account}.s3.${{AWS::Region}}.amazonaws.com",
    }
    # The Cognito domain the Auth stack creates, spelled from the same prefix.
    auth_domain = only(synthesized.template_json(env, "Auth"), "AWS::Cognito::UserPoolDomain")
    prefix = render(auth_domain["Properties"]["Domain"])
    cognito = f"https://{prefix}.auth.${{AWS::Region}}.amazoncognito.com"
    assert set(directives["connect-src"]) == {"'self'", cognito} | bucket_hosts
    assert set(directives["media-src"]) == {"'self'"} | bucket_hosts
    assert set(directives["img-src"]) == {"'self'", "data:"} | bucket_hosts
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp and "*" not in csp.replace("*.", "")


def test_config_json_names_the_public_sign_in_values_and_no_secret(synthesized, env):
    content = synthesized.stacks[env].site.content
    stack = synthesized.stacks[env].site
    resolved = stack.resolve(content.config_data)
    assert set(resolved) == {"apiUrl", "auth", "timezone", "limits", "cognito"}
    assert resolved["apiUrl"] == "/api" and resolved["auth"] == "cognito"
    cognito = resolved["cognito"]
    assert set(cognito) == {"domain", "clientId", "redirectUri", "logoutUri", "scopes"}
    assert "WebClient" in json.dumps(cognito["clientId"])
    assert "UserPoolDomain" in json.dumps(cognito["domain"])
    assert render(cognito["redirectUri"]).endswith("/auth/callback")
    assert cognito["scopes"] == ["openid", "email", "profile", API_SCOPE]
    for name, value in resolved.items():
        assert not SECRET_LOOKING.search(name), name
        assert not SECRET_LOOKING.search(json.dumps(value)), (name, value)
    # The client it names has no secret to leak (PKCE).
    client = only(synthesized.template_json(env, "Auth"), "AWS::Cognito::UserPoolClient")["Properties"]
    assert client["GenerateSecret"] is False
    # What the deployment really writes: the markers CloudFormation fills in hold the same values.
    deployment = only(synthesized.template_json(env, "Site"), "Custom::CDKBucketDeployment")["Properties"]
    markers = json.dumps(deployment["SourceMarkers"])
    assert "WebClient" in markers and "secret" not in markers.lower()
    assert render(deployment["DestinationBucketName"]) == f"lifestream-{env}-web-${{AWS::AccountId}}"
    assert "DistributionId" in deployment and deployment["DistributionPaths"] == ["/*"]


def test_the_deployed_config_json_agrees_with_what_serve_writes_for_the_apis_settings(synthesized, env):
    """One function makes both; here, fed what each side is given: the stack's config.json, and the one
    `lifestream serve` would write with the settings the API function runs with (its environment in the
    template). The limits the page checks are the ones the API enforces, the zone is the diary's."""
    from lifestream.api.web import web_config
    from lifestream.core.settings import load_settings

    stack = synthesized.stacks[env].site
    deployed = stack.resolve(stack.content.config_data)
    api = only(synthesized.template_json(env, "Api"), "AWS::Lambda::Function", "ApiFunction")
    variables = api["Properties"]["Environment"]["Variables"]
    settings = load_settings(
        max_video_bytes=int(variables["LIFESTREAM_MAX_VIDEO_BYTES"]),
        timezone=variables["LIFESTREAM_TIMEZONE"],
        auth="none",
    )
    served = web_config(settings)
    assert deployed["limits"] == served["limits"]
    assert deployed["limits"]["maxVideoBytes"] == CONFIGS[env].max_video_bytes
    assert deployed["timezone"] == served["timezone"] == CONFIGS[env].timezone
    assert set(deployed) - {"cognito"} == set(served)


def test_the_deployment_ships_the_build_or_a_placeholder(tmp_path):
    missing = replace(CONFIGS["dev"], web_dist_dir=str(tmp_path / "nothing"))
    assert site_directory(missing) == PLACEHOLDER_SITE
    assert "build web/ first" in (PLACEHOLDER_SITE / "index.html").read_text()
    built = tmp_path / "dist"
    built.mkdir()
    (built / "index.html").write_text("<!doctype html><title>app</title>")
    assert site_directory(replace(CONFIGS["dev"], web_dist_dir=str(built))) == built


def _site_origin(synthesized, env) -> str:
    distribution_id, _ = _distribution(synthesized, env)
    return distribution_id


def test_video_bucket_cors_names_the_distribution_domain(synthesized, env):
    storage = synthesized.template_json(env, "Storage")
    (bucket,) = [
        v for k, v in resources_of(storage, "AWS::S3::Bucket").items() if k.startswith("StorageVideos")
    ]
    rules = bucket["Properties"]["CorsConfiguration"]["CorsRules"]
    (site,) = [r for r in rules if r.get("Id") == "web-app"]
    (origin,) = site["AllowedOrigins"]
    rendered = render(origin)
    distribution_id = _site_origin(synthesized, env)
    assert rendered.startswith("https://") and rendered.count("https://") == 1
    # The distribution's DomainName, exported by the Web stack.
    assert f"LifeStream-{env}-Web" in rendered and f"{distribution_id}DomainName" in rendered
    # POST for a presigned upload, PUT for each part of a multipart one (over 5 GB), GET/HEAD for media.
    assert sorted(site["AllowedMethods"]) == ["GET", "HEAD", "POST", "PUT"]
    assert site["ExposedHeaders"] == ["ETag"]


def test_the_app_client_returns_to_the_site(synthesized, env):
    client = only(synthesized.template_json(env, "Auth"), "AWS::Cognito::UserPoolClient")["Properties"]
    distribution_id = _site_origin(synthesized, env)
    callback, logout = render(client["CallbackURLs"][-1]), render(client["LogoutURLs"][-1])
    assert callback.startswith("https://") and callback.endswith("/auth/callback")
    assert logout.startswith("https://") and logout.endswith("/")
    for url in (callback, logout):
        assert f"LifeStream-{env}-Web" in url and f"{distribution_id}DomainName" in url
    # Code flow with PKCE only.
    assert client["AllowedOAuthFlows"] == ["code"]
    assert client["AllowedOAuthFlowsUserPoolClient"] is True


def test_stack_order_has_the_site_first_and_its_files_last(synthesized, env):
    stacks = synthesized.stacks[env]
    assert stacks.web.dependencies == []
    assert set(stacks.storage.dependencies) == {stacks.queue, stacks.web}
    assert set(stacks.site.dependencies) == {stacks.web, stacks.auth}


def test_the_site_assets_need_no_docker_and_ship_the_written_config(synthesized, env):
    # The deployment's handler and CLI layer come prebuilt with aws-cdk-lib; the site is zipped as is.
    manifest = json.loads((synthesized.outdir / f"LifeStream-{env}-Site.assets.json").read_text())
    assert manifest.get("dockerImages", {}) == {}
    sources = [synthesized.outdir / f["source"]["path"] for f in manifest["files"].values()]
    assert all(path.exists() for path in sources)
    (config,) = [p / "config.json" for p in sources if (p / "config.json").is_file()]
    # Deploy-time values are markers the deployment fills in with JSON strings (SourceMarkers).
    text = config.read_text()
    written = json.loads(re.sub(r"<<marker:0xbaba:\d+>>", '"<deploy-time>"', text))
    assert written["apiUrl"] == "/api" and written["cognito"]["scopes"] == ["openid", "email", "profile", API_SCOPE]
    cognito = written["cognito"]
    assert all(cognito[k] == "<deploy-time>" for k in ("clientId", "domain", "redirectUri", "logoutUri"))
    # The limits and the zone are plain values, written at synthesis.
    assert written["limits"]["maxVideoBytes"] == CONFIGS[env].max_video_bytes
    assert written["timezone"] == CONFIGS[env].timezone
    assert not SECRET_LOOKING.search(text)
    (site,) = [p for p in sources if (p / "index.html").is_file()]
    assert (site / "index.html").read_text() == (site_directory(CONFIGS[env]) / "index.html").read_text()
