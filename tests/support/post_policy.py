"""S3's evaluation of a browser-POST policy, for the conditions LifeStream signs: moto's server stores
whatever a POST sends (it checks neither the policy nor its signature), so the tests check the signed
policy document itself with the rules S3 documents
(https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-HTTPPOSTConstructPolicy.html):
`eq` / `{"field": value}` exact match, `starts-with` prefix, `content-length-range` inclusive bounds on the
file's size, `expiration` in the past refuses, and every form field except the signature's own must be
covered by a condition."""

from __future__ import annotations

import base64
import datetime as dt
import json

# Fields S3 does not require conditions for (the signature and the file itself).
_EXEMPT = {
    "policy",
    "x-amz-signature",
    "file",
    "x-amz-credential",
    "x-amz-algorithm",
    "x-amz-date",
    "x-amz-security-token",
    "bucket",
}


def decode(fields: dict[str, str]) -> dict:
    return json.loads(base64.b64decode(fields["policy"]))


def refusal(fields: dict[str, str], *, file_size: int, now: dt.datetime | None = None) -> str | None:
    """Why S3 would refuse this POST (None when it would accept it)."""
    policy = decode(fields)
    now = now or dt.datetime.now(dt.UTC)
    if dt.datetime.fromisoformat(policy["expiration"]) <= now:
        return "policy expired"
    form = {k.lower(): v for k, v in fields.items()}
    covered: set[str] = set()
    for condition in policy["conditions"]:
        if isinstance(condition, dict):
            ((name, value),) = condition.items()
            covered.add(name.lower())
            if name.lower() != "bucket" and form.get(name.lower()) != value:
                return f"{name} must equal {value!r}"
            continue
        op, *args = condition
        if op == "content-length-range":
            low, high = args
            if not low <= file_size <= high:
                return f"size {file_size} outside [{low}, {high}]"
            continue
        name = args[0].lstrip("$").lower()
        covered.add(name)
        value = form.get(name, "")
        if op == "eq" and value != args[1]:
            return f"{name} must equal {args[1]!r}"
        if op == "starts-with" and not value.startswith(args[1]):
            return f"{name} must start with {args[1]!r}"
    extra = set(form) - covered - _EXEMPT
    return f"fields without a condition: {sorted(extra)}" if extra else None
