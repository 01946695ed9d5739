"""Sign-in: a Cognito user pool (admins invite; TOTP MFA), the browser's app client (authorization code +
PKCE, no secret) and a managed-login domain. The API's JWT authorizer trusts this pool's tokens."""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_cognito as cognito
from constructs import Construct

from lifestream.core.constants import API_RESOURCE_SERVER, API_SCOPE, API_SCOPE_NAME, ResourceNames
from stacks.audit import acknowledge
from stacks.config import EnvConfig

# What the browser asks for: who the user is (openid: the `sub` the API scopes everything by), an email to
# invite and recover with, and the API's own scope, which every API route requires of an access token
# (ID tokens carry none). No aws.cognito.signin.user.admin: the web app never edits attributes.
OAUTH_SCOPES = (
    cognito.OAuthScope.OPENID,
    cognito.OAuthScope.EMAIL,
    cognito.OAuthScope.PROFILE,
    cognito.OAuthScope.custom(API_SCOPE),
)
# Where the web app receives the authorization code, and where sign-out lands, on the site's origin.
CALLBACK_PATH = "/auth/callback"
LOGOUT_PATH = "/"
MIN_PASSWORD_LENGTH = 12
TEMPORARY_PASSWORD_DAYS = 3


class Auth(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: EnvConfig,
        names: ResourceNames,
        site_url: str | None = None,
    ) -> None:
        """`site_url` is the web app's own origin (the CloudFront distribution): the browser comes back
        there too, beside the configured URLs."""
        super().__init__(scope, construct_id)
        callback_urls = list(config.auth_callback_urls)
        logout_urls = list(config.auth_logout_urls)
        if site_url:
            callback_urls.append(f"{site_url}{CALLBACK_PATH}")
            logout_urls.append(f"{site_url}{LOGOUT_PATH}")

        self.user_pool = cognito.UserPool(
            self,
            "UserPool",
            user_pool_name=names.user_pool,
            self_sign_up_enabled=config.self_sign_up,
            user_invitation=cognito.UserInvitationConfig(
                email_subject="Your LifeStream account",
                email_body=(
                    "You have been invited to LifeStream. Your user name is {username} and your "
                    "temporary password is {####}; you will choose your own when you first sign in."
                ),
            ),
            # Users sign in with their email; the user name stays the immutable `sub`-like id Cognito makes.
            sign_in_aliases=cognito.SignInAliases(email=True, username=False),
            sign_in_case_sensitive=False,
            auto_verify=cognito.AutoVerifiedAttrs(email=True),
            keep_original=cognito.KeepOriginalAttrs(email=True),
            standard_attributes=cognito.StandardAttributes(
                email=cognito.StandardAttribute(required=True, mutable=True)
            ),
            password_policy=cognito.PasswordPolicy(
                min_length=MIN_PASSWORD_LENGTH,
                require_lowercase=True,
                require_uppercase=True,
                require_digits=True,
                require_symbols=True,
                temp_password_validity=Duration.days(TEMPORARY_PASSWORD_DAYS),
            ),
            mfa=cognito.Mfa.REQUIRED if config.mfa_required else cognito.Mfa.OPTIONAL,
            # TOTP only: SMS needs an SNS role, a spending limit and is the weaker factor.
            mfa_second_factor=cognito.MfaSecondFactor(otp=True, sms=False),
            account_recovery=cognito.AccountRecovery.EMAIL_ONLY,
            feature_plan=cognito.FeaturePlan.PLUS
            if config.threat_protection
            else cognito.FeaturePlan.ESSENTIALS,
            standard_threat_protection_mode=(
                cognito.StandardThreatProtectionMode.FULL_FUNCTION if config.threat_protection else None
            ),
            deletion_protection=config.deletion_protection,
            removal_policy=config.removal_policy,
        )
        # The API as an OAuth resource server: its one scope is what the gateway's authorizer asks for.
        self.resource_server = self.user_pool.add_resource_server(
            "ApiResourceServer",
            identifier=API_RESOURCE_SERVER,
            user_pool_resource_server_name=f"{names.prefix}-api",
            scopes=[
                cognito.ResourceServerScope(
                    scope_name=API_SCOPE_NAME,
                    scope_description="Use the LifeStream API as the signed-in user",
                )
            ],
        )
        self.client = self.user_pool.add_client(
            "WebClient",
            user_pool_client_name=f"{names.prefix}-web",
            # A browser cannot keep a secret; PKCE protects the code exchange instead.
            generate_secret=False,
            auth_flows=cognito.AuthFlow(user_srp=True),
            o_auth=cognito.OAuthSettings(
                flows=cognito.OAuthFlows(authorization_code_grant=True, implicit_code_grant=False),
                scopes=list(OAUTH_SCOPES),
                callback_urls=callback_urls,
                logout_urls=logout_urls,
            ),
            supported_identity_providers=[cognito.UserPoolClientIdentityProvider.COGNITO],
            access_token_validity=Duration.minutes(config.access_token_minutes),
            id_token_validity=Duration.minutes(config.id_token_minutes),
            refresh_token_validity=Duration.days(config.refresh_token_days),
            auth_session_validity=Duration.minutes(3),
            enable_token_revocation=True,
            # A wrong email gets the same answer as a wrong password: addresses cannot be probed.
            prevent_user_existence_errors=True,
        )
        # The client names the scope by its string: Cognito refuses it until the resource server exists.
        self.client.node.add_dependency(self.resource_server)

        self.domain = self.user_pool.add_domain(
            "Domain",
            cognito_domain=cognito.CognitoDomainOptions(domain_prefix=names.auth_domain_prefix),
            managed_login_version=cognito.ManagedLoginVersion.NEWER_MANAGED_LOGIN,
        )
        # The newer managed login renders nothing for a client without a style; Cognito's defaults do.
        self.branding = cognito.CfnManagedLoginBranding(
            self,
            "Branding",
            user_pool_id=self.user_pool.user_pool_id,
            client_id=self.client.user_pool_client_id,
            use_cognito_provided_values=True,
        )
        self.branding.node.add_dependency(self.domain)

        self._acknowledge(config)

    @property
    def issuer_url(self) -> str:
        """The `iss` of this pool's tokens, which the API's JWT authorizer checks."""
        return self.user_pool.user_pool_provider_url

    @property
    def hosted_login_url(self) -> str:
        return self.domain.base_url()

    def _acknowledge(self, config: EnvConfig) -> None:
        if not config.mfa_required:
            acknowledge(
                self.user_pool,
                "AwsSolutions-COG2",
                f"{config.name} is a developer environment: TOTP MFA is offered (optional) so test users "
                "can be scripted; staging and prod require it (EnvConfig.mfa_required).",
            )
        if not config.threat_protection:
            acknowledge(
                self.user_pool,
                "AwsSolutions-COG8",
                f"{config.name} has invited users only and no public sign-up: the Plus tier's threat "
                "protection (billed per monthly active user) is enforced in prod "
                "(EnvConfig.threat_protection); MFA and the password policy still apply.",
            )
