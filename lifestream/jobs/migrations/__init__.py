"""Alembic scripts of the job store. They live inside the package so they ship in the Lambda asset;
`lifestream.jobs.migrate` runs them programmatically (no alembic.ini needed)."""
