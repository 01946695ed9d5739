"""`process_video`: one video → diary (JSON + Markdown + keyframes) → indexed chunks, for the CLI and the
worker alike. `plan` decides which stages run, `run` runs them within the time budget and hands over
when it runs out, and one module per group of stages does the work; indexing is last, so a video is
never half-indexed.
"""

from lifestream.understand.pipeline.plan import STAGES
from lifestream.understand.pipeline.run import ProcessResult, process_video

__all__ = ["STAGES", "ProcessResult", "process_video"]
