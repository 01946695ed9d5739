"""Forgetting a video: every version of its upload, everything made from it, and its job rows."""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from lifestream.core.constants import LOCAL_FILES_BUCKET, LOCAL_USER, UPLOAD_PREFIX
from lifestream.core.ownership import owner_of_key, upload_prefix
from lifestream.service.base import LibraryBase
from lifestream.service.models import DeleteReport

if TYPE_CHECKING:
    from lifestream.jobs import JobRecord


class Deletion(LibraryBase):
    def delete_video(self, owner: str, video_id: str) -> DeleteReport:
        """Forget a video completely: every version of its upload (and its subtitles), its results,
        checkpoints, vectors and job. Safe to repeat after a failure: the job row goes last, so a retry
        finds the video and finishes the rest. A file on this machine is never deleted (it is yours);
        only what LifeStream made from it."""
        job = self._job(owner, video_id)
        index = self.index(owner)
        # Every version of the object the store knows (an older one not yet replaced, a failed one).
        versions = [job, *self.jobs.other_versions(job)]
        objects = 0 if job.bucket == LOCAL_FILES_BUCKET else self._delete_upload(job)
        vectors = jobs = 0
        for version in versions:
            objects += self.results(version).forget(version.owner, version.video_id)
            vectors += index.delete(version.video_id)
        for version in versions:
            jobs += int(self.jobs.forget(version.id))
        return DeleteReport(video_id=video_id, objects=objects, vectors=vectors, jobs=jobs)

    def _delete_upload(self, job: JobRecord) -> int:
        from lifestream.core.sidecars import subtitle_files

        folder, _, name = job.key.rpartition("/")
        s3 = self.bucket_service(job.bucket)
        if owner_of_key(job.key) != LOCAL_USER and job.key.startswith(upload_prefix(job.owner)):
            # An API upload owns its whole folder: the video and its subtitles.
            return s3.delete_versions(s3.list_versions(folder + "/"))
        if not job.key.startswith(UPLOAD_PREFIX):
            return 0
        listed = s3.list_versions(f"{folder}/{PurePosixPath(name).stem}.")
        mine = {name, *subtitle_files(name, {k.rpartition("/")[2] for k, _ in listed})}
        return s3.delete_versions([(k, v) for k, v in listed if k.rpartition("/")[2] in mine])
