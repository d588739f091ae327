"""Which known articles a run fetches again, and how: RecheckPolicy on a real state
database; politeness; article versions; the history word diff."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from scrapy.settings import Settings
from scrapy.utils.test import get_crawler

from newsarchive.article_history import render_history, word_diff
from newsarchive.crawling.politeness import apply_politeness, is_local
from newsarchive.crawling.recheck import RecheckConfig, RecheckPolicy, parse_lastmod
from newsarchive.state.db import ArchiveState
from newsarchive.state.model import Capture, RecordSeen, next_version
from newsarchive.warc.writer import format_warc_date

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
URL = "http://news.test/politics/101.html"


def _capture(n: int, uri: str, when: datetime, status: int = 200, **kw) -> Capture:
    return Capture(
        record_id=f"<urn:uuid:{n:08d}-0000-0000-0000-000000000000>",
        record_type="revisit" if status == 304 else "response",
        uri=uri,
        status=status,
        date=format_warc_date(when),
        file="site-1.warc.gz",
        offset=n * 1000,
        length=900,
        site="site",
        **kw,
    )


def _record(state: ArchiveState, url: str = URL) -> None:
    state.add_record(
        RecordSeen.of({"url": url, "site": "site", "title": "t", "body": "b"}, "s.jsonl", 0)
    )


@pytest.fixture()
def state(tmp_path):
    db = ArchiveState(tmp_path / "state.sqlite")
    yield db
    db.close()


def _policy(state: ArchiveState, **settings) -> RecheckPolicy:
    crawler = get_crawler(settings_dict=settings)
    crawler.stats.open_spider()  # type: ignore[union-attr]
    policy = RecheckPolicy(crawler, RecheckConfig.from_settings(crawler.settings))
    policy.folder = SimpleNamespace(state=state, site="site")  # the folder's owner, in short
    policy.now = NOW
    return policy


def test_an_article_is_fetched_once_then_rechecked_on_its_schedule(state):
    policy = _policy(state)
    assert policy.decide(URL).reason == "new"
    first = NOW - timedelta(minutes=30)
    validators = {"etag": 'W/"101-1"', "last_modified": "Mon, 01 Jun 2026 11:00:00 GMT"}
    state.add_capture(_capture(1, URL, first, **validators))
    _record(state)
    assert (policy.decide(URL).fetch, policy.decide(URL).reason) == (False, "not_due")
    policy.now = first + timedelta(hours=1)
    due = policy.decide(URL)
    assert (due.fetch, due.reason) == (True, "due")
    assert due.headers == {
        "If-None-Match": 'W/"101-1"',
        "If-Modified-Since": "Mon, 01 Jun 2026 11:00:00 GMT",
    }
    assert due.revalidates == {
        "record_id": "<urn:uuid:00000001-0000-0000-0000-000000000000>",
        "uri": URL,
        "date": format_warc_date(first),
    }
    # answered 304 at +1 h: the next check is +6 h after the first capture, and the 304
    # revisits still revalidate against the full capture
    state.add_capture(_capture(2, URL, first + timedelta(hours=1), status=304))
    policy.now = first + timedelta(hours=5)
    assert policy.decide(URL).reason == "not_due"
    policy.now = first + timedelta(hours=6)
    assert policy.decide(URL).revalidates["record_id"].startswith("<urn:uuid:00000001")
    state.add_capture(_capture(3, URL, first + timedelta(hours=6), status=304))
    state.add_capture(_capture(4, URL, first + timedelta(days=1), status=304))
    state.add_capture(_capture(5, URL, first + timedelta(days=7), status=304))
    policy.now = first + timedelta(days=400)
    assert (policy.decide(URL).fetch, policy.decide(URL).reason) == (False, "done")
    # but a sitemap saying it changed after the last check brings it back
    changed = policy.decide(URL, lastmod=first + timedelta(days=8))
    assert (changed.fetch, changed.reason) == (True, "changed")
    stats = policy.stats.get_stats()
    assert stats["newsarchive/recheck/skipped/done"] == 2
    assert stats["newsarchive/recheck/changed"] == 1


@pytest.mark.parametrize(("mode", "fetch"), [("all", True), ("none", False)])
def test_recheck_all_and_none_override_the_schedule(state, mode, fetch):
    state.add_capture(_capture(1, URL, NOW - timedelta(minutes=1)))
    _record(state)
    policy = _policy(state, NEWSARCHIVE_RECHECK=mode)
    assert policy.decide(URL).fetch is fetch
    assert list(policy.scheduled_urls()) == ([URL] if fetch else [])


def test_scheduled_urls_are_the_known_articles_due_now(state):
    fresh, old, done = URL, URL.replace("101", "102"), URL.replace("101", "103")
    state.add_capture(_capture(1, fresh, NOW - timedelta(minutes=10)))
    state.add_capture(_capture(2, old, NOW - timedelta(hours=2)))
    state.add_capture(_capture(3, done, NOW - timedelta(days=30)))
    for n, days in enumerate((1 / 24, 0.25, 1, 7), start=4):
        state.add_capture(_capture(n, done, NOW - timedelta(days=30 - days), status=304))
    for url in (fresh, old, done):
        _record(state, url)
    state.add_capture(_capture(9, "http://news.test/section/", NOW - timedelta(days=3)))
    assert list(_policy(state).scheduled_urls()) == [old]


def test_a_url_that_moved_permanently_is_rechecked_at_its_target(state):
    wrong = "http://news.test/world/101.html"
    state.add_capture(_capture(1, wrong, NOW - timedelta(days=2), status=301, redirect_to=URL))
    state.add_capture(_capture(2, URL, NOW - timedelta(days=2), etag='"x"'))
    _record(state)
    decision = _policy(state, NEWSARCHIVE_RECHECK="all").decide(wrong)
    assert (decision.fetch, decision.url) == (True, URL)
    assert decision.headers == {"If-None-Match": '"x"'}
    assert _policy(state).decide(wrong).url == URL  # not due: nothing fetched either way


def test_listing_chains_stop_only_on_a_site_crawled_before(state):
    _record(state)
    policy = _policy(state)
    assert not policy.stop_listing([URL])  # no finished run: a first crawl walks it all
    policy.seen_site_before = True
    assert policy.stop_listing([URL])
    assert not policy.stop_listing([URL, URL.replace("101", "999")])  # something new
    assert not policy.stop_listing([])
    since = _policy(state, NEWSARCHIVE_SINCE="2020-01-01")
    since.seen_site_before = True
    assert not since.stop_listing([URL])


def test_old_sitemaps_are_skipped_only_on_a_site_crawled_before(state):
    policy = _policy(state)
    old = NOW - timedelta(days=45)
    assert policy.sitemap_wanted(old)
    policy.seen_site_before = True
    assert not policy.sitemap_wanted(old)
    assert policy.sitemap_wanted(NOW - timedelta(days=3)) and policy.sitemap_wanted(None)
    since = _policy(state, NEWSARCHIVE_SINCE="2026-04-01")
    assert since.sitemap_wanted(old) and not since.sitemap_wanted(datetime(2026, 3, 1, tzinfo=UTC))


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("NEWSARCHIVE_RECHECK", "sometimes"),
        ("NEWSARCHIVE_RECHECK_AFTER", "1h,soon"),
        ("NEWSARCHIVE_SINCE", "last week"),
        ("NEWSARCHIVE_SITEMAP_WINDOW", "a month"),
    ],
)
def test_bad_recheck_settings_are_refused(name, value):
    with pytest.raises(ValueError):
        RecheckConfig.from_settings(Settings({name: value}))


def test_parse_lastmod():
    assert parse_lastmod("2024-05-02") == datetime(2024, 5, 2, tzinfo=UTC)
    assert parse_lastmod("2024-05-02T14:12:00+04:00") == datetime(2024, 5, 2, 10, 12, tzinfo=UTC)
    assert parse_lastmod("2024-05-02T10:12:00Z") == datetime(2024, 5, 2, 10, 12, tzinfo=UTC)
    assert parse_lastmod("yesterday") is None and parse_lastmod(None) is None


# --------------------------------------------------------------------------- politeness


def test_politeness_is_on_for_live_sites_and_off_for_this_machine():
    assert is_local("http://127.0.0.1:8101/") and is_local("http://[::1]:80/")
    assert is_local("http://localhost:9/") and not is_local("https://en.trend.az/")
    local = Settings()
    assert not apply_politeness(local, ["http://127.0.0.1:8101/", "http://localhost/"])
    assert not local.getbool("AUTOTHROTTLE_ENABLED")
    live = Settings()
    assert apply_politeness(live, ["http://127.0.0.1:8101/", "https://en.trend.az/"])
    assert live.getbool("AUTOTHROTTLE_ENABLED") and live.getfloat("DOWNLOAD_DELAY") == 1.0
    explicit = Settings({"DOWNLOAD_DELAY": 5}, priority="cmdline")
    apply_politeness(explicit, ["https://en.trend.az/"])
    assert explicit.getfloat("DOWNLOAD_DELAY") == 5  # what the operator said wins
    forced = Settings({"NEWSARCHIVE_POLITENESS": "on"})
    assert apply_politeness(forced, ["http://127.0.0.1/"])
    with pytest.raises(ValueError):
        apply_politeness(Settings({"NEWSARCHIVE_POLITENESS": "maybe"}), [])


# --------------------------------------------------------------------------- versions


ARTICLE = {
    "url": URL,
    "site": "site",
    "title": "Bridge opens",
    "body": "The bridge opened on Monday.\n\nThousands came.",
    "published": "2026-06-01T10:00:00+04:00",
    "dateline": None,
    "boilerplate": {"headlines": [{"title": "A", "url": "http://news.test/a.html"}]},
    "warc": {"file": "f.warc.gz", "offset": 0, "length": 10, "record_id": "<urn:uuid:1>"},
}


def test_boilerplate_alone_is_no_new_version_and_text_is():
    assert next_version(ARTICLE, None) == (1, None)
    stored = RecordSeen.of({**ARTICLE, "version": 1}, "s.jsonl", 0)
    rails = {**ARTICLE, "boilerplate": {"headlines": []}, "warc": {"record_id": "<urn:uuid:2>"}}
    assert next_version(rails, stored) is None
    fixed = {**ARTICLE, "body": ARTICLE["body"] + " (Corrected.)"}
    assert next_version(fixed, stored) == (2, ARTICLE["warc"])
    second = RecordSeen.of({**fixed, "version": 2}, "s.jsonl", 99)
    retitled = {**fixed, "title": "Bridge reopens"}
    assert next_version(retitled, second) == (3, fixed["warc"])


def test_word_diff_shows_changed_words_with_context():
    old = "one two three four five six seven eight nine ten eleven twelve thirteen fourteen"
    new = old.replace("seven", "SEVEN") + " fifteen"
    assert word_diff(old, new, context=2) == (
        "… five six [-seven-] {+SEVEN+} eight nine … thirteen fourteen {+fifteen+}"
    )
    assert word_diff("same  text", "same text") == ""


def test_render_history_lists_versions_and_changes():
    v1 = {**ARTICLE, "version": 1, "fetched_at": "2026-06-01T10:05:00Z"}
    v2 = {
        **ARTICLE,
        "version": 2,
        "fetched_at": "2026-06-01T16:05:00Z",
        "title": "Bridge reopens",
        "body": "The bridge opened on Tuesday.\n\nThousands came.",
        "warc": {"file": "g.warc.gz", "offset": 7, "length": 10, "record_id": "<urn:uuid:3>"},
    }
    text = render_history(URL, [v1, v2])
    assert text.splitlines() == [
        f"{URL}: 2 versions",
        "version 1  captured 2026-06-01T10:05:00Z  warc f.warc.gz#0",
        "  title: Bridge opens",
        "version 2  captured 2026-06-01T16:05:00Z  warc g.warc.gz#7",
        "  title: Bridge [-opens-] {+reopens+}",
        "  body, paragraph 1: The bridge opened on [-Monday.-] {+Tuesday.+}",
    ]


def test_feeds_say_when_an_entry_changed():
    from newsarchive.discovery.sources import feed_entries

    atom = b"""<feed xmlns="http://www.w3.org/2005/Atom"><entry>
      <link href="/a/1.html"/><published>2026-01-01T10:00:00Z</published>
      <updated>2026-01-02T08:30:00Z</updated></entry>
      <entry><link href="/a/2.html"/></entry></feed>"""
    assert list(feed_entries(atom, "http://news.test/feed")) == [
        ("http://news.test/a/1.html", "2026-01-02T08:30:00Z"),
        ("http://news.test/a/2.html", None),
    ]
    rss = b"""<rss xmlns:atom="http://www.w3.org/2005/Atom"><channel><item>
      <link>http://news.test/a/3.html</link><pubDate>Thu, 01 Jan 2026 10:00:00 GMT</pubDate>
      <atom:updated>2026-01-03T00:00:00+04:00</atom:updated></item><item>
      <link>http://news.test/a/4.html</link><pubDate>Thu, 01 Jan 2026 10:00:00 GMT</pubDate>
      </item></channel></rss>"""
    entries = list(feed_entries(rss, "http://news.test/rss"))
    assert entries == [
        ("http://news.test/a/3.html", "2026-01-03T00:00:00+04:00"),
        ("http://news.test/a/4.html", None),  # pubDate is the publication, not a change
    ]
    assert parse_lastmod(entries[0][1]) == datetime(2026, 1, 2, 20, 0, tzinfo=UTC)
