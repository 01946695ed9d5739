"""Issue 19's views in a real browser (Debian's Chromium) over `lifestream serve` and a worker: the
library shows each video's diary title and a keyframe thumbnail, the day view opens with the day's
digest whose citations play their moment, and search shows what was found apart from what is related."""

from __future__ import annotations

import pytest

from tests.web.conftest import screenshots
from tests.web.test_web_e2e import _assert_plays_near, files, garden, page  # noqa: F401 - fixtures

pytestmark = pytest.mark.slow

LOADED = "(img) => img.complete && img.naturalWidth > 0"


def test_library_rows_show_the_diary_title_and_a_thumbnail(site, garden, page):  # noqa: F811
    (video,) = [v for v in site.videos() if v["video_id"] == garden["video_id"]]
    assert video["diary_title"] and video["thumbnail"]
    page.goto(f"{site.url}/")
    row = page.locator(".video-row", has_text="garden-walk.mp4")
    row.wait_for()
    assert row.locator("a.title").inner_text() == video["diary_title"]
    assert row.locator(".file").inner_text() == "garden-walk.mp4"
    thumb = row.locator("img.thumb")
    page.wait_for_function(f"() => ({LOADED})(document.querySelector('.video-row img.thumb'))")
    assert thumb.get_attribute("src").split("?")[0].endswith(".jpg")
    # The filter reads diary titles too.
    page.get_by_label("Filter by title").fill(video["diary_title"].split()[0])
    row.wait_for()
    screenshots(page, "library-titles")


def test_the_day_view_opens_with_its_digest_and_a_citation_plays(site, garden, page):  # noqa: F811
    date = garden["day_href"].split("/day/")[1].split("?")[0]
    (line,) = site.api(f"/api/days/{date}").json()["digest"]
    page.goto(f"{site.url}/day/{date}")
    digest = page.get_by_role("region", name="The day in brief")
    digest.wait_for()
    assert line["text"] in digest.inner_text()
    (video,) = [v for v in site.videos() if v["video_id"] == garden["video_id"]]
    assert page.locator(".video-head h2").inner_text() == video["diary_title"]
    assert "garden-walk.mp4" in page.locator(".video-head .meta").inner_text()
    links = digest.locator("a.cite")
    assert links.count() == len(line["citations"]) >= 1
    last = line["citations"][-1]
    links.nth(links.count() - 1).click()
    page.wait_for_url(f"**/day/{date}?v={garden['video_id']}&t=*")
    _assert_plays_near(page, last["start"])
    page.evaluate("() => document.querySelector('video').pause()")
    screenshots(page, "day-digest")


def test_search_shows_found_apart_from_related(site, garden, page):  # noqa: F811
    page.goto(f"{site.url}/search")
    page.get_by_label("Look for").fill("compost")
    page.get_by_role("button", name="Search").click()
    found = page.locator("ol.hits.found")
    found.wait_for()
    assert page.get_by_role("heading", name="Found", exact=True).is_visible()
    assert all("compost" in t.lower() for t in found.locator(".hit-text").all_inner_texts())
    related = page.locator("ol.hits.related")
    related.wait_for()
    assert not any("compost" in t.lower() for t in related.locator(".hit-text").all_inner_texts())
    hits = site.api("/api/search", params={"q": "compost", "top_k": 20}).json()
    assert found.locator("li").count() == sum(h["found"] for h in hits) >= 1
    assert related.locator("li").count() == sum(not h["found"] for h in hits) >= 1
    screenshots(page, "search-groups")


def test_a_question_about_the_day_is_answered_line_by_line_with_its_moments(site, garden, page):  # noqa: F811
    date = garden["day_href"].split("/day/")[1].split("?")[0]
    page.goto(f"{site.url}/ask")
    page.get_by_label("Your question").fill(f"What did I do on {date}?")
    page.get_by_role("button", name="Ask").click()
    text = page.locator(".answer-text")
    text.wait_for()
    lines = [line for line in text.inner_text().splitlines() if line.strip()]
    assert lines[0] == "On Friday 15 March 2024:" and lines[1].startswith("- At 09:30: ")
    cites = text.locator("button.inline-cite")
    assert cites.count() == len(lines) - 1 >= 2
    cites.nth(1).click()
    second = site.api(f"/api/days/{date}").json()["videos"][0]["diary"]["blocks"][1]["start"]
    _assert_plays_near(page, second)
    page.evaluate("() => document.querySelector('video').pause()")
    screenshots(page, "ask-day")
