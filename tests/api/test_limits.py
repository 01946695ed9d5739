"""One user must not starve the others: per-user rate limits (a token bucket per user in the job database)
and upload quotas, through the HTTP API with two signed-in users on real PostgreSQL. The flooding user
gets 429 with a Retry-After that is honest; the other is served as if nothing happened."""

from __future__ import annotations

import threading

import pytest
from fastapi.testclient import TestClient

from lifestream.api import create_app
from lifestream.service import Library
from lifestream.service.uploads import Uploads

A, B = "alice-sub-1", "bob-sub-2"


LIMITS = dict(
    rate_requests_per_minute=30,
    rate_requests_burst=6,
    rate_asks_per_minute=3,
    rate_asks_burst=2,
    quota_uploads_in_flight=2,
    quota_bytes_per_day=1000,
)


@pytest.fixture
def api_function(jwt_settings, embedder):
    """A factory of API functions with small limits (LIMITS, or overrides) on one shared job database,
    as several warm Lambdas of one stage are: each with its own library and database connections."""
    libraries = []

    def make(**overrides) -> TestClient:
        settings = jwt_settings(**{**LIMITS, **overrides})
        libraries.append(Library(settings, embedder=embedder))
        return TestClient(create_app(settings, library=libraries[-1]), raise_server_exceptions=False)

    yield make
    for library in libraries:
        library.close()


@pytest.fixture
def limited(api_function, keys):
    """The API with small limits: 3 questions a minute, bursts of 2; 30 requests a minute, bursts of 6;
    2 videos in flight; 1,000 bytes a day."""
    yield api_function(), (lambda who: {"Authorization": f"Bearer {keys.token(who)}"})


def _ask(client, headers):
    return client.post("/api/ask", json={"question": "what did we decide?"}, headers=headers)


def test_one_user_flooding_ask_is_limited_and_the_other_is_served(limited):
    client, as_user = limited
    # GIVEN alice asking as fast as she can
    answers = [_ask(client, as_user(A)) for _ in range(5)]
    # THEN her burst is served, then 429 with a Retry-After that says when a question is allowed again
    assert [r.status_code for r in answers] == [200, 200, 429, 429, 429]
    refused = answers[-1]
    assert refused.json()["error"] == "too_many" and "a minute" in refused.json()["message"]
    assert 1 <= int(refused.headers["Retry-After"]) <= 20
    # AND bob, at the same moment, is served in full: his own burst, untouched by hers
    assert [_ask(client, as_user(B)).status_code for _ in range(2)] == [200, 200]
    # AND alice may still do other things (the requests bucket is not empty)
    assert client.get("/api/videos", headers=as_user(A)).status_code == 200


def test_every_route_spends_from_one_requests_bucket_per_user(limited):
    client, as_user = limited
    statuses = [client.get("/api/videos", headers=as_user(A)).status_code for _ in range(8)]
    # The burst of 6 goes through; the refill (one every 2 s) cannot keep up with a loop.
    assert statuses[:6] == [200] * 6 and 429 in statuses[6:]
    assert client.get("/api/jobs", headers=as_user(B)).status_code == 200
    # The limit is checked after sign-in: an anonymous flood is the stage throttle's, not a user's.
    assert client.get("/api/videos").status_code == 401


def _presign(client, headers, name="walk.mp4", size=100):
    return client.post(
        "/api/uploads", json={"filename": name, "size": size, "content_type": "video/mp4"}, headers=headers
    )


def test_upload_quotas_are_per_user_with_clear_answers(limited):
    client, as_user = limited
    # Videos in flight: alice may have 2 signed and not yet processed.
    assert [_presign(client, as_user(A), f"v{i}.mp4").status_code for i in range(2)] == [201, 201]
    third = _presign(client, as_user(A), "v3.mp4")
    assert third.status_code == 429 and third.json()["error"] == "too_many"
    assert "at once" in third.json()["message"] and int(third.headers["Retry-After"]) > 0
    # Bytes a day: bob sends 900 of his 1,000, then 200 more does not fit until tomorrow ...
    assert _presign(client, as_user(B), size=900).status_code == 201
    over = _presign(client, as_user(B), size=200)
    assert over.status_code == 429 and "24 hours" in over.json()["message"]
    assert 23 * 3600 < int(over.headers["Retry-After"]) <= 24 * 3600
    # ... and a file over the whole daily allowance never fits: 413, no Retry-After.
    huge = _presign(client, as_user(B), size=1001)
    assert huge.status_code == 413 and huge.json()["field"] == "size" and "Retry-After" not in huge.headers


@pytest.mark.parametrize(
    "limits, already, racing, refusal",
    [
        # One video slot left of 2: one presign signed, two race for the other.
        ({}, 100, 100, "at once"),
        # 100 bytes left of the day's 1,000 (no cap on videos in flight): two race for them.
        ({"quota_uploads_in_flight": 0}, 900, 100, "24 hours"),
    ],
    ids=["last-video-slot", "last-bytes-of-the-day"],
)
def test_two_presigns_racing_for_the_last_of_a_quota_on_two_functions_get_one_ticket(
    api_function, keys, monkeypatch, limits, already, racing, refusal
):
    # GIVEN two API functions on one job database, and alice with room for exactly one more upload
    first, second = api_function(**limits), api_function(**limits)
    headers = {"Authorization": f"Bearer {keys.token(A)}"}
    assert _presign(first, headers, "v0.mp4", size=already).status_code == 201
    # Widen the race to its worst case: a presign that passed its check waits (up to 2 s) for the other
    # to pass its own before recording its ticket. Checking and recording apart, both would pass.
    check, gate = Uploads._check_quota, threading.Barrier(2)

    def check_then_wait(*args, **kwargs):
        check(*args, **kwargs)  # over the quota: raises, and never reaches the gate
        try:
            gate.wait(timeout=2)
        except threading.BrokenBarrierError:
            pass  # the other presign is held back (by the owner's lock): go on alone

    monkeypatch.setattr(Uploads, "_check_quota", check_then_wait)
    answers: dict[str, object] = {}

    def presign(name: str, client: TestClient) -> None:
        answers[name] = _presign(client, headers, f"{name}.mp4", size=racing)

    threads = [threading.Thread(target=presign, args=pair) for pair in [("a", first), ("b", second)]]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    # WHEN both presign the same last slot at once, THEN exactly one gets a ticket and the other a 429
    statuses = sorted(r.status_code for r in answers.values())
    assert statuses == [201, 429], [r.text for r in answers.values()]
    (refused,) = [r for r in answers.values() if r.status_code == 429]
    assert refusal in refused.json()["message"] and int(refused.headers["Retry-After"]) > 0
