"""The replica's later state: new and corrected articles, new boilerplate, 304s."""

from __future__ import annotations

import http.client
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from urllib.parse import urlsplit

import pytest

from newsarchive.replica import Replica, ReplicaServer
from newsarchive.replica.pages import http_date, make_resource
from tests.test_replica import check_expected_records

NOW = datetime(2024, 6, 15, 10, 40, 12, tzinfo=UTC)
SEED = 7


def _content(art) -> tuple:
    return (art.title, tuple(art.paragraphs), art.published, art.dateline)


@pytest.fixture(scope="module")
def states() -> tuple[Replica, Replica]:
    first = Replica(seed=SEED, now=NOW)
    return first, first.later(hours=6, new=7, corrected=5)


def test_later_state_publishes_and_corrects_exactly_what_it_says(states):
    first, later = states
    assert len(first.articles) == 360 and len(later.articles) == 367
    assert len(later.new_articles) == 7 and len(later.corrected_articles) == 5
    before = {(a.site, a.id): a for a in first.articles}
    for art in later.new_articles:
        assert (art.site, art.id) not in before
        assert NOW < art.published <= later.now
        assert art.id > max(i for s, i in before if s == art.site)
        assert later.edition(art.site, art.lang)[0].published >= art.published
    changed = {(a.site, a.id) for a in later.corrected_articles}
    for art in later.articles:
        old = before.get((art.site, art.id))
        if old is None:
            continue
        if (art.site, art.id) in changed:
            assert art.paragraphs != old.paragraphs and art.revision == 2
            assert art.published == old.published and art.dateline == old.dateline
            assert NOW < art.modified <= later.now
        else:
            assert _content(art) == _content(old) and art.revision == 1
    # every other correction also changes a word of the title
    assert sum(a.title != before[(a.site, a.id)].title for a in later.corrected_articles) >= 2
    # the first state is untouched, and the later state is deterministic
    assert Replica(seed=SEED, now=NOW).articles[0].title == first.articles[0].title
    again = first.later(hours=6, new=7, corrected=5)
    assert [_content(a) for a in again.articles] == [_content(a) for a in later.articles]


def test_boilerplate_changes_on_every_page_that_has_any(states):
    first, later = states
    origins = {k: f"http://127.0.0.1:{9000 + i}" for i, k in enumerate(
        ("trend-en", "trend-az", "trend-ru", "bakutel"))}  # fmt: skip
    old = {r["url"]: r for r in first.expected_records(origins)}
    with_boilerplate = changed = 0
    for rec in later.expected_records(origins):
        prev = old.get(rec["url"])
        if prev is None:
            continue
        bp = prev["boilerplate"]
        if bp["headlines"] or bp["rates"]:
            with_boilerplate += 1
            changed += rec["boilerplate"] != bp
    assert with_boilerplate > 250
    assert changed == with_boilerplate


@pytest.fixture(scope="module")
def server(states):
    first, _ = states
    with ReplicaServer(first) as srv:
        yield srv


def _get(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.netloc, timeout=5)
    try:
        conn.request("GET", parts.path, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()


def test_article_pages_carry_validators_and_answer_conditional_requests(server, states):
    first, _ = states
    server.serve(first)
    trend = first.edition("trend", "en")[3]
    url = server.url_for(trend)
    status, head, _ = _get(url)
    assert status == 200
    assert head["etag"] == f'W/"{trend.id}-1"'
    assert head["last-modified"] == format_datetime(trend.published.astimezone(UTC), usegmt=True)
    status, head304, body = _get(url, {"If-None-Match": head["etag"]})
    assert (status, body) == (304, b"")
    assert head304["etag"] == head["etag"] and "content-length" not in head304
    # a list of tags, one weak match is enough; another tag is a full answer
    assert _get(url, {"If-None-Match": f'"x", "{trend.id}-1"'})[0] == 304
    assert _get(url, {"If-None-Match": '"other"'})[0] == 200
    # If-None-Match decides when present, whatever If-Modified-Since says
    later_date = http_date(first.now + timedelta(days=1))
    assert _get(url, {"If-None-Match": '"other"', "If-Modified-Since": later_date})[0] == 200

    baku = first.edition("bakutel", "en")[2]
    url = server.url_for(baku)
    status, head, _ = _get(url)
    assert status == 200 and "etag" not in head
    assert _get(url, {"If-Modified-Since": head["last-modified"]})[0] == 304
    earlier = http_date(baku.published - timedelta(seconds=1))
    assert _get(url, {"If-Modified-Since": earlier})[0] == 200
    assert _get(url, {"If-Modified-Since": "not a date"})[0] == 200
    # listings carry no validators: always a full answer
    assert _get(server.roots["bakutel"][0], {"If-Modified-Since": later_date})[0] == 200


def test_serving_the_later_state_on_the_same_ports(server, states):
    first, later = states
    server.serve(first)
    fixed = later.corrected_articles[0]
    same = next(a for a in later.edition("trend", "en")[8:] if a.revision == 1)
    url_fixed, url_same = server.url_for(fixed), server.url_for(same)
    etag_fixed = _get(url_fixed)[1].get("etag")
    lm_fixed = _get(url_fixed)[1]["last-modified"]
    etag_same = _get(url_same)[1]["etag"]
    new = later.new_articles[0]
    origins = dict(server.origins)
    try:
        assert _get(server.url_for(new))[0] in (301, 404)
        server.serve(later)
        assert server.origins == origins
        assert _get(server.url_for(new))[0] == 200
        conditional = (
            {"If-None-Match": etag_fixed} if etag_fixed else {"If-Modified-Since": lm_fixed}
        )
        status, _, body = _get(url_fixed, conditional)
        assert status == 200 and fixed.paragraphs[-1].split()[0].encode() in body
        assert _get(url_same, {"If-None-Match": etag_same})[0] == 304
        check_expected_records(server)
    finally:
        server.serve(first)


def test_a_resource_without_validators_never_answers_304():
    res = make_resource(200, b"x")
    assert not res.matches({"If-None-Match": "*"})
    assert not res.matches({"If-Modified-Since": "Sun, 06 Nov 2044 08:49:37 GMT"})
    tagged = make_resource(200, b"x", etag='"a"')
    assert tagged.matches({"if-none-match": "*"})
    assert not make_resource(404, b"", etag='"a"').matches({"If-None-Match": '"a"'})
