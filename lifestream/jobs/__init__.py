"""The job store (videos and their processing jobs) on SQLite locally or PostgreSQL (RDS) in AWS."""

from lifestream.jobs.errors import ClaimLostError
from lifestream.jobs.ids import video_id_for
from lifestream.jobs.records import Claim, ClaimOutcome, JobRecord
from lifestream.jobs.schema import JobStatus
from lifestream.jobs.store import JobStore

__all__ = ["Claim", "ClaimLostError", "ClaimOutcome", "JobRecord", "JobStatus", "JobStore", "video_id_for"]
