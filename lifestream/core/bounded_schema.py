"""A JSON schema whose every answer is finite and fits the token limit: the grammar, not luck, ends the reply.

llama.cpp (built with llguidance) turns the schema into the grammar that constrains generation. An
unbounded string, array, number or the default flexible whitespace (any run of blanks) lets a small model
write until `max_tokens` cuts it off, and cut-off JSON does not parse (issue 19: the heading came back
unterminated). `bound()` closes every such door: compact JSON (`x-guidance`: no free whitespace, no \\u
escapes), no properties beyond the listed ones, and a maxLength / maxItems / digit limit where the schema
has none. `output_tokens()` is then the longest answer the grammar admits, counted in UTF-8 bytes: a
byte-level BPE token holds at least one byte, so a reply can never need more tokens than that.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, replace
from typing import Any

# The longest UTF-8 character; an escape (\n, \") is 2 bytes, \uXXXX is not allowed.
BYTES_PER_CHAR = 4
COMPACT = {"whitespace_flexible": False, "json_allowed_escapes": 'nrbtf\\"'}


class UnboundedSchema(ValueError):
    """The schema admits answers of any length (a type bound() does not know how to limit)."""


@dataclass(frozen=True)
class Limits:
    """What an unbounded part of a schema is held to (parts with their own bounds keep them)."""

    string_chars: int = 240
    array_items: int = 4
    integer_digits: int = 3


def bound(schema: dict[str, Any], limits: Limits = Limits()) -> dict[str, Any]:
    """A copy of `schema` (pydantic's JSON schema: $defs and $ref allowed) in which every answer is bounded."""
    out = copy.deepcopy(schema)
    _bound_node(out, limits)
    for definition in out.get("$defs", {}).values():
        _bound_node(definition, limits)
    out["x-guidance"] = {**COMPACT, **out.get("x-guidance", {})}
    return out


def _bound_node(node: dict[str, Any], limits: Limits) -> None:
    for key in ("anyOf", "oneOf", "allOf", "prefixItems"):
        for child in node.get(key, []):
            _bound_node(child, limits)
    kind = node.get("type")
    kinds = set(kind) if isinstance(kind, list) else {kind}
    if "enum" in node or "const" in node:
        return
    if "string" in kinds and "maxLength" not in node:
        node["maxLength"] = limits.string_chars
    if "array" in kinds:
        node.setdefault("maxItems", limits.array_items)
        if isinstance(node.get("items"), dict):
            _bound_node(node["items"], limits)
    if "integer" in kinds:
        top = 10**limits.integer_digits - 1
        node.setdefault("maximum", top)
        node.setdefault("minimum", -top)
    if "object" in kinds:
        node.setdefault("additionalProperties", False)
        for child in node.get("properties", {}).values():
            _bound_node(child, limits)


def output_tokens(schema: dict[str, Any]) -> int:
    """The most tokens an answer of the bounded `schema` can take (its longest compact JSON, in bytes)."""
    if schema.get("x-guidance", {}).get("whitespace_flexible", True):
        raise UnboundedSchema("flexible whitespace admits answers of any length: use bound()")
    return _longest(schema, schema.get("$defs", {}), ())


def _longest(node: dict[str, Any] | bool, defs: dict[str, Any], seen: tuple[str, ...]) -> int:
    if node is True or node == {}:
        raise UnboundedSchema("a part with no schema admits any JSON")
    if node is False:
        return 0
    assert isinstance(node, dict)
    if "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        if name in seen:
            raise UnboundedSchema(f"{name} refers to itself")
        return _longest(defs[name], defs, (*seen, name))
    if "const" in node:
        return _json_bytes(node["const"])
    if "enum" in node:
        return max(_json_bytes(v) for v in node["enum"])
    for key in ("anyOf", "oneOf"):
        if key in node:
            return max(_longest(child, defs, seen) for child in node[key])
    kind = node.get("type")
    kinds = kind if isinstance(kind, list) else [kind]
    return max(_longest_of_type(k, node, defs, seen) for k in kinds)


def _longest_of_type(kind: str | None, node: dict[str, Any], defs: dict[str, Any], seen) -> int:
    if kind == "null":
        return 4
    if kind == "boolean":
        return 5
    if kind == "string":
        if "maxLength" not in node:
            raise UnboundedSchema("a string without maxLength")
        return 2 + BYTES_PER_CHAR * int(node["maxLength"])
    if kind == "integer":
        if "maximum" not in node or "minimum" not in node:
            raise UnboundedSchema("an integer without minimum and maximum")
        return max(len(str(int(node["maximum"]))), len(str(int(node["minimum"]))))
    if kind == "array":
        if "maxItems" not in node:
            raise UnboundedSchema("an array without maxItems")
        n = int(node["maxItems"])
        item = _longest(node.get("items", True), defs, seen) if n else 0
        return 2 + n * item + max(0, n - 1)
    if kind == "object":
        if node.get("additionalProperties", True) is not False:
            raise UnboundedSchema("an object that admits properties beyond its own")
        props = node.get("properties", {})
        fields = [len(json.dumps(name).encode()) + 1 + _longest(sub, defs, seen) for name, sub in props.items()]
        return 2 + sum(fields) + max(0, len(fields) - 1)
    raise UnboundedSchema(f"no length bound for type {kind!r}")


def _json_bytes(value: Any) -> int:
    return len(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode())


def fit(schema: dict[str, Any], max_tokens: int, limits: Limits = Limits()) -> tuple[dict[str, Any], int]:
    """(the bounded schema, its token bound) within `max_tokens`: the limits on unbounded parts shrink (fewer
    items down to 2, then shorter strings down to 48 characters, then one item, then halving the strings' length) until
    the longest answer fits. Bounds the schema sets itself are never changed; if they alone exceed
    `max_tokens`, UnboundedSchema says so."""
    current = limits
    while True:
        bounded = bound(schema, current)
        tokens = output_tokens(bounded)
        if tokens <= max_tokens:
            return bounded, tokens
        if current.array_items > 2:
            current = replace(current, array_items=current.array_items - 1)
        elif current.string_chars > 48:
            current = replace(current, string_chars=max(48, current.string_chars * 7 // 8))
        elif current.array_items > 1:
            current = replace(current, array_items=1)
        elif current.string_chars > 1:
            current = replace(current, string_chars=current.string_chars // 2)
        elif current.integer_digits > 1:
            current = replace(current, integer_digits=current.integer_digits - 1)
        else:
            raise UnboundedSchema(
                f"{schema.get('title', 'the schema')} admits answers of {tokens} tokens, more than "
                f"max_tokens={max_tokens}: lower its maxLength/maxItems or raise max_tokens"
            )
