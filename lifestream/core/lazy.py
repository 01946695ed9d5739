"""Rooms export their public names lazily (PEP 562): importing one light module of a room, such as
`lifestream.core.constants` from the CDK stacks or `lifestream.understand.diary` from the API, must not load
the room's heavy modules (PyAV, FAISS, models)."""

from __future__ import annotations

import importlib
from collections.abc import Callable


def lazy_exports(
    package: str, names: dict[str, str]
) -> tuple[Callable[[str], object], Callable[[], list[str]]]:
    """`__getattr__` and `__dir__` for a package whose public `names` live in the given submodules."""

    def __getattr__(name: str) -> object:
        module = names.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(importlib.import_module(f"{package}.{module}"), name)

    def __dir__() -> list[str]:
        return sorted(names)

    return __getattr__, __dir__
