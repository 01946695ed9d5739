"""bounded_schema: every answer a bounded schema admits is finite, and its bound is exact (issue 19)."""

from __future__ import annotations

import json

import pytest
from pydantic import BaseModel, Field

from lifestream.core.bounded_schema import Limits, UnboundedSchema, bound, fit, output_tokens


class Part(BaseModel):
    text: str
    sources: list[int]


class Draft(BaseModel):
    found: bool
    where: str | None = Field(max_length=10)
    parts: list[Part]


def _largest(schema: dict, node: dict | None = None):
    """The longest answer `schema` admits, built by hand: full arrays, strings of 4-byte characters."""
    node = schema if node is None else node
    if "$ref" in node:
        return _largest(schema, schema["$defs"][node["$ref"].rsplit("/", 1)[-1]])
    if "anyOf" in node:
        options = [_largest(schema, n) for n in node["anyOf"]]
        return max(options, key=lambda v: len(json.dumps(v, ensure_ascii=False).encode()))
    kind = node["type"]
    if kind == "null":
        return None
    if kind == "string":
        return "😀" * node["maxLength"]
    if kind == "integer":
        return node["minimum"]
    if kind == "boolean":
        return False
    if kind == "array":
        return [_largest(schema, node["items"]) for _ in range(node["maxItems"])]
    return {k: _largest(schema, v) for k, v in node["properties"].items()}


def test_bound_closes_every_open_end_and_keeps_the_schemas_own_bounds():
    schema = bound(Draft.model_json_schema(), Limits(string_chars=30, array_items=2, integer_digits=2))

    assert schema["x-guidance"]["whitespace_flexible"] is False
    assert schema["additionalProperties"] is False and schema["properties"]["parts"]["maxItems"] == 2
    part = schema["$defs"]["Part"]
    assert part["properties"]["text"]["maxLength"] == 30 and part["additionalProperties"] is False
    assert part["properties"]["sources"]["items"] == {"type": "integer", "maximum": 99, "minimum": -99}
    assert schema["properties"]["where"]["anyOf"][0]["maxLength"] == 10


def test_the_bound_is_the_byte_length_of_the_longest_compact_answer():
    schema = bound(Draft.model_json_schema(), Limits(string_chars=30, array_items=2, integer_digits=2))
    largest = _largest(schema)
    Draft.model_validate(largest)

    compact = json.dumps(largest, ensure_ascii=False, separators=(",", ":")).encode()
    assert output_tokens(schema) == len(compact)


@pytest.mark.parametrize("budget", [120, 300, 1000, 2048])
def test_fit_shrinks_only_the_open_ends_to_the_budget(budget):
    schema, tokens = fit(Draft.model_json_schema(), budget)
    assert tokens <= budget and tokens == output_tokens(schema)
    assert schema["properties"]["where"]["anyOf"][0]["maxLength"] == 10


def test_unbounded_parts_and_a_budget_below_the_schemas_own_bounds_are_refused():
    with pytest.raises(UnboundedSchema):
        output_tokens(Draft.model_json_schema())  # flexible whitespace, open strings
    with pytest.raises(UnboundedSchema, match="max_tokens=40"):
        fit(Draft.model_json_schema(), 40)
