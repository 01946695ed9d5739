"""The service layer both faces call (the HTTP API and the CLI): a user's videos, diaries, media, uploads,
jobs, search and answers — every call scoped to the owner it is given (lifestream.service.library)."""

from lifestream.core.lazy import lazy_exports

_NAMES = {"Library": "library"}
__all__ = ["Library"]
__getattr__, __dir__ = lazy_exports(__name__, _NAMES)
