"""The HTTP API (FastAPI): the one door for people and the web app, on this machine (`lifestream serve`)
and on AWS (behind API Gateway's JWT authorizer, through Mangum). It sits on `lifestream.service`."""

from lifestream.core.lazy import lazy_exports

_NAMES = {"create_app": "app"}
__all__ = ["create_app"]
__getattr__, __dir__ = lazy_exports(__name__, _NAMES)
