"""Sign-in: the user pool (invited users, strong passwords, MFA per environment, email sign-in, threat
protection in prod), the browser's app client (code grant + PKCE, no secret, per-environment URLs, token
lifetimes) and the managed-login domain."""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import urlsplit

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Match, Template

from lifestream.core.constants import API_RESOURCE_SERVER, API_SCOPE, API_SCOPE_NAME, ResourceNames
from lifestream.core.errors import ConfigError
from stacks.config import CONFIGS, MAX_ACCESS_TOKEN_MINUTES
from tests.infra.conftest import only, render, resources_of

LOOPBACK = {"localhost", "127.0.0.1", "::1"}


def _pool(synthesized, env) -> dict:
    return only(synthesized.template_json(env, "Auth"), "AWS::Cognito::UserPool")["Properties"]


def _client(synthesized, env) -> dict:
    return only(synthesized.template_json(env, "Auth"), "AWS::Cognito::UserPoolClient")["Properties"]


def test_admins_invite_and_nobody_signs_up_alone(synthesized, env):
    template = synthesized.template(env, "Auth")
    template.resource_count_is("AWS::Cognito::UserPool", 1)
    template.has_resource_properties(
        "AWS::Cognito::UserPool",
        {
            "UserPoolName": ResourceNames(env=env, account="x").user_pool,
            "AdminCreateUserConfig": Match.object_like({"AllowAdminCreateUserOnly": True}),
        },
    )


def test_self_sign_up_is_a_config_flag():
    from stacks.auth import Auth

    stack = cdk.Stack(cdk.App(), "Probe")
    Auth(
        stack,
        "Auth",
        config=replace(CONFIGS["dev"], self_sign_up=True),
        names=ResourceNames(env="dev", account="1"),
    )
    Template.from_stack(stack).has_resource_properties(
        "AWS::Cognito::UserPool",
        {"AdminCreateUserConfig": Match.object_like({"AllowAdminCreateUserOnly": False})},
    )


def test_password_policy_is_strong(synthesized, env):
    policy = _pool(synthesized, env)["Policies"]["PasswordPolicy"]
    assert policy["MinimumLength"] >= 12
    assert all(
        policy[k] for k in ("RequireLowercase", "RequireUppercase", "RequireNumbers", "RequireSymbols")
    )
    assert policy["TemporaryPasswordValidityDays"] <= 7


@pytest.mark.parametrize(("env", "mfa"), [("dev", "OPTIONAL"), ("staging", "ON"), ("prod", "ON")])
def test_mfa_is_totp_optional_in_dev_and_required_beyond(synthesized, env, mfa):
    pool = _pool(synthesized, env)
    assert pool["MfaConfiguration"] == mfa
    # TOTP only: no SMS factor (and so no SNS role able to send texts).
    assert pool["EnabledMfas"] == ["SOFTWARE_TOKEN_MFA"]
    assert "SmsConfiguration" not in pool


def test_users_sign_in_with_their_email(synthesized, env):
    pool = _pool(synthesized, env)
    assert pool["UsernameAttributes"] == ["email"]
    assert pool["UsernameConfiguration"] == {"CaseSensitive": False}
    assert pool["AutoVerifiedAttributes"] == ["email"]
    assert pool["AccountRecoverySetting"]["RecoveryMechanisms"] == [{"Name": "verified_email", "Priority": 1}]


@pytest.mark.parametrize(
    ("env", "tier"), [("dev", "ESSENTIALS"), ("staging", "ESSENTIALS"), ("prod", "PLUS")]
)
def test_threat_protection_is_enforced_in_prod(synthesized, env, tier):
    pool = _pool(synthesized, env)
    assert pool["UserPoolTier"] == tier
    if tier == "PLUS":
        assert pool["UserPoolAddOns"] == {"AdvancedSecurityMode": "ENFORCED"}
    else:
        assert "UserPoolAddOns" not in pool


def test_prod_users_survive_a_stack_deletion(synthesized):
    prod = only(synthesized.template_json("prod", "Auth"), "AWS::Cognito::UserPool")
    assert prod["DeletionPolicy"] == "Retain" and prod["Properties"]["DeletionProtection"] == "ACTIVE"
    dev = only(synthesized.template_json("dev", "Auth"), "AWS::Cognito::UserPool")
    assert dev["DeletionPolicy"] == "Delete"


def test_the_browser_client_uses_the_code_grant_without_a_secret(synthesized, env):
    client = _client(synthesized, env)
    # A public client: PKCE (the web app's code_challenge) protects the code exchange, not a secret.
    assert client["GenerateSecret"] is False
    assert client["AllowedOAuthFlows"] == ["code"]
    assert client["AllowedOAuthFlowsUserPoolClient"] is True
    assert set(client["AllowedOAuthScopes"]) == {"openid", "email", "profile", API_SCOPE}
    assert client["SupportedIdentityProviders"] == ["COGNITO"]
    # No password ever travels in the clear (SRP), and no implicit or client-credentials flow.
    assert set(client["ExplicitAuthFlows"]) == {"ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}
    assert client["PreventUserExistenceErrors"] == "ENABLED"
    assert client["EnableTokenRevocation"] is True


def test_callback_and_logout_urls_follow_the_environment(synthesized, env):
    client = _client(synthesized, env)
    config = CONFIGS[env]
    # And the site's own URLs last (tests/infra/test_web.py).
    assert client["CallbackURLs"][:-1] == list(config.auth_callback_urls)
    assert client["LogoutURLs"][:-1] == list(config.auth_logout_urls)
    configured = client["CallbackURLs"][:-1] + client["LogoutURLs"][:-1]
    hosts = {urlsplit(u).hostname for u in configured}
    if env == "dev":
        assert hosts <= LOOPBACK
    else:
        assert not hosts & LOOPBACK
        assert all(u.startswith("https://") for u in configured)


def test_token_lifetimes_are_explicit(synthesized, env):
    client = _client(synthesized, env)
    config = CONFIGS[env]
    assert client["TokenValidityUnits"] == {
        "AccessToken": "minutes",
        "IdToken": "minutes",
        "RefreshToken": "minutes",
    }
    assert client["AccessTokenValidity"] == config.access_token_minutes
    assert client["IdTokenValidity"] == config.id_token_minutes
    assert client["RefreshTokenValidity"] == config.refresh_token_days * 24 * 60


def test_managed_login_domain_per_environment(synthesized, env):
    template = synthesized.template_json(env, "Auth")
    domain = only(template, "AWS::Cognito::UserPoolDomain")["Properties"]
    assert render(domain["Domain"]) == f"lifestream-{env}-${{AWS::AccountId}}"
    assert domain["ManagedLoginVersion"] == 2
    branding = only(template, "AWS::Cognito::ManagedLoginBranding")["Properties"]
    assert branding["ClientId"] == {"Ref": next(k for k in template["Resources"] if "WebClient" in k)}
    assert branding["UseCognitoProvidedValues"] is True


@pytest.mark.parametrize(
    ("env", "url", "problem"),
    [
        ("prod", "http://localhost:5173/auth/callback", "allowed only in dev"),
        ("staging", "https://127.0.0.1/auth/callback", "allowed only in dev"),
        ("prod", "http://lifestream.example/auth/callback", "must be an https URL"),
        ("dev", "http://dev.lifestream.example/auth/callback", "must be an https URL"),
        ("prod", "https://lifestream.example/auth/callback#x", "fragment"),
    ],
)
def test_callback_urls_are_validated_per_environment(env, url, problem):
    with pytest.raises(ConfigError, match=problem):
        replace(CONFIGS[env], auth_callback_urls=(url,))
    with pytest.raises(ConfigError, match=problem):
        replace(CONFIGS[env], auth_logout_urls=(url,))


def test_localhost_callbacks_are_fine_in_dev_and_urls_are_required():
    assert replace(CONFIGS["dev"], auth_callback_urls=("http://localhost:8080/cb",)).name == "dev"
    with pytest.raises(ConfigError, match="at least one URL"):
        replace(CONFIGS["prod"], auth_callback_urls=())
    with pytest.raises(ConfigError, match="outlast"):
        replace(CONFIGS["prod"], refresh_token_days=1, access_token_minutes=1440)


def test_the_api_is_a_resource_server_whose_scope_the_browser_client_may_ask_for(synthesized, env):
    template = synthesized.template_json(env, "Auth")
    server_id, server = next(iter(resources_of(template, "AWS::Cognito::UserPoolResourceServer").items()))
    assert server["Properties"]["Identifier"] == API_RESOURCE_SERVER
    assert [s["ScopeName"] for s in server["Properties"]["Scopes"]] == [API_SCOPE_NAME]
    # The client names the scope as a string, so CloudFormation must create the server first.
    client = only(template, "AWS::Cognito::UserPoolClient")
    assert server_id in client["DependsOn"]
    assert API_SCOPE in client["Properties"]["AllowedOAuthScopes"]


@pytest.mark.parametrize(("env", "longest"), [("dev", 60), ("staging", 15), ("prod", 15)])
def test_access_tokens_are_short_lived_per_environment(env, longest):
    # The gateway cannot revoke an access token: this is how long a disabled user keeps access.
    assert CONFIGS[env].access_token_minutes <= longest <= MAX_ACCESS_TOKEN_MINUTES
    with pytest.raises(ConfigError, match="cannot revoke"):
        replace(CONFIGS[env], access_token_minutes=MAX_ACCESS_TOKEN_MINUTES + 1)
