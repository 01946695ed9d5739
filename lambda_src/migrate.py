"""Placeholder for the deploy-time migration trigger; the job-store issue (#4) replaces it."""


def handler(event, context):
    return {"status": "noop"}
