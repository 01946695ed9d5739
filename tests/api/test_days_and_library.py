"""Two signed-in users through the HTTP API on the real flow (moto server, the worker, PostgreSQL): the
library's diary titles and thumbnails, the day digest, day questions and search's found / related flags
each hold only the caller's own videos (issue 19, sections 3 and 4)."""

from __future__ import annotations

import re

import httpx

from tests.api.test_isolation import A, B, world  # noqa: F401 - the two users' processed videos

DAY = "2026-05-02"  # the sample video's recording day


def test_the_library_shows_each_users_diary_titles_and_thumbnails(world):  # noqa: F811
    api, _, a_video, _, b_video = world
    c = api.client
    (mine,) = c.get("/api/videos", headers=api.as_user(A)).json()["items"]
    (theirs,) = c.get("/api/videos", headers=api.as_user(B)).json()["items"]
    assert mine["video_id"] == a_video["video_id"] and theirs["video_id"] == b_video["video_id"]
    assert mine["title"] == "my-day.mp4" and mine["diary_title"] and mine["diary_title"] != mine["title"]
    assert "local_thumbnail" not in mine
    # The thumbnail is a presigned GET of one of the owner's own keyframes, as the media view gives them.
    assert f"/results/{A}/{mine['video_id']}/keyframes/" in mine["thumbnail"].split("?")[0]
    assert f"/results/{B}/" in theirs["thumbnail"].split("?")[0]
    shown = httpx.get(mine["thumbnail"])
    assert shown.status_code == 200 and shown.content[:2] == b"\xff\xd8"
    media = c.get(f"/api/videos/{mine['video_id']}/media", headers=api.as_user(A)).json()
    assert mine["thumbnail"].split("?")[0] in [u.split("?")[0] for u in media["keyframes"]]
    diary = c.get(f"/api/videos/{mine['video_id']}", headers=api.as_user(A)).json()
    assert diary["video"]["diary_title"] == mine["diary_title"]


def test_each_users_day_digest_and_day_answer_are_their_own(world):  # noqa: F811
    api, _, a_video, _, b_video = world
    c = api.client
    for user, own, other in ((A, a_video, b_video), (B, b_video, a_video)):
        day = c.get(f"/api/days/{DAY}", headers=api.as_user(user)).json()
        (line,) = day["digest"]
        # Recorded 09:30 UTC; the clock time is the machine's zone (LIFESTREAM_TIMEZONE is unset here).
        assert line["video_id"] == own["video_id"] and re.fullmatch(r"\d\d:\d\d", line["at"])
        assert line["citations"] and {x["video_id"] for x in line["citations"]} == {own["video_id"]}
        assert other["video_id"] not in str(day)
        answer = c.post("/api/ask", json={"question": f"What did I do on {DAY}?"}, headers=api.as_user(user))
        body = answer.json()
        assert answer.status_code == 200 and body["grounded"], body
        assert body["text"].startswith(f"On Saturday 2 May 2026:\n- At {line['at']}")
        assert {x["video_id"] for x in body["citations"]} == {own["video_id"]}
    empty = c.post("/api/ask", json={"question": "Who did I talk to on 2026-05-01?"}, headers=api.as_user(A))
    assert empty.json()["text"] == "Not in your videos: you have no videos recorded on Friday 1 May 2026."


def test_search_flags_what_was_found_apart_from_what_is_related(world):  # noqa: F811
    api, _, a_video, _, b_video = world
    found = api.client.get("/api/search", params={"q": "compost", "top_k": 20}, headers=api.as_user(A))
    hits = found.json()
    assert found.headers["Search-Found"] == "true"
    assert {h["video_id"] for h in hits} == {a_video["video_id"]}
    assert any(h["found"] for h in hits)
    assert all("compost" in h["text"].lower() for h in hits if h["found"])
