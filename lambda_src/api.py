"""API Lambda handler: the FastAPI app behind API Gateway's HTTP API (payload format 2.0), via Mangum.

The app is built at import, once per container, so a warm invocation only routes. `lifespan="off"`:
Lambda has no shutdown hook to run a lifespan's exit half, and the app opens what it needs lazily.
On AWS `LIFESTREAM_AUTH=gateway`: the JWT authorizer has verified the token before the function runs,
and the app reads the user from the authorizer's claims in the event (`scope["aws.event"]`).
"""

from mangum import Mangum

from lifestream.api import create_app

handler = Mangum(create_app(), lifespan="off")
