"""Deterministic generation of both replica sites from ``(seed, now)``.

:class:`Replica` builds every article of the three Trend editions and the three BakuTel
editions, decides which layout "varies" items each page exercises (recorded in
``Article.features``) and can render the sites for given origins or list the records a
correct extraction yields. It opens no socket; see ``server.py`` for that.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar

from newsarchive.replica import words
from newsarchive.replica.model import BAKU, Article, Link, Rail, RateTable

T = TypeVar("T")

UNDATED_SITES = frozenset({"bakutel"})
"""The sites ``Replica(undated=...)`` can name."""

TREND_SECTION_KEYS: list[str] = [f"{s}/{sub}" for s, sub in words.TREND_SECTIONS]
BAKUTEL_SECTION_KEYS: list[str] = list(words.BAKUTEL_SECTIONS)

#: Articles published before this year carry no machine-readable date (Trend).
MACHINE_DATES_SINCE = 2013
#: BakuTel articles before this year may have an empty ``p`` or a ``br``-separated body.
OLD_BODY_BEFORE = 2012
#: The oldest articles are spread back to about this day.
ARCHIVE_START = datetime(2009, 1, 5, 12, 0, tzinfo=BAKU)

_MACHINE_COMBOS: list[frozenset[str]] = [
    frozenset(c)
    for c in (
        ("meta", "itemprop", "json-ld"),
        ("meta", "itemprop"),
        ("meta", "json-ld"),
        ("itemprop", "json-ld"),
        ("meta",),
        ("itemprop",),
        ("json-ld",),
    )
]
_MACHINE_FEATURES = {
    "meta": "meta-published-time",
    "itemprop": "itemprop-date-published",
    "json-ld": "json-ld",
}


def balanced(rng: random.Random, options: Sequence[T], n: int) -> list[T]:
    """``n`` values cycling through ``options`` (each about equally often), shuffled."""
    if n <= 0:
        return []
    seq = (list(options) * (n // len(options) + 1))[:n]
    rng.shuffle(seq)
    return seq


def _ambiguous(local: datetime) -> bool:
    """True when the wall-clock time exists twice (or not at all) in Asia/Baku."""
    naive = local.replace(tzinfo=None)
    a = naive.replace(tzinfo=BAKU, fold=0).utcoffset()
    b = naive.replace(tzinfo=BAKU, fold=1).utcoffset()
    return a != b


def _timestamps(rng: random.Random, now: datetime, n: int) -> list[datetime]:
    """``n`` distinct whole-minute times, newest first, in Asia/Baku.

    The newest few are from "today" (Baku date of ``now``), about a fifth from the last
    30 days, the rest spread back over the years to 2009, so summer and winter of the
    years with daylight saving time (up to 2015) both occur.
    """
    now_utc = now.astimezone(UTC).replace(second=0, microsecond=0)
    local_now = now_utc.astimezone(BAKU)
    midnight = local_now.replace(hour=0, minute=0).astimezone(UTC)
    minutes_today = int((now_utc - midnight).total_seconds() // 60)
    k_today = min(4, minutes_today + 1, n)
    offsets = sorted(rng.sample(range(min(minutes_today, 300) + 1), k_today))
    times = [now_utc - timedelta(minutes=o) for o in offsets]

    rest = n - k_today
    recent = rest // 5
    old = rest - recent
    month_ago = midnight - timedelta(days=30)
    if recent:
        slot = (midnight - month_ago) / recent
        times += [midnight - slot * (j + 0.1 + 0.8 * rng.random()) for j in range(recent)]
    if old:
        start = min(ARCHIVE_START.astimezone(UTC), month_ago - timedelta(days=5 * 365))
        slot = (month_ago - start) / old
        times += [month_ago - slot * (j + 0.1 + 0.8 * rng.random()) for j in range(old)]

    out: list[datetime] = []
    for t in sorted(times, reverse=True):
        t = t.replace(second=0, microsecond=0)
        if out and t >= out[-1]:
            t = out[-1] - timedelta(minutes=1)
        while _ambiguous(t.astimezone(BAKU)):
            t -= timedelta(hours=2)
        out.append(t)
    _ensure_seasons(rng, out)
    out.sort(reverse=True)
    return [t.astimezone(BAKU) for t in out]


def _ensure_seasons(rng: random.Random, times: list[datetime]) -> None:
    """Make sure a pre-2016 summer (+05:00), a pre-2016 winter and a pre-2013 time occur."""
    if len(times) < 8:
        return

    def local(t: datetime) -> datetime:
        return t.astimezone(BAKU)

    wanted = [
        (lambda d: d.year < 2016 and d.utcoffset() == timedelta(hours=5), (2014, 7, 9)),
        (lambda d: d.year < 2016 and d.utcoffset() == timedelta(hours=4), (2011, 1, 19)),
        (lambda d: d.year < MACHINE_DATES_SINCE, (2010, 11, 3)),
    ]
    taken = set(times)
    for test, (y, m, d) in wanted:
        if any(test(local(t)) for t in times):
            continue
        target = datetime(y, m, d, 9 + rng.randrange(9), rng.randrange(60), tzinfo=BAKU)
        victim = min(range(len(times)), key=lambda i: abs(times[i] - target.astimezone(UTC)))
        new = target.astimezone(UTC)
        while new in taken:
            new += timedelta(minutes=1)
        taken.discard(times[victim])
        times[victim] = new
        taken.add(new)


def offset_features(art: Article, today: date) -> None:
    local = art.published
    off = local.utcoffset()
    art.features.add("offset+05" if off == timedelta(hours=5) else "offset+04")
    if local.year < 2016 and off == timedelta(hours=4):
        art.features.add("pre-2016-winter")
    if local.year < 2016 and off == timedelta(hours=5):
        art.features.add("pre-2016-summer")
    if local.date() == today:
        art.features.add("today")


def make_dateline(rng: random.Random, lang: str, variant: int, when: datetime) -> str:
    template = words.DATELINES[lang][variant]
    mon_ap = words.MONTHS_EN_AP[when.month - 1]
    place = rng.choice(words.DATELINE_PLACES[lang])
    values = {
        "day": str(when.day),
        "mon_ap": mon_ap,
        "mon_az": words.MONTHS_AZ_LOWER[when.month - 1],
        "mon_ru": words.MONTHS_RU_GEN[when.month - 1],
        "reporter_en": rng.choice(words.REPORTERS["en"]),
        "reporter_az": rng.choice(words.REPORTERS["az"]),
        "reporter_ru": rng.choice(words.REPORTERS["ru"]),
        "CITY_EN": place[0],
        "COUNTRY_EN": place[-1],
        "city_az": place[0],
        "city_ru": place[0],
        "country_ru": place[-1],
    }
    if "{mon_ap}{day}" in template and not mon_ap.endswith("."):
        template = template.replace("{mon_ap}{day}", "{mon_ap} {day}")
    return template.format(**values)


def unique_title(rng: random.Random, lang: str, seen: set[str], *, ict: bool) -> str:
    title = words.make_title(rng, lang, ict=ict)
    for _ in range(12):
        if title not in seen:
            break
        title = words.make_title(rng, lang, ict=ict)
    seen.add(title)
    return title


def _sample_others(rng: random.Random, arts: list[Article], art: Article, k: int) -> list[Article]:
    """``k`` distinct articles of ``arts`` other than ``art`` (fewer if there are not enough)."""
    k = min(k, len(arts) - 1)
    if k <= 0:
        return []
    picks = rng.sample(arts, k + 1)
    return [a for a in picks if a is not art][:k]


def _other_section(rng: random.Random, section: str) -> str:
    return rng.choice([s for s in TREND_SECTION_KEYS if s != section])


class Replica:
    """Both replica sites, generated deterministically from ``(seed, now)``.

    ``now`` (timezone-aware; default: the current time) anchors every article time: the
    newest few articles of each edition are from "today" in Baku. ``articles_per_edition``
    articles are made for each of the six editions (three Trend hosts, three BakuTel
    prefixes); with 60 or more every "varies" feature occurs. ``undated`` (opt-in, e.g.
    ``("bakutel",)``): those sites' article pages print their date in markup their layout
    does not know (BakuTel: ``div.news-time`` for ``div.news-date``), so a correct
    extraction has ``published`` null.
    """

    def __init__(
        self,
        seed: int = 1,
        now: datetime | None = None,
        articles_per_edition: int = 60,
        *,
        undated: Sequence[str] = (),
    ) -> None:
        if now is None:
            now = datetime.now(UTC)
        if now.tzinfo is None or now.utcoffset() is None:
            raise ValueError("Replica: now must be timezone-aware")
        if articles_per_edition < 1:
            raise ValueError("Replica: articles_per_edition must be at least 1")
        unknown = sorted(set(undated) - UNDATED_SITES)
        if unknown:
            raise ValueError(f"Replica: undated: unknown site {', '.join(unknown)}")
        self.seed = seed
        self.now: datetime = now.astimezone(BAKU)
        #: Sites whose article pages print their date in changed markup (a redesign the
        #: layout does not know: a layout drift). Off by default; the articles are the same.
        self.undated: frozenset[str] = frozenset(undated)
        self.articles_per_edition = articles_per_edition
        #: (site, lang) -> articles of that edition, newest first.
        self.editions: dict[tuple[str, str], list[Article]] = {}
        self._generate()
        #: Every article of both sites: Trend en, az, ru, then BakuTel en, az, ru.
        self.articles: list[Article] = [a for ed in self.editions.values() for a in ed]
        #: In a later state (:meth:`later`): the articles it published and corrected.
        self.new_articles: list[Article] = []
        self.corrected_articles: list[Article] = []

    def later(self, *, hours: float = 6, new: int = 6, corrected: int = 6) -> Replica:
        """This replica ``hours`` later: ``new`` new articles, ``corrected`` corrected ones,
        new boilerplate everywhere (see :mod:`newsarchive.replica.later`)."""
        from newsarchive.replica.later import later_state

        return later_state(self, hours=hours, new=new, corrected=corrected)

    # ------------------------------------------------------------------ queries

    def edition(self, site: str, lang: str) -> list[Article]:
        """Articles of one edition, newest first."""
        return self.editions[(site, lang)]

    def with_feature(self, feature: str) -> list[Article]:
        """Articles whose page exercises ``feature``."""
        return [a for a in self.articles if feature in a.features]

    @property
    def features(self) -> set[str]:
        """Every feature name that occurs on some article page."""
        out: set[str] = set()
        for art in self.articles:
            out |= art.features
        return out

    def render(self, origins: dict[str, str]) -> dict[str, Any]:
        """Pre-render every page for ``origins`` (host key -> ``http://host:port``).

        Returns host key -> :class:`newsarchive.replica.pages.HostSite`.
        """
        from newsarchive.replica import bakutel, trend
        from newsarchive.replica.pages import ModePicker

        picker = ModePicker()
        sites: dict[str, Any] = {}
        sites.update(trend.render_sites(self, origins, picker))
        sites["bakutel"] = bakutel.render_site(self, origins, picker)
        return sites

    def expected_records(self, origins: dict[str, str]) -> list[dict[str, Any]]:
        """The record a correct extraction gives for every article, URLs on ``origins``."""
        from newsarchive.replica import bakutel, trend

        out = []
        for art in self.articles:
            mod = trend if art.site == "trend" else bakutel
            out.append(mod.expected_record(art, self, origins))
        return out

    # ------------------------------------------------------------------ generation

    def _rng(self, *parts: object) -> random.Random:
        return random.Random(":".join(str(p) for p in (self.seed, *parts)))

    def _generate(self) -> None:
        for lang in words.LANGS:
            self.editions[("trend", lang)] = self._trend_edition(lang)
        for lang in words.LANGS:
            self.editions[("bakutel", lang)] = self._bakutel_edition(lang)
        self._assign_ids()
        for lang in words.LANGS:
            self._trend_links(lang)
            self._bakutel_links(lang)
        today = self.now.date()
        for ed in self.editions.values():
            for art in ed:
                offset_features(art, today)

    def _assign_ids(self) -> None:
        rng = self._rng("ids")
        trend = sorted(
            (a for lang in words.LANGS for a in self.editions[("trend", lang)]),
            key=lambda a: (a.published, words.LANGS.index(a.lang)),
        )
        next_id = 1_200_000 + rng.randrange(50_000)
        for art in trend:
            next_id += rng.randint(1, 37)
            art.id = next_id
        baku = sorted(
            (a for lang in words.LANGS for a in self.editions[("bakutel", lang)]),
            key=lambda a: (a.published, words.LANGS.index(a.lang)),
        )
        next_id = 1000 + rng.randrange(500)
        for art in baku:
            next_id += rng.randint(1, 3)
            art.id = next_id

    def _trend_edition(self, lang: str) -> list[Article]:
        rng = self._rng("trend", lang)
        n = self.articles_per_edition
        times = _timestamps(rng, self.now, n)
        sections = balanced(rng, TREND_SECTION_KEYS, n)
        datelines = balanced(rng, [None, None, 0, 0, 1, 2, 3], n)
        paid = balanced(rng, [True] + [False] * 7, n)
        social = balanced(rng, ["end", "end", None, "inline"], n)
        wrappers = balanced(rng, [True, False], n)
        wrong = balanced(rng, [True] + [False] * 9, n)
        upper = balanced(rng, [True] + [False] * 7, n)
        new = [i for i, t in enumerate(times) if t.year >= MACHINE_DATES_SINCE]
        combos = dict(zip(new, balanced(rng, _MACHINE_COMBOS, len(new)), strict=True))
        seen: set[str] = set()
        out: list[Article] = []
        for i, when in enumerate(times):
            title = unique_title(rng, lang, seen, ict=False)
            feats: set[str] = set()
            if lang == "az" and upper[i]:
                title = words.az_upper(title)
                if not any(c in title for c in "ŞÇƏĞÖÜ"):
                    title = f"{rng.choice(words.AZ_TITLE_PREFIXES)}: {title}"
                feats.add("az-title-uppercase")
            elif lang == "az" and rng.random() < 0.2:
                title = f"{rng.choice(words.AZ_TITLE_PREFIXES)}: {title}"
            if paid[i]:
                paragraphs = words.make_paragraphs(rng, lang, 1)
                feats.add("paid")
            else:
                count = rng.choice((2, 3, 4, 5, 6, 8)) if rng.random() < 0.9 else 14
                paragraphs = words.make_paragraphs(rng, lang, count)
            art = Article(
                site="trend",
                lang=lang,
                published=when,
                title=title,
                paragraphs=paragraphs,
                section=sections[i],
                paid=paid[i],
                social_follow=social[i],
                wrappers=wrappers[i],
                machine_dates=combos.get(i, frozenset()),
                features=feats,
            )
            variant = datelines[i]
            if variant is None:
                feats.add("no-dateline")
            else:
                art.dateline = make_dateline(rng, lang, variant, when)
                feats |= {"dateline", f"dateline-variant-{variant}"}
            if wrong[i]:
                art.listing_wrong_section = _other_section(rng, art.section)
                feats.add("wrong-section-listing")
            feats |= {_MACHINE_FEATURES[m] for m in art.machine_dates}
            if not art.machine_dates:
                feats.add("no-machine-date")
            if art.social_follow:
                feats.add("social-follow" if art.social_follow == "end" else "social-follow-inline")
            if art.wrappers:
                feats.add("extra-wrappers")
            if any(ch in title for ch in "&'\"<>"):
                feats.add("title-entities")
            if lang == "az":
                if any(ch in title for ch in "İŞÇƏĞÖÜ"):
                    feats.add("az-title-capitals")
                if when.month in (6, 7):
                    feats.add("az-month-capital")
            out.append(art)
        return out

    def _trend_links(self, lang: str) -> None:
        rng = self._rng("trend-links", lang)
        arts = self.editions[("trend", lang)]
        n = len(arts)
        plans = balanced(rng, ["none", "empty", "1", "2", "2", "3"], n)
        flavors = balanced(rng, ["plain", "relative", "wrong", "dup", "date", "long"], n)
        for i, art in enumerate(arts):
            plan = plans[i]
            if plan == "none" or n < 2:
                art.rails = None
                art.features.add("rails-none")
                continue
            if plan == "empty":
                art.rails = [Rail(True), Rail(False)]
                art.features.add("rails-empty")
                continue
            k = int(plan)
            kinds = [True, False, False][:k] if k > 1 else [rng.random() < 0.5]
            sizes = [rng.randint(1, 5) if img else rng.randint(2, 12) for img in kinds]
            if flavors[i] == "long":
                sizes[-1] = 40
            picks = _sample_others(rng, arts, art, sum(sizes))
            rails: list[Rail] = []
            for img, size in zip(kinds, sizes, strict=True):
                chunk, picks = picks[:size], picks[size:]
                rails.append(Rail(img, [Link(a) for a in chunk]))
            links = [lk for r in rails for lk in r.links]
            flavor = flavors[i]
            if links and flavor == "relative":
                for lk in rng.sample(links, min(len(links), rng.randint(1, 3))):
                    lk.relative = True
            if links and flavor == "wrong":
                for lk in rng.sample(links, min(len(links), rng.randint(1, 2))):
                    lk.wrong_section = _other_section(rng, lk.article.section)
            if links and flavor == "dup":
                rails[-1].links.append(rails[0].links[0])
            if flavor == "date":
                for r in rails:
                    for lk in r.links:
                        lk.date_time = True
            for lk in links:
                if rng.random() < 0.04:
                    lk.relative = True
            art.rails = rails
            self._rail_features(art)

    @staticmethod
    def _rail_features(art: Article) -> None:
        rails = art.rails or []
        art.features.add(f"rails-{len(rails)}")
        seen: set[int] = set()
        for rail in rails:
            art.features.add("rail-with-images" if rail.with_images else "rail-plain")
            for lk in rail.links:
                if id(lk) in seen:
                    art.features.add("rail-duplicate")
                seen.add(id(lk))
                if lk.relative:
                    art.features.add("rail-relative-link")
                if lk.wrong_section:
                    art.features.add("rail-wrong-section")
                if lk.date_time:
                    art.features.add("rail-date-time")
                if lk.article.paid:
                    art.features.add("rail-paid-icon")
        if sum(len(r.links) for r in rails) >= 30:
            art.features.add("rail-long")

    def _bakutel_edition(self, lang: str) -> list[Article]:
        rng = self._rng("bakutel", lang)
        n = self.articles_per_edition
        times = _timestamps(rng, self.now, n)
        sections = balanced(rng, ["top", "top", "telecom", "it", "post", "events"], n)
        foreign = balanced(rng, [True, False, False], n)
        old = [i for i, t in enumerate(times) if t.year < OLD_BODY_BEFORE]
        styles = dict(zip(old, balanced(rng, ["p", "empty-p", "br"], len(old)), strict=True))
        seen: set[str] = set()
        out: list[Article] = []
        for i, when in enumerate(times):
            title = unique_title(rng, lang, seen, ict=True)
            count = rng.choice((1, 2, 3, 4, 5, 7, 10))
            art = Article(
                site="bakutel",
                lang=lang,
                published=when,
                title=title,
                paragraphs=words.make_paragraphs(rng, lang, count, ict=True),
                section=sections[i],
                block_title_foreign=foreign[i] and lang != "en",
                body_style=styles.get(i, "p"),
            )
            feats = art.features
            feats.add(f"section-{art.section}")
            feats.add("block-title-foreign" if art.block_title_foreign else "block-title-native")
            if art.body_style == "empty-p":
                feats.add("body-empty-p")
            elif art.body_style == "br":
                feats.add("body-br")
            if any(ch in title for ch in "&'\"<>"):
                feats.add("title-entities")
            if lang == "az" and any(ch in title for ch in "İŞÇƏĞÖÜ"):
                feats.add("az-title-capitals")
            out.append(art)
        return out

    def _bakutel_links(self, lang: str) -> None:
        rng = self._rng("bakutel-links", lang)
        arts = self.editions[("bakutel", lang)]
        n = len(arts)
        top = balanced(rng, ["missing", "0", "1", "few", "many", "few"], n)
        dates = balanced(rng, [None, 1, 2, 3, 2, 1], n)
        currencies = balanced(rng, ["std", "short", "extra", "std"], n)
        cells = balanced(rng, ["clean", "nbsp", "ws", "both", "clean"], n)
        today = self.now.date()
        for i, art in enumerate(arts):
            plan = top[i]
            if plan == "missing":
                art.top_news = None
                art.features.add("no-top-news-block")
            else:
                size = {"0": 0, "1": 1, "few": rng.randint(2, 5), "many": rng.randint(6, 15)}[plan]
                art.top_news = [Link(a) for a in _sample_others(rng, arts, art, size)]
                size = len(art.top_news)
                art.features.add(
                    "top-news-0" if size == 0 else "top-news-1" if size == 1 else "top-news-many"
                )
            rate_dates = dates[i]
            if rate_dates is None:
                art.rates = None
                art.features.add("no-currency-block")
            else:
                art.rates = self._rate_table(rng, today, rate_dates, currencies[i], cells[i])
                art.features.add(f"rate-dates-{rate_dates}")
                if currencies[i] == "extra":
                    art.features.add("currency-extra")
                if art.rates.nbsp:
                    art.features.add("cell-nbsp")
                if art.rates.stray_whitespace:
                    art.features.add("cell-whitespace")
            if art.top_news is None and art.rates is None:
                art.features.add("no-right-column")

    @staticmethod
    def _rate_table(
        rng: random.Random, today: date, n_dates: int, currencies: str, cells: str
    ) -> RateTable:
        end = today - timedelta(days=rng.randrange(3))
        days = [end - timedelta(days=n_dates - 1 - j) for j in range(n_dates)]
        if currencies == "std":
            codes = list(words.STANDARD_CURRENCIES)
        elif currencies == "short":
            codes = ["USD", "EUR", "RUR"]
        else:
            extras = rng.sample(words.EXTRA_CURRENCIES, rng.randint(2, 4))
            codes = ["USD", "EUR", *(["GBP"] if rng.random() < 0.5 else []), *extras]
        rows = []
        for code in codes:
            lo, hi = words.CURRENCIES[code]
            base = rng.uniform(lo, hi)
            values = []
            for _ in days:
                value = round(base * (1 + rng.uniform(-0.004, 0.004)), 4)
                text = f"{value:.4f}"
                if rng.random() < 0.7:
                    text = text.rstrip("0").rstrip(".") if "." in text else text
                values.append(text)
            rows.append((code, values))
        return RateTable(
            dates=days,
            rows=rows,
            nbsp=cells in ("nbsp", "both"),
            stray_whitespace=cells in ("ws", "both"),
        )
