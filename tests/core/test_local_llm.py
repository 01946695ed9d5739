"""The local LLM runtime: where the model comes from, that the packaged one is hash-checked, and the
constrained-JSON boundary (a fake at xllamacpp's `handle_chat_completions`, plus one real generation)."""

from __future__ import annotations

import hashlib
import json
import os

import pytest
from pydantic import BaseModel, Field

from lifestream.core.bounded_schema import UnboundedSchema, output_tokens
from lifestream.core.local_llm import (
    PACKAGED_DEFAULT,
    LocalLLM,
    LocalLLMError,
    LocalLLMUnavailable,
    ModelIntegrityError,
    get_local_llm,
    join_parts,
    model_installed,
    resolve_model,
    runtime_installed,
    verify,
)

COMMIT = "0123456789abcdef0123456789abcdef01234567"


class Title(BaseModel):
    title: str
    words: int


class FakeServer:
    """xllamacpp.Server at its boundary: records requests, replies with canned content."""

    def __init__(self, *replies):
        self.replies = list(replies)
        self.requests: list[dict] = []

    def handle_chat_completions(self, request):
        self.requests.append(request)
        reply = self.replies.pop(0)
        if isinstance(reply, dict) and "error" in reply:
            return reply
        content = reply if isinstance(reply, str) else json.dumps(reply)
        return {
            "choices": [{"message": {"content": content}}],
            "usage": {"prompt_tokens": 11, "completion_tokens": 5},
        }


def _parts(tmp_path, chunks: list[bytes]):
    paths = []
    for i, data in enumerate(chunks, 1):
        path = tmp_path / f"part{i:02d}.bin"
        path.write_bytes(data)
        paths.append(path)
    return paths


def test_joined_parts_with_the_pinned_hash_are_used(tmp_path):
    parts = _parts(tmp_path, [b"GGUF", b"-body-", b"end"])
    sha = hashlib.sha256(b"GGUF-body-end").hexdigest()

    path = join_parts(parts, tmp_path / "models" / "m.gguf", sha)

    assert path.read_bytes() == b"GGUF-body-end"
    # A second call checks the stamp and returns the same file without rejoining.
    assert join_parts(parts, path, sha) == path


def test_a_sha256_mismatch_is_refused_and_leaves_no_file(tmp_path):
    parts = _parts(tmp_path, [b"GGUF", b"tampered"])
    dest = tmp_path / "models" / "m.gguf"

    with pytest.raises(ModelIntegrityError, match="expected " + "ab" * 32):
        join_parts(parts, dest, "ab" * 32)

    assert not dest.exists()
    assert list(dest.parent.iterdir()) == []  # no temporary left behind either


def test_a_joined_file_changed_later_is_refused(tmp_path):
    parts = _parts(tmp_path, [b"GGUF", b"good"])
    sha = hashlib.sha256(b"GGUFgood").hexdigest()
    path = join_parts(parts, tmp_path / "m.gguf", sha)

    path.write_bytes(b"GGUFevil")  # same size, new mtime: the stamp no longer vouches for it
    os.utime(path, ns=(1, 1))

    with pytest.raises(ModelIntegrityError, match="refusing the language model"):
        verify(path, sha)


def _hf_cache(tmp_path):
    snapshot = tmp_path / "hf" / "models--acme--tiny-gguf" / "snapshots" / COMMIT / "q4"
    snapshot.mkdir(parents=True)
    (snapshot / "tiny.gguf").write_bytes(b"GGUF")
    refs = tmp_path / "hf" / "models--acme--tiny-gguf" / "refs"
    refs.mkdir()
    (refs / "main").write_text(COMMIT)
    return tmp_path / "hf"


def test_a_hugging_face_repo_file_resolves_from_the_offline_cache(tmp_path):
    assert os.environ["HF_HUB_OFFLINE"] == "1"
    cache = _hf_cache(tmp_path)

    path = resolve_model("acme/tiny-gguf/q4/tiny.gguf", hf_cache_dir=cache)

    assert path.read_bytes() == b"GGUF" and path.name == "tiny.gguf"
    assert model_installed("acme/tiny-gguf/q4/tiny.gguf", hf_cache_dir=cache) is runtime_installed()


def test_a_hugging_face_file_not_cached_offline_is_unavailable_not_a_crash(tmp_path):
    cache = _hf_cache(tmp_path)

    with pytest.raises(LocalLLMUnavailable, match="not in the Hugging Face cache"):
        resolve_model("acme/tiny-gguf/other.gguf", hf_cache_dir=cache)
    assert not model_installed("acme/tiny-gguf/other.gguf", hf_cache_dir=cache)


def test_a_missing_local_path_is_unavailable(tmp_path):
    with pytest.raises(LocalLLMUnavailable, match="no such file"):
        resolve_model(str(tmp_path / "absent.gguf"))
    assert not model_installed(str(tmp_path / "absent.gguf"))
    with pytest.raises(LocalLLMUnavailable):
        get_local_llm(str(tmp_path / "absent.gguf"), 1)


def test_a_local_path_is_used_as_is(tmp_path):
    model = tmp_path / "mine.gguf"
    model.write_bytes(b"GGUF")
    assert resolve_model(str(model)) == model


def test_chat_asks_for_the_schema_and_parses_into_the_model():
    server = FakeServer({"title": "Garden day", "words": 2})
    llm = LocalLLM(server, model_path="m.gguf", threads=2)

    gen = llm.chat([{"role": "user", "content": "x"}], Title, max_tokens=300)

    assert gen.value == Title(title="Garden day", words=2)
    fmt = server.requests[0]["response_format"]
    sent = fmt["json_schema"]["schema"]
    assert fmt["type"] == "json_schema" and sent["properties"].keys() == Title.model_json_schema()["properties"].keys()
    # The grammar is the schema bounded to the limit, and the request asks for no more than its bound.
    assert sent["x-guidance"]["whitespace_flexible"] is False and sent["additionalProperties"] is False
    assert server.requests[0]["max_tokens"] == output_tokens(sent) + 1 <= 301
    assert server.requests[0]["temperature"] == 0
    assert (llm.usage.requests, llm.usage.prompt_tokens, llm.usage.completion_tokens) == (1, 11, 5)


def test_a_limit_below_what_the_schema_itself_allows_is_refused_before_asking():
    class Long(BaseModel):
        text: str = Field(max_length=500)

    server = FakeServer()
    with pytest.raises(UnboundedSchema, match="max_tokens=100"):
        LocalLLM(server, model_path="m.gguf", threads=1).chat([{"role": "user", "content": "x"}], Long, max_tokens=100)
    assert server.requests == []


@pytest.mark.parametrize("reply", ['{"title": "cut sh', {"title": 3}, {"error": {"message": "ctx full"}}])
def test_a_reply_outside_the_schema_is_a_typed_error(reply):
    llm = LocalLLM(FakeServer(reply), model_path="m.gguf", threads=1)
    with pytest.raises(LocalLLMError):
        llm.chat([{"role": "user", "content": "x"}], Title)


@pytest.fixture(scope="session")
def real_llm():
    if not (runtime_installed() and PACKAGED_DEFAULT.installed()):
        pytest.skip("the packaged local model is not installed (scripts/setup.sh installs it)")
    return get_local_llm(None, None)


@pytest.mark.slow
def test_the_packaged_model_answers_in_the_schema(real_llm):
    gen = real_llm.chat(
        [{"role": "user", "content": "Give a title and its word count for: we planted tomatoes."}],
        Title,
        max_tokens=80,
    )
    assert isinstance(gen.value, Title) and gen.value.title.strip()
    assert gen.completion_tokens > 0
    assert real_llm.model_path.name == PACKAGED_DEFAULT.name


class Essay(BaseModel):
    text: str
    tags: list[str]


@pytest.mark.slow
def test_a_long_answer_under_a_tight_token_limit_is_still_whole_json(real_llm):
    """Issue 19: asked for more than the limit allows, the model used to stop mid-string (unterminated JSON,
    LocalLLMError). The bounded grammar closes the JSON inside the limit instead."""
    gen = real_llm.chat(
        [{"role": "user", "content": "Write a very long, detailed essay of at least 400 words about gardens, "
          "then at least 20 tags."}],
        Essay,
        max_tokens=60,
    )  # fmt: skip
    assert isinstance(gen.value, Essay) and gen.value.text.strip()
    assert gen.completion_tokens <= 61


def test_threads_default_to_the_cores_nobody_else_is_using(monkeypatch):
    from lifestream.core import local_llm

    monkeypatch.setattr(local_llm.os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    monkeypatch.setattr(local_llm.os, "getloadavg", lambda: (0.1, 0.1, 0.1))
    assert local_llm.default_threads() == 2
    # Two threads on a loaded 2-core machine stall each other at every barrier: one is faster.
    monkeypatch.setattr(local_llm.os, "getloadavg", lambda: (9.0, 9.0, 9.0))
    assert local_llm.default_threads() == 1


def test_the_model_is_loaded_once_per_process_whatever_the_load(tmp_path, monkeypatch):
    from lifestream.core import local_llm

    model = tmp_path / "m.gguf"
    model.write_bytes(b"GGUF")
    loads = []
    monkeypatch.setattr(local_llm, "_loaded", {})
    monkeypatch.setattr(
        local_llm.LocalLLM,
        "load",
        classmethod(
            lambda cls, path, threads: loads.append(threads) or cls(None, model_path=path, threads=threads)
        ),
    )
    load = iter([0.0, 9.0])
    monkeypatch.setattr(local_llm.os, "getloadavg", lambda: (next(load, 9.0),) * 3)

    first = get_local_llm(str(model))
    assert get_local_llm(str(model)) is first  # the free-core count changed; the model stays
    other = tmp_path / "other.gguf"
    other.write_bytes(b"GGUF")
    assert get_local_llm(str(other)) is not first  # another model replaces it
    assert len(loads) == 2 and local_llm._loaded == {(str(other), None): get_local_llm(str(other))}


def test_a_read_only_cache_still_verifies_and_uses_the_model(tmp_path, monkeypatch):
    from pathlib import Path

    parts = _parts(tmp_path, [b"GGUF", b"ro"])
    sha = hashlib.sha256(b"GGUFro").hexdigest()
    real_write = Path.write_text

    def refuse_stamps(self, *args, **kwargs):
        if self.name.endswith(".verified"):
            raise PermissionError(13, "Read-only file system", str(self))
        return real_write(self, *args, **kwargs)

    monkeypatch.setattr(Path, "write_text", refuse_stamps)
    path = join_parts(parts, tmp_path / "m.gguf", sha)
    assert verify(path, sha) == path and not (tmp_path / "m.gguf.verified").exists()
