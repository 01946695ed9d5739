"""The service layer both faces call (the HTTP API and the CLI): a user's videos, diaries, media, uploads,
jobs, search and answers — every call scoped to the owner it is given. `Library` joins the modules of each concern."""

from lifestream.core.lazy import lazy_exports

_NAMES = {"Library": "library", "parse_filters": "asking"}
__all__ = ["Library", "parse_filters"]
__getattr__, __dir__ = lazy_exports(__name__, _NAMES)
