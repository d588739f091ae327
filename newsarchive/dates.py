"""Publication dates: ISO 8601 machine values and the dates news pages print for readers.

Built for any news site, not only the two layouts:

- month names of English, Azerbaijani (Latin and Cyrillic), Russian, Turkish, German, French
  and Spanish (and the full names of Italian, Portuguese and Dutch): full, abbreviated and
  other case forms (``декабря``, ``мае``), matched
  case-insensitively with or without diacritics (``İyul``, ``iyul``, ``IYUL``, ``Mayıs``,
  ``mayis``, ``août``, ``aout``);
- day-month-year, month-day-year, numeric (``02.05.2014``, ``23/09/2021``, ``2014-05-02``,
  ``4. 2. 2022.``; dotted numerals are always day first), the first day of a range
  (``14.-20. Januar 2022``), a two-digit year after a month name (``14 Jan 20``), the C
  library's asctime (``Jan 04 09:34 2021``),
  with an optional time (``14:12``, ``5:40 pm``) and an optional UTC offset
  (``(UTC +04:00)``, ``UTC+04``, ``GMT``, ``+0400``, ``Z``);
- dates without a year, times without a date and "today"/"yesterday" are resolved against
  a *reference* (the capture time), never against today's clock; without a reference they
  give ``None``.

A :class:`ParsedDate` keeps what the page gave: a day alone stays a day
(``2014-05-02``), a wall time without an offset stays naive; nothing is invented.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo

__all__ = [
    "BAKU",
    "MONTHS",
    "ParsedDate",
    "date_spans",
    "fold",
    "month_number",
    "parse_iso",
    "parse_text_date",
]

BAKU = ZoneInfo("Asia/Baku")
"""Baku local time: +05:00 in summer and +04:00 in winter until 2016, +04:00 since."""

YEARLESS_SKEW = timedelta(days=1)
"""How far past the reference a yearless date may lie (clock skew, time zones)."""

MIN_YEAR, MAX_YEAR = 1900, 2100
"""Four-digit numbers outside this range are not taken for years."""


# --- the parsed value --------------------------------------------------------------------


@dataclass(frozen=True)
class ParsedDate:
    """A date as a page gives it.

    ``value`` is a :class:`~datetime.date` when the page gives no time, else a
    :class:`~datetime.datetime`: aware (a fixed UTC offset) when ``has_offset``, naive
    (wall time of an unknown zone) otherwise.
    """

    value: date | datetime
    has_time: bool
    has_offset: bool

    @property
    def day(self) -> date:
        """The calendar day (in the page's own zone)."""
        v = self.value
        return v.date() if isinstance(v, datetime) else v

    def isoformat(self) -> str:
        """The record value: ``2014-05-02T14:12:00+05:00``, or ``2014-05-02`` without a
        time (a naive wall time gives ``2014-05-02T14:12:00``)."""
        v = self.value
        if not self.has_time or not isinstance(v, datetime):
            return self.day.isoformat()
        return v.isoformat(timespec="microseconds" if v.microsecond else "seconds")

    def with_zone(self, tz: tzinfo) -> ParsedDate:
        """A naive date-time placed in ``tz`` (the offset in force at that instant);
        anything else is returned unchanged."""
        v = self.value
        if not self.has_time or self.has_offset or not isinstance(v, datetime):
            return self
        return ParsedDate(_freeze(v.replace(tzinfo=tz)), True, True)


def _freeze(dt: datetime) -> datetime:
    """``dt`` with its zone replaced by the fixed offset in force at that instant."""
    offset = dt.utcoffset()
    if offset is None:
        return dt
    return dt.replace(tzinfo=UTC if not offset else timezone(offset))


# --- folding: case- and diacritic-insensitive matching that keeps string positions --------


class _FoldTable(dict):
    """``str.translate`` table: each code point to one lower-case base letter, so a folded
    string has the same length (and positions) as the original."""

    def __missing__(self, codepoint: int) -> str:
        ch = chr(codepoint)
        if ch in "İIı":  # Azerbaijani/Turkish dotted and dotless i, and the plain capital I
            folded = "i"
        else:
            base = unicodedata.normalize("NFD", ch)[0]
            lower = base.lower()
            folded = lower if len(lower) == 1 else base
        self[codepoint] = folded
        return folded


_FOLD = _FoldTable()


def fold(text: str) -> str:
    """``text`` lower-cased with diacritics dropped, one character per character
    (``İyul`` -> ``iyul``, ``Mayıs`` -> ``mayis``, ``декабря`` -> ``декабря``)."""
    return text.translate(_FOLD)


# --- month names ---------------------------------------------------------------------------

# Per language: twelve tuples of forms (full, abbreviated, other case forms). Diacritics and
# case do not matter; each form is folded before use.
_MONTH_FORMS: dict[str, tuple[tuple[str, ...], ...]] = {
    "en": (
        ("january", "jan"),
        ("february", "feb"),
        ("march", "mar"),
        ("april", "apr"),
        ("may",),
        ("june", "jun"),
        ("july", "jul"),
        ("august", "aug"),
        ("september", "sep", "sept"),
        ("october", "oct"),
        ("november", "nov"),
        ("december", "dec"),
    ),
    "az": (
        ("yanvar", "yan"),
        ("fevral", "fev"),
        ("mart",),
        ("aprel", "apr"),
        ("may",),
        ("iyun", "iyn"),
        ("iyul", "iyl"),
        ("avqust", "avq"),
        ("sentyabr", "sen", "sent"),
        ("oktyabr", "okt"),
        ("noyabr", "noy"),
        ("dekabr", "dek"),
    ),
    "az-Cyrl": (
        ("јанвар",),
        ("феврал",),
        ("март",),
        ("апрел",),
        ("май",),
        ("ијун",),
        ("ијул",),
        ("август",),
        ("сентјабр",),
        ("октјабр",),
        ("нојабр",),
        ("декабр",),
    ),
    "ru": (
        ("январь", "января", "январе", "янв"),
        ("февраль", "февраля", "феврале", "фев", "февр"),
        ("март", "марта", "марте", "мар"),
        ("апрель", "апреля", "апреле", "апр"),
        ("май", "мая", "мае"),
        ("июнь", "июня", "июне", "июн"),
        ("июль", "июля", "июле", "июл"),
        ("август", "августа", "августе", "авг"),
        ("сентябрь", "сентября", "сентябре", "сен", "сент"),
        ("октябрь", "октября", "октябре", "окт"),
        ("ноябрь", "ноября", "ноябре", "ноя", "нояб"),
        ("декабрь", "декабря", "декабре", "дек"),
    ),
    "tr": (
        ("ocak", "oca"),
        ("şubat", "şub"),
        ("mart", "mar"),
        ("nisan", "nis"),
        ("mayıs", "may"),
        ("haziran", "haz"),
        ("temmuz", "tem"),
        ("ağustos", "ağu"),
        ("eylül", "eyl"),
        ("ekim", "eki"),
        ("kasım", "kas"),
        ("aralık", "ara"),
    ),
    "de": (
        ("januar", "jänner", "jan", "jän"),
        ("februar", "feber", "feb"),
        ("märz", "mär", "mrz"),
        ("april", "apr"),
        ("mai",),
        ("juni", "jun"),
        ("juli", "jul"),
        ("august", "aug"),
        ("september", "sep", "sept"),
        ("oktober", "okt"),
        ("november", "nov"),
        ("dezember", "dez"),
    ),
    "fr": (
        ("janvier", "janv"),
        ("février", "févr", "fév"),
        ("mars",),
        ("avril", "avr"),
        ("mai",),
        ("juin",),
        ("juillet", "juil"),
        ("août",),
        ("septembre", "sept"),
        ("octobre", "oct"),
        ("novembre", "nov"),
        ("décembre", "déc"),
    ),
    "es": (
        ("enero", "ene"),
        ("febrero", "feb"),
        ("marzo", "mar"),
        ("abril", "abr"),
        ("mayo", "may"),
        ("junio", "jun"),
        ("julio", "jul"),
        ("agosto", "ago"),
        ("septiembre", "setiembre", "sep", "sept", "set"),
        ("octubre", "oct"),
        ("noviembre", "nov"),
        ("diciembre", "dic"),
    ),
    # Full names only for these (their short forms clash with words of other languages).
    "it": (
        ("gennaio",),
        ("febbraio",),
        ("marzo",),
        ("aprile",),
        ("maggio",),
        ("giugno",),
        ("luglio",),
        ("agosto",),
        ("settembre",),
        ("ottobre",),
        ("novembre",),
        ("dicembre",),
    ),
    "pt": (
        ("janeiro",),
        ("fevereiro",),
        ("março",),
        ("abril",),
        ("maio",),
        ("junho",),
        ("julho",),
        ("agosto",),
        ("setembro",),
        ("outubro",),
        ("novembro",),
        ("dezembro",),
    ),
    "nl": (
        ("januari",),
        ("februari",),
        ("maart",),
        ("april",),
        ("mei",),
        ("juni",),
        ("juli",),
        ("augustus",),
        ("september",),
        ("oktober",),
        ("november",),
        ("december",),
    ),
}


def _build_months() -> dict[str, int]:
    months: dict[str, int] = {}
    for lang, table in _MONTH_FORMS.items():
        assert len(table) == 12, lang
        for number, forms in enumerate(table, start=1):
            for form in forms:
                key = fold(unicodedata.normalize("NFC", form))
                if months.setdefault(key, number) != number:  # pragma: no cover - table bug
                    raise ValueError(f"month form {form!r} ({lang}) is ambiguous")
    return months


MONTHS: dict[str, int] = _build_months()
"""Folded month form -> month number (1-12)."""


def month_number(name: str) -> int | None:
    """The month a name stands for (``"İyul"`` -> 7, ``"декабря"`` -> 12), or ``None``."""
    return MONTHS.get(fold(unicodedata.normalize("NFC", name.strip().rstrip("."))))


# --- patterns (on folded text) -----------------------------------------------------------

_LETTER = r"[^\W\d_]"
_MON = (
    rf"(?<!{_LETTER})(?P<mon>"
    + "|".join(re.escape(k) for k in sorted(MONTHS, key=lambda k: (-len(k), k)))
    + rf")\.?(?!{_LETTER})"
)
_DAY = r"(?P<d>[0-3]?\d)(?:st|nd|rd|th|er|\.)?"
_YEAR = r"(?P<y>\d{4})(?!\d)"
# a two-digit year after a month name ("14 Jan 20", "14-Jan-20"): not a time ("20:30",
# "20h30", "20.30") nor a number that a word follows ("5 May 20 people")
_SHORT_YEAR = rf"(?:[\s\-/]+|,\s*)'?(?P<yy>\d{{2}})(?![\d:.]|h\d|\s*{_LETTER})"

# 15 May 2020, 4 iyul 2023, 11 декабря 2012, 15. Mai 2020, 15 de mayo de 2020, 15 November,
# 14 Jan 20
_DMY = re.compile(
    rf"(?<![\d:]){_DAY}[\s\-/,]*(?:de\s+|of\s+)?{_MON}"
    rf"(?:[\s\-/,.]*(?:de\s+|del\s+)?{_YEAR}|{_SHORT_YEAR})?"
)
# May 15, 2020; Oct. 23; May 15th; Jan 04 09:34 2021 (the C library's asctime: the time
# between the day and the year)
_MDY = re.compile(
    rf"{_MON}[\s\-,]*(?P<d>[0-3]?\d)(?:st|nd|rd|th)?(?![\d:])"
    r"(?:\s*,?\s*(?:(?P<clock>[0-2]?\d:[0-5]\d(?::[0-5]\d)?)\s+)?"
    rf"{_YEAR})?"
)
# 2023-cü il 4 iyul, 2012 г. 11 декабря
_YDM = re.compile(
    rf"(?<!\d){_YEAR}(?:\s*-?\s*(?:ci|cu)\s+il|\s*(?:г\.|года|yili|il))?[\s,]+{_DAY}"
    rf"[\s\-/,]*{_MON}"
)
# 02.05.2014, 23/09/2021, 05/15/2020, 02.05.14
_NUMERIC = re.compile(
    r"(?<![\d./-])(?P<a>[0-3]?\d)(?P<sep>[./-])(?P<b>[0-3]?\d)(?P=sep)"
    r"(?P<y>\d{4}|\d{2})(?!\d|(?P=sep)\d)"
)
# 4. 2. 2022, 4.\u2009 2.\u2009 2022. (dotted numerals with spaces: always day first)
_NUMERIC_SPACED = re.compile(
    r"(?<![\d./-])(?P<a>[0-3]?\d)\.\s+(?P<b>[01]?\d)\.\s*(?P<y>\d{4})(?!\d|\.\d)"
)
# "14.-20. Januar 2022", "14 - 20 May 2022": the first day of a range of days
_RANGE_START = re.compile(r"(?<![\d:./-])(?P<d>[0-3]?\d)\.?\s*(?:[-–—]|bis|to|au|al)\s*$")
# 2014-05-02, 2014/05/02, 2014.05.02
_YMD = re.compile(
    r"(?<![\d./-])(?P<y>\d{4})(?P<sep>[-/.])(?P<m>[01]?\d)(?P=sep)(?P<d>[0-3]?\d)(?!\d)"
)
# 2020年5月15日, 2020년 5월 15일
_CJK = re.compile(r"(?P<y>\d{4})\s*[年년]\s*(?P<m>[01]?\d)\s*[月월]\s*(?P<d>[0-3]?\d)\s*[日일]")

_TIME_RE = (
    r"(?<![\d:.])(?P<H>[0-2]?\d)[:h](?P<M>[0-5]\d)(?!\d)"
    r"(?::(?P<S>[0-5]\d)(?:[.,](?P<F>\d{1,9}))?)?"
    rf"(?:\s*(?P<ap>[ap])\.?\s?m\.?(?!{_LETTER}))?"
)
_TIME = re.compile(_TIME_RE)
_TIME_AFTER = re.compile(
    r"(?:t|[\s,;|/@\-–—·•(]*(?:(?:at|um|a las|a la|a|alle|ore|kl\.?|в|saat)\s+)?)" + _TIME_RE
)
_TIME_BEFORE = re.compile(_TIME_RE + r"[\s,;|/@\-–—·•)]*(?:(?:on|le|el|am|den)\s+)?$")
_OFFSET_NAMED = re.compile(
    rf"\s*[(\[]?\s*(?P<z>utc|gmt)(?!{_LETTER})"
    r"(?:\s*(?P<s>[+\-−])\s*(?P<h>\d{1,2})(?::?(?P<m>\d{2}))?(?!\d))?"
)
# A bare numeric offset: glued to a time with seconds (ISO: 17:40:00+04:00), or
# after a space (17:40:00 +0400, 17:40 +04:00); never a range such as "10:00-12:00".
_OFFSET_GLUED = re.compile(r"(?P<s>[+\-−])(?P<h>\d{2}):?(?P<m>\d{2})(?!\d)")
_OFFSET_RFC = re.compile(r"\s+(?P<s>[+\-−])(?P<h>\d{2}):?(?P<m>\d{2})(?!\d)")
_ZULU = re.compile(rf"z(?!{_LETTER})")

_RELATIVE_WORDS = {
    "today": 0,
    "сегодня": 0,
    "bugün": 0,
    "bu gün": 0,
    "heute": 0,
    "aujourd'hui": 0,
    "aujourd’hui": 0,
    "hoy": 0,
    "yesterday": 1,
    "вчера": 1,
    "dünən": 1,
    "dunen": 1,
    "dün": 1,
    "gestern": 1,
    "hier": 1,
    "ayer": 1,
}
_RELATIVE = re.compile(
    rf"(?<!{_LETTER})(?P<rel>"
    + "|".join(re.escape(fold(w)) for w in sorted(_RELATIVE_WORDS, key=len, reverse=True))
    + rf")(?!{_LETTER})"
)
_RELATIVE_DAYS = {fold(k): v for k, v in _RELATIVE_WORDS.items()}
_ONLY_PUNCT = re.compile(r"[\W_]*")

_ISO = re.compile(
    r"\s*(?P<y>\d{4})-?(?P<m>\d{2})-?(?P<d>\d{2})"
    r"(?:[Tt ](?P<H>\d{2})(?::?(?P<M>\d{2})(?::?(?P<S>\d{2})(?:[.,](?P<F>\d{1,9}))?)?)?"
    r"\s*(?:(?P<z>[Zz])|(?P<s>[+\-−])(?P<oh>\d{2})(?::?(?P<om>\d{2}))?)?)?\s*"
)


# --- ISO 8601 --------------------------------------------------------------------------------


def parse_iso(value: str | None) -> ParsedDate | None:
    """An ISO 8601 date (``2014-05-02``) or date-time (``2014-05-02T14:12``,
    ``2014-05-02T14:12:00+05:00``, ``...Z``, ``...+0500``), or ``None``."""
    if not value:
        return None
    m = _ISO.fullmatch(value)
    if m is None:
        return None
    try:
        day = date(int(m["y"]), int(m["m"]), int(m["d"]))
        if m["H"] is None:
            return ParsedDate(day, False, False)
        micro = int((m["F"] or "0")[:6].ljust(6, "0"))
        dt = datetime(
            day.year, day.month, day.day, int(m["H"]), int(m["M"] or 0), int(m["S"] or 0), micro
        )
    except ValueError:
        return None
    if m["z"]:
        return ParsedDate(dt.replace(tzinfo=UTC), True, True)
    if m["s"]:
        offset = _offset(m["s"], m["oh"], m["om"])
        if offset is None:
            return None
        return ParsedDate(dt.replace(tzinfo=offset), True, True)
    return ParsedDate(dt, True, False)


def _offset(sign: str, hours: str, minutes: str | None) -> timezone | None:
    h, mi = int(hours), int(minutes or 0)
    if h > 14 or mi > 59:
        return None
    delta = timedelta(hours=h, minutes=mi)
    if not delta:
        return UTC
    return timezone(-delta if sign in "-−" else delta)


# --- dates in text ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Found:
    start: int
    end: int
    year: int | None
    month: int
    day: int
    clock_at: int | None = None  # where a time printed inside the date starts


def _year(text: str | None) -> int | None:
    if text is None:
        return None
    y = int(text)
    return y if MIN_YEAR <= y <= MAX_YEAR else None


def _two_digit_year(y: int, reference: datetime | None) -> int:
    pivot = (reference.year % 100 + 1) if reference else 69
    return 2000 + y if y <= pivot else 1900 + y


def _candidates(
    folded: str, *, day_first: bool = True, reference: datetime | None = None
) -> list[_Found]:
    """Every date found in ``folded`` text, valid as a calendar day (any year when
    yearless), by position."""
    found: list[_Found] = []
    for pattern in (_DMY, _MDY, _YDM):
        for m in pattern.finditer(folded):
            y_text = m["y"]
            year = _year(y_text)
            end = m.end() if (y_text is None or year is not None) else m.start("y")
            start, day = m.start(), int(m["d"])
            clock_at = None
            if pattern is _DMY:
                r = _RANGE_START.search(folded, max(0, start - 12), start)
                if r is not None and int(r["d"]) < day:
                    start, day = r.start(), int(r["d"])
                if m["yy"] is not None:
                    year = _two_digit_year(int(m["yy"]), reference)
            elif pattern is _MDY and m["clock"] is not None:
                if year is None:  # "Jan 04 09:34 0000": the date without the time
                    end = m.start("clock")
                else:
                    clock_at = m.start("clock")
            found.append(_Found(start, end, year, MONTHS[m["mon"]], day, clock_at))
    for m in _NUMERIC_SPACED.finditer(folded):
        year = _year(m["y"])
        if year is not None:
            found.append(_Found(m.start(), m.end(), year, int(m["b"]), int(m["a"])))
    for m in _NUMERIC.finditer(folded):
        a, b, y = int(m["a"]), int(m["b"]), m["y"]
        year = _two_digit_year(int(y), reference) if len(y) == 2 else _year(y)
        if year is None:
            continue
        # dotted numerals are day first everywhere (month-first pages use slashes)
        day, month = (a, b) if (day_first or m["sep"] == ".") else (b, a)
        if month > 12 and day <= 12:
            day, month = month, day
        found.append(_Found(m.start(), m.end(), year, month, day))
    for pattern in (_YMD, _CJK):
        for m in pattern.finditer(folded):
            year = _year(m["y"])
            if year is not None:
                found.append(_Found(m.start(), m.end(), year, int(m["m"]), int(m["d"])))
    valid = [f for f in found if _valid_day(f.year, f.month, f.day)]
    valid.sort(key=lambda f: (f.start, -f.end))
    return valid


def _valid_day(year: int | None, month: int, day: int) -> bool:
    try:
        date(year or 2000, month, day)  # 2000 is a leap year: 29 February may be yearless
    except ValueError:
        return False
    return True


def date_spans(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each date (with or without a year, no time) in ``text``,
    non-overlapping, by position."""
    spans: list[tuple[int, int]] = []
    for f in _candidates(fold(text)):
        if not spans or f.start >= spans[-1][1]:
            spans.append((f.start, f.end))
    return spans


def _time_parts(m: re.Match[str]) -> tuple[int, int, int, int] | None:
    hour, minute = int(m["H"]), int(m["M"])
    ap = m["ap"]
    if ap:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if ap == "p" else 0)
    if hour > 23:
        return None
    micro = int((m["F"] or "0")[:6].ljust(6, "0"))
    return hour, minute, int(m["S"] or 0), micro


def _offset_after(folded: str, pos: int, *, seconds: bool = False) -> tzinfo | None:
    """An explicit UTC offset right after a time that ends at ``pos``, if any."""
    if _ZULU.match(folded, pos):
        return UTC
    m = _OFFSET_NAMED.match(folded, pos)
    if m is not None:
        return UTC if m["s"] is None else _offset(m["s"], m["h"], m["m"])
    m = (_OFFSET_GLUED.match(folded, pos) if seconds else None) or _OFFSET_RFC.match(folded, pos)
    return _offset(m["s"], m["h"], m["m"]) if m else None


def _wall(reference: datetime, zone: tzinfo | None) -> datetime:
    """The reference as a naive wall time in ``zone`` (a naive reference is UTC)."""
    if zone is None:
        return reference.replace(tzinfo=None)
    if reference.tzinfo is None:
        reference = reference.replace(tzinfo=UTC)
    return reference.astimezone(zone).replace(tzinfo=None)


def _resolve_year(
    month: int,
    day: int,
    clock: tuple[int, int, int, int] | None,
    zone: tzinfo | None,
    reference: datetime,
) -> int | None:
    """The latest year that puts the date at or before the reference (plus the skew)."""
    limit = _wall(reference, zone) + YEARLESS_SKEW
    for year in range(limit.year, limit.year - 9, -1):
        try:
            candidate = datetime(year, month, day, *(clock or (0, 0, 0, 0)))
        except ValueError:  # 29 February of a common year
            continue
        if (candidate <= limit) if clock else (candidate.date() <= limit.date()):
            return year
    return None


def _build(
    year: int | None,
    month: int,
    day: int,
    clock: tuple[int, int, int, int] | None,
    offset: tzinfo | None,
    tz: tzinfo | None,
    reference: datetime | None,
) -> ParsedDate | None:
    zone = offset or tz
    if year is None:
        if reference is None:
            return None
        year = _resolve_year(month, day, clock, zone, reference)
        if year is None:
            return None
    try:
        if clock is None:
            return ParsedDate(date(year, month, day), False, False)
        dt = datetime(year, month, day, *clock)
    except ValueError:
        return None
    if zone is None:
        return ParsedDate(dt, True, False)
    return ParsedDate(_freeze(dt.replace(tzinfo=zone)), True, True)


def _time_near(folded: str, start: int, end: int) -> tuple[re.Match[str] | None, int]:
    """A time printed right after (preferred) or right before the span; with the position
    where an offset may follow."""
    m = _TIME_AFTER.match(folded, end)
    if m is not None:
        return m, m.end()
    m = _TIME_BEFORE.search(folded, max(0, start - 40), start)
    if m is not None:
        return m, m.end("M") if m["S"] is None else m.end("S")
    return None, end


def parse_text_date(
    text: str | None,
    *,
    tz: tzinfo | None = None,
    reference: datetime | None = None,
    day_first: bool = True,
) -> ParsedDate | None:
    """Find and parse the first date printed in ``text``.

    ``tz`` is the zone the page's times are in (an explicit offset in the text wins);
    ``reference`` (the capture time; naive means UTC) resolves a missing year (the year
    that puts the date at or before the reference, with :data:`YEARLESS_SKEW`), a time
    without a date (the reference's day in the zone) and "today"/"yesterday". Without a
    reference those give ``None``. ``day_first`` reads ``05/06/2020`` as 5 June.
    """
    if not text or not text.strip():
        return None
    text = unicodedata.normalize("NFC", text)
    iso = parse_iso(text)
    if iso is not None:
        return iso.with_zone(tz) if tz is not None else iso
    folded = fold(text)
    for found in _candidates(folded, day_first=day_first, reference=reference):
        tm, pos = _time_near(folded, found.start, found.end)
        if tm is None and found.clock_at is not None:
            tm = _TIME.match(folded, found.clock_at)
            pos = tm.end() if tm else pos
        clock = _time_parts(tm) if tm else None
        offset = _offset_after(folded, pos, seconds=bool(tm["S"])) if tm and clock else None
        parsed = _build(found.year, found.month, found.day, clock, offset, tz, reference)
        if parsed is not None:
            return parsed
    if reference is None:
        return None
    return _parse_dateless(folded, tz, reference)


def _parse_dateless(folded: str, tz: tzinfo | None, reference: datetime) -> ParsedDate | None:
    """ "Today 10:31", "вчера, 23:50", "10:31 (UTC+04)": a day taken from the reference."""
    rel = _RELATIVE.search(folded)
    tm = _TIME.search(folded)
    clock = _time_parts(tm) if tm else None
    days_back = 0
    if rel is not None:
        days_back = _RELATIVE_DAYS[rel["rel"]]
        rest = folded[: rel.start()] + folded[rel.end() :]
        if clock is None and _ONLY_PUNCT.fullmatch(rest) is None:
            return None  # a lone "hier"/"dun" in running text is not a date
    elif clock is None:
        return None
    offset = _offset_after(folded, tm.end(), seconds=bool(tm["S"])) if (tm and clock) else None
    zone = offset or tz
    day = _wall(reference, zone).date() - timedelta(days=days_back)
    return _build(day.year, day.month, day.day, clock, offset, tz, reference)
