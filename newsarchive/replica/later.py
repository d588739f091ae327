"""A later state of the replica: what a recrawl some hours after the first one meets.

:func:`later_state` copies a :class:`~newsarchive.replica.content.Replica` and moves it on:

* ``new`` articles are published (newest first in their editions, listings and sitemaps);
* ``corrected`` recent articles are corrected: a sentence added to the first paragraph,
  every other one with its last paragraph rewritten and one word of its title changed.
  Their ``revision`` goes up and ``modified`` (``Last-Modified``, the sitemap
  ``<lastmod>``) is set;
* the boilerplate changes on every article page that has any: Trend's headline rails
  and BakuTel's top-news blocks lead with the newest article (or turn by one), BakuTel's
  currency rates move.

Everything else, each unchanged article's title, body, date and dateline, stays as it
was, and the validators of an unchanged article (Trend's ``ETag``, both sites'
``Last-Modified``) stay too, so its conditional re-check is answered ``304``.
Deterministic in ``(seed, now, hours, new, corrected)``; the original is not modified.
"""

from __future__ import annotations

import copy
import random
from datetime import timedelta
from typing import TYPE_CHECKING

from newsarchive.replica import words
from newsarchive.replica.content import make_dateline, offset_features, unique_title
from newsarchive.replica.model import Article, Link, Rail, RateTable

if TYPE_CHECKING:
    from newsarchive.replica.content import Replica

__all__ = ["later_state", "EDITION_ORDER"]

#: The order editions take turns in when new and corrected articles are dealt out.
EDITION_ORDER: tuple[tuple[str, str], ...] = tuple(
    (site, lang) for lang in words.LANGS for site in ("trend", "bakutel")
)
#: Corrections go to articles published within this many days before the later ``now``.
RECENT_DAYS = 30


def later_state(replica: Replica, *, hours: float = 6, new: int = 6, corrected: int = 6) -> Replica:
    """``replica`` ``hours`` later, with ``new`` new and ``corrected`` corrected articles.

    The result's ``new_articles`` and ``corrected_articles`` list them (as its own
    objects); ``ValueError`` if an edition has too few recent articles to correct.
    """
    if hours <= 0 or new < 0 or corrected < 0:
        raise ValueError("later_state: hours must be positive, new and corrected >= 0")
    state = copy.deepcopy(replica)
    state.now = replica.now + timedelta(hours=hours)
    rng = random.Random(f"{replica.seed}:later:{replica.now.isoformat()}:{hours}:{new}:{corrected}")
    fresh: dict[tuple[str, str], list[Article]] = {key: [] for key in EDITION_ORDER}
    for i in range(new):
        key = EDITION_ORDER[i % len(EDITION_ORDER)]
        fresh[key].append(_new_article(rng, state, key, hours))
    _assign_new_ids(state, fresh)
    fixed: list[Article] = []
    for i in range(corrected):
        key = EDITION_ORDER[i % len(EDITION_ORDER)]
        fixed.append(_correct(rng, state, key, i, hours, taken=fixed))
    for key, arts in fresh.items():
        state.editions[key] = sorted(arts, key=lambda a: a.published, reverse=True) + list(
            state.editions[key]
        )
    state.articles = [a for ed in state.editions.values() for a in ed]
    for key, ed in state.editions.items():
        newest = fresh[key][0] if fresh[key] else None
        for art in ed:
            _new_boilerplate(rng, art, newest)
    today = state.now.date()
    for art in state.articles:
        art.features.discard("today")
        offset_features(art, today)
    state.new_articles = [a for key in EDITION_ORDER for a in fresh[key]]
    state.corrected_articles = fixed
    return state


def _new_article(rng: random.Random, state: Replica, key: tuple[str, str], hours: float) -> Article:
    site, lang = key
    ed = state.editions[key]
    template = next(a for a in ed if not a.paid and a.body_style == "p")
    minutes = int(hours * 60)
    when = (state.now - timedelta(minutes=rng.randrange(1, max(2, minutes)))).replace(
        second=0, microsecond=0
    )
    seen = {a.title for a in ed}
    ict = site == "bakutel"
    art = Article(
        site=site,
        lang=lang,
        published=when,
        title=unique_title(rng, lang, seen, ict=ict),
        paragraphs=words.make_paragraphs(rng, lang, rng.choice((2, 3, 4, 5)), ict=ict),
        section=template.section,
        features={"new-in-later-state"},
    )
    if site == "trend":
        art.machine_dates = template.machine_dates or frozenset({"meta", "itemprop", "json-ld"})
        art.social_follow = template.social_follow
        art.wrappers = template.wrappers
        art.rails = [Rail(r.with_images, list(r.links)) for r in template.rails or []] or None
        variant = rng.choice((0, 1, 3))
        art.dateline = make_dateline(rng, lang, variant, when)
    else:
        art.block_title_foreign = template.block_title_foreign
        art.top_news = list(template.top_news) if template.top_news is not None else None
        art.rates = copy.deepcopy(template.rates)
    return art


def _assign_new_ids(state: Replica, fresh: dict[tuple[str, str], list[Article]]) -> None:
    """Ids after every existing one of the site, in publication order."""
    for site, step in (("trend", 7), ("bakutel", 1)):
        top = max((a.id for a in state.articles if a.site == site), default=0)
        arts = sorted(
            (a for (s, _), items in fresh.items() if s == site for a in items),
            key=lambda a: (a.published, words.LANGS.index(a.lang)),
        )
        for n, art in enumerate(arts, start=1):
            art.id = top + n * step


def _correct(
    rng: random.Random,
    state: Replica,
    key: tuple[str, str],
    index: int,
    hours: float,
    taken: list[Article],
) -> Article:
    since = state.now - timedelta(days=RECENT_DAYS)
    pool = [
        a
        for a in state.editions[key]
        if a.published >= since and not a.paid and a.body_style == "p" and a not in taken
    ]
    if not pool:
        raise ValueError(f"later_state: no recent article of {key} left to correct")
    art = rng.choice(pool)
    ict = art.site == "bakutel"
    extra = words.make_paragraphs(rng, art.lang, 1, ict=ict)[0]
    art.paragraphs = [f"{art.paragraphs[0]} {extra}", *art.paragraphs[1:]]
    if index % 2 == 0:
        current = set(art.paragraphs)
        rewrite = next(
            p for p in words.make_paragraphs(rng, art.lang, 4, ict=ict) if p not in current
        )
        art.paragraphs[-1] = rewrite if len(art.paragraphs) > 1 else art.paragraphs[-1]
        head, _, _ = art.title.rpartition(" ")
        replacement = words.make_title(rng, art.lang, ict=ict).split()[-1]
        if head and replacement != art.title.split()[-1]:
            art.title = f"{head} {replacement}"
    art.revision += 1
    art.modified = (state.now - timedelta(minutes=rng.randrange(1, int(hours * 60)))).replace(
        second=0, microsecond=0
    )
    art.features.add("corrected")
    return art


def _new_boilerplate(rng: random.Random, art: Article, newest: Article | None) -> None:
    """Change what around the article changes between visits (see the module)."""
    lead = [newest] if newest is not None and newest is not art else []
    for rail in art.rails or []:
        if rail.links:
            rail.links = _turn(rail.links, lead)
            break
    if art.top_news:
        art.top_news = _turn(art.top_news, lead)
    if art.rates is not None:
        art.rates = _moved(rng, art.rates)


def _turn(links: list[Link], lead: list[Article]) -> list[Link]:
    """The newest article first (the list keeps its length), else the list turned by one."""
    if lead and all(link.article is not lead[0] for link in links):
        return [Link(lead[0]), *links[:-1]]
    return [*links[1:], *links[:1]]


def _moved(rng: random.Random, rates: RateTable) -> RateTable:
    """The same table a day on: dates shifted, every rate moved a little."""
    rows = []
    for code, values in rates.rows:
        moved = []
        for text in values:
            value = float(text) * (1 + rng.uniform(-0.004, 0.004))
            moved.append(f"{value:.4f}")
        rows.append((code, moved))
    return RateTable(
        dates=[d + timedelta(days=1) for d in rates.dates],
        rows=rows,
        nbsp=rates.nbsp,
        stray_whitespace=rates.stray_whitespace,
    )
