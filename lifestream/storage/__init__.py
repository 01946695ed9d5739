"""Object storage: S3 (or the local moto server) through one `S3Service` — uploads, downloads, listings,
presigned URLs, deletes — and `results`, the one home of where a video's outputs and checkpoint live.
"""

from lifestream.core.lazy import lazy_exports

_NAMES = {
    "S3Service": "s3_service",
    "ObjectMetadata": "s3_service",
    "ObjectSummary": "s3_service",
    "ResultStore": "results",
}
__all__ = ["ObjectMetadata", "ObjectSummary", "ResultStore", "S3Service"]
__getattr__, __dir__ = lazy_exports(__name__, _NAMES)
