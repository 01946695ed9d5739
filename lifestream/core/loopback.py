"""What counts as this machine: loopback host names and URLs, for the local servers (the API without
sign-in, the local cloud) and for settings that may use plain http only on loopback.

A name is loopback when it is `localhost` or ends in `.localhost` (RFC 6761: resolved to loopback by the
system, never by DNS, so no page can re-point it) or is a loopback address. Other names are not resolved:
a name that resolves to 127.0.0.1 today is exactly what DNS rebinding makes of an attacker's name.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from urllib.parse import urlsplit

# A Host header as browsers send it: a name or a bracketed IPv6 address, and a port. No userinfo, no path.
HOST_HEADER = re.compile(r"^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(:[0-9]{1,5})?$")


def host_name(host_header: str) -> str | None:
    """The name part of a Host header ("[::1]:8000" -> "::1"), lower-cased; None when it is malformed."""
    if not HOST_HEADER.match(host_header.strip()):
        return None
    try:
        parts = urlsplit(f"//{host_header.strip()}")
        name, _ = parts.hostname, parts.port  # .port raises on a malformed port
    except ValueError:
        return None
    return name.lower().rstrip(".") if name else None


def is_loopback_name(name: str, extra: Iterable[str] = ()) -> bool:
    name = name.lower().strip("[]")
    if name == "localhost" or name.endswith(".localhost") or name in extra:
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def is_loopback_url(url: str) -> bool:
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return False
    return bool(host) and is_loopback_name(host)
