"""The web app's `/config.json`, made by one function for both places that serve it: `lifestream serve`
(lifestream.api.web, from the settings) and the CDK's WebContent (stacks/web.py, from the environment's
config, whose values the API function gets too). What the page reads there: where the API is, how to sign
in, the upload limits the server will enforce, and the zone diary dates are in (without it the page would
date everything in the viewer's zone, and cap uploads at its own default). Public values only: a browser's
Cognito app client has no secret (PKCE).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from lifestream.core.constants import SUBTITLE_SUFFIXES, VIDEO_SUFFIXES
from lifestream.core.sidecars import MAX_SIDECAR_BYTES


@dataclass(frozen=True)
class CognitoClient:
    """The sign-in the page runs (authorization code with PKCE) when auth is "cognito"."""

    domain: str
    client_id: str
    redirect_uri: str
    logout_uri: str
    scopes: Sequence[str]


def browser_config(
    *,
    api_url: str,
    auth: Literal["none", "cognito"],
    timezone: str | None,
    max_video_bytes: int,
    cognito: CognitoClient | None = None,
) -> dict[str, Any]:
    """The JSON the page reads at start-up (web/src/lib/config.ts parses it)."""
    config: dict[str, Any] = {
        "apiUrl": api_url,
        "auth": auth,
        "timezone": timezone,
        "limits": {
            "maxVideoBytes": max_video_bytes,
            "maxSubtitleBytes": MAX_SIDECAR_BYTES,
            "videoSuffixes": list(VIDEO_SUFFIXES),
            "subtitleSuffixes": list(SUBTITLE_SUFFIXES),
        },
    }
    if cognito is not None:
        config["cognito"] = {
            "domain": cognito.domain,
            "clientId": cognito.client_id,
            "redirectUri": cognito.redirect_uri,
            "logoutUri": cognito.logout_uri,
            "scopes": list(cognito.scopes),
        }
    return config
