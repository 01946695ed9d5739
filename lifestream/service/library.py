"""`Library`: everything a person can do with their library, for the HTTP API and the CLI alike.

One class over the service's rooms, each in its own module: reading videos, diaries and media
(`videos`), uploads (`uploads`), forgetting (`deletion`), search and ask (`asking`) and speaker renames
(`speakers`). Bad input raises `RequestError` naming the field, before anything is written.
"""

from __future__ import annotations

from lifestream.service.asking import Asking
from lifestream.service.deletion import Deletion
from lifestream.service.speakers import Speakers
from lifestream.service.uploads import Uploads
from lifestream.service.videos import Videos


class Library(Speakers, Videos, Uploads, Deletion, Asking):
    """One user's library, for any user: pass the owner to every call. Heavy parts (job store, embedder,
    vector store, S3 client) are built on first use and shared by every request of the process."""
