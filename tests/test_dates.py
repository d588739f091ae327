"""Date parsing: month names of seven languages, Asia/Baku offsets, yearless and relative
dates resolved against the capture time, and no invented values."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta

import pytest

from newsarchive.dates import (
    BAKU,
    ParsedDate,
    date_spans,
    month_number,
    parse_iso,
    parse_text_date,
)


def iso(text: str, **kwargs) -> str | None:
    parsed = parse_text_date(text, **kwargs)
    return parsed.isoformat() if parsed else None


# --- month names -----------------------------------------------------------------------------

MONTH_FORMS = [
    # English
    ("15 May 2020", "2020-05-15"),
    ("15 Sept 2020", "2020-09-15"),
    ("15 SEPTEMBER 2020", "2020-09-15"),
    ("Sep. 15, 2020", "2020-09-15"),
    ("December 1, 2019", "2019-12-01"),
    ("1st Feb 2021", "2021-02-01"),
    # Azerbaijani: capitalised, lower-case, all capitals, without diacritics
    ("4 İyul 2023", "2023-07-04"),
    ("4 iyul 2023", "2023-07-04"),
    ("4 IYUL 2023", "2023-07-04"),
    ("4 İYUL 2023", "2023-07-04"),
    ("1 Avqust 2020", "2020-08-01"),
    ("3 sentyabr 2021", "2021-09-03"),
    ("12 Fevral 2019", "2019-02-12"),
    ("2023-cü il 4 iyul", "2023-07-04"),
    ("4 Ијул 2023", "2023-07-04"),  # Azerbaijani Cyrillic
    # Russian: genitive, nominative, prepositional-free abbreviations, capitals
    ("11 декабря 2012", "2012-12-11"),
    ("1 мая 2015", "2015-05-01"),
    ("3 янв. 2020", "2020-01-03"),
    ("5 СЕНТЯБРЯ 2019", "2019-09-05"),
    ("20 февр 2018", "2018-02-20"),
    ("7 ноября 2017", "2017-11-07"),
    # Turkish: dotless ı, ğ, ş, ü, with and without diacritics
    ("15 Mayıs 2020", "2020-05-15"),
    ("15 MAYIS 2020", "2020-05-15"),
    ("15 mayis 2020", "2020-05-15"),
    ("1 Ağustos 2020", "2020-08-01"),
    ("1 Agustos 2020", "2020-08-01"),
    ("3 Şubat 2021", "2021-02-03"),
    ("3 Aralık 2020", "2020-12-03"),
    ("7 Eylül 2020", "2020-09-07"),
    ("9 Kas 2020", "2020-11-09"),
    # German
    ("15. März 2020", "2020-03-15"),
    ("15. Maerz 2020", None),  # transliterations are not month names
    ("1. Jänner 2020", "2020-01-01"),
    ("3. Dez. 2020", "2020-12-03"),
    ("24. Oktober 2019", "2019-10-24"),
    # French
    ("1er août 2019", "2019-08-01"),
    ("1 aout 2019", "2019-08-01"),
    ("15 février 2020", "2020-02-15"),
    ("15 févr. 2020", "2020-02-15"),
    ("3 DÉCEMBRE 2020", "2020-12-03"),
    # Spanish
    ("15 de mayo de 2020", "2020-05-15"),
    ("3 de septiembre de 2020", "2020-09-03"),
    ("1 de setiembre de 2020", "2020-09-01"),
    ("20 ene 2021", "2021-01-20"),
    ("31 dic. 2021", "2021-12-31"),
]


@pytest.mark.parametrize(("text", "expected"), MONTH_FORMS)
def test_month_forms_in_every_language(text, expected):
    assert iso(text) == expected


@pytest.mark.parametrize(
    ("name", "number"),
    [
        ("İyul", 7),
        ("iyul", 7),
        ("IYUL", 7),
        ("İYUL", 7),
        ("Mayıs", 5),
        ("MAYIS", 5),
        ("ŞUBAT", 2),
        ("Ekim", 10),
        ("декабря", 12),
        ("Декабрь", 12),
        ("мае", 5),
        ("AOÛT", 8),
        ("aout", 8),
        ("Dez.", 12),
        ("setiembre", 9),
        ("Çərşənbə", None),
        ("Trend", None),
    ],
)
def test_month_number(name, number):
    assert month_number(name) == number


def test_decomposed_input_is_read_like_composed():
    # "İ" as I + COMBINING DOT ABOVE, "ü" as u + COMBINING DIAERESIS
    assert iso("4 I\u0307yul 2023") == "2023-07-04"
    assert iso("7 Eylu\u0308l 2020") == "2020-09-07"


# --- Asia/Baku offsets -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("02.05.2014 14:12", "2014-05-02T14:12:00+05:00"),  # summer time before 2016
        ("02.12.2014 14:12", "2014-12-02T14:12:00+04:00"),  # winter time
        ("15 May 2020 17:40", "2020-05-15T17:40:00+04:00"),  # no DST since 2016
        ("01.07.2016 12:00", "2016-07-01T12:00:00+04:00"),
        ("29.03.2015 03:59", "2015-03-29T03:59:00+04:00"),  # just before the switch
        ("29.03.2015 05:00", "2015-03-29T05:00:00+05:00"),  # just after it
        ("25.10.2015 05:30", "2015-10-25T05:30:00+04:00"),  # after the return
        ("11 декабря 2012 16:30", "2012-12-11T16:30:00+04:00"),
    ],
)
def test_baku_offset_is_the_one_in_force(text, expected):
    assert iso(text, tz=BAKU) == expected


def test_explicit_offset_wins_over_the_zone():
    assert iso("02.05.2014 14:12 (UTC+04)", tz=BAKU) == "2014-05-02T14:12:00+04:00"
    assert iso("15 May 2020 17:40 (UTC +04:00)", tz=BAKU) == "2020-05-15T17:40:00+04:00"
    assert iso("4 İyul 2023 11:05 (UTC +04:00)") == "2023-07-04T11:05:00+04:00"
    assert iso("Fri, 15 May 2020 17:40:00 GMT", tz=BAKU) == "2020-05-15T17:40:00+00:00"
    assert iso("Fri, 15 May 2020 17:40:00 +0300", tz=BAKU) == "2020-05-15T17:40:00+03:00"
    assert iso("15.11.2023 10:31:05 +03:00", tz=BAKU) == "2023-11-15T10:31:05+03:00"
    assert iso("2014-05-02T14:12:00+05:00 (Baku)", tz=BAKU) == "2014-05-02T14:12:00+05:00"


def test_without_zone_a_time_stays_naive():
    parsed = parse_text_date("02.05.2014 14:12")
    assert parsed.isoformat() == "2014-05-02T14:12:00"
    assert parsed.has_time and not parsed.has_offset


def test_a_time_range_is_not_an_offset():
    assert iso("15 May 2020 10:00-12:00", tz=BAKU) == "2020-05-15T10:00:00+04:00"


# --- no invented values ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("23/09/2021", "2021-09-23"),  # a day alone stays a day
        ("May 15, 2020", "2020-05-15"),
        ("05/15/2020", "2020-05-15"),  # 15 cannot be a month
        ("May 15, 2020 5:40 pm", "2020-05-15T17:40:00"),
        ("Posted at 5:40 pm on May 15, 2020", "2020-05-15T17:40:00"),
        ("le 1er août 2019 à 17h40", "2019-08-01T17:40:00"),
        ("15. März 2020 um 17:40 Uhr", "2020-03-15T17:40:00"),
        ("2014-05-02", "2014-05-02"),
        ("Updated: 2020-05-15T17:40:00+04:00 by the desk", "2020-05-15T17:40:00+04:00"),
        ("May 2020", None),  # no day: never a 1st
        ("2020", None),  # no month: never a 1 January
        ("31 February 2020", None),
        ("no date here", None),
        ("", None),
        ("   ", None),
        ("25:61", None),
    ],
)
def test_dates_are_what_the_page_gives(text, expected):
    assert iso(text, reference=datetime(2023, 11, 15, tzinfo=UTC)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("( Roma, 14 Gennaio 20 )", "2020-01-14"),  # a two-digit year after the month
        ("14-Jan-20", "2020-01-14"),
        ("14 Jan 20, 10:30", "2020-01-14T10:30:00"),
        ("15 May 99", "1999-05-15"),
        ("Jan 04 09:34 2021", "2021-01-04T09:34:00"),  # asctime: the time before the year
        ("Mon Jan  4 09:34:05 2021", "2021-01-04T09:34:05"),
        ("5 May 20 people", None),  # a number that a word follows is no year
        ("15 May 20:30", None),  # a time, and no year
        ("15 mai 20h30", None),
    ],
)
def test_short_years_and_asctime(text, expected):
    assert iso(text) == expected


def test_day_first_decides_ambiguous_numeric_dates():
    assert iso("06/05/2020") == "2020-05-06"
    assert iso("06/05/2020", day_first=False) == "2020-06-05"


# --- yearless, time-only, relative -----------------------------------------------------------


REF = datetime(2023, 11, 15, 8, 0, tzinfo=UTC)  # 12:00 in Baku


def test_yearless_date_takes_the_reference_year():
    assert iso("15 November 10:31 (UTC+04)", reference=REF) == "2023-11-15T10:31:00+04:00"
    assert iso("14 November 23:50 (UTC+04)", tz=BAKU, reference=REF) == (
        "2023-11-14T23:50:00+04:00"
    )


def test_yearless_date_across_new_year():
    new_year = datetime(2024, 1, 1, 0, 10, tzinfo=BAKU)
    assert iso("31 December 23:50", tz=BAKU, reference=new_year) == "2023-12-31T23:50:00+04:00"
    assert iso("30 December", tz=BAKU, reference=new_year) == "2023-12-30"
    assert iso("1 January 00:05", tz=BAKU, reference=new_year) == "2024-01-01T00:05:00+04:00"


def test_yearless_date_allows_a_day_of_skew_but_no_more():
    eve = datetime(2023, 12, 31, 23, 30, tzinfo=BAKU)
    assert iso("1 January 00:05", tz=BAKU, reference=eve) == "2024-01-01T00:05:00+04:00"
    assert iso("3 January", tz=BAKU, reference=eve) == "2023-01-03"


def test_yearless_29_february_goes_to_the_last_leap_year():
    assert iso("29 February", reference=datetime(2023, 6, 1, tzinfo=UTC)) == "2020-02-29"


def test_yearless_without_reference_is_none():
    assert parse_text_date("15 November 10:31 (UTC+04)") is None
    assert parse_text_date("15 November", tz=BAKU) is None


def test_time_only_is_the_reference_day_in_the_zone():
    assert iso("10:31 (UTC+04)", reference=REF) == "2023-11-15T10:31:00+04:00"
    late_utc = datetime(2023, 11, 14, 21, 0, tzinfo=UTC)  # already 15 November in Baku
    assert iso("10:31", tz=BAKU, reference=late_utc) == "2023-11-15T10:31:00+04:00"
    assert parse_text_date("10:31 (UTC+04)") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("today 10:31", "2023-11-15T10:31:00+04:00"),
        ("Today, 10:31", "2023-11-15T10:31:00+04:00"),
        ("Сегодня, 10:31", "2023-11-15T10:31:00+04:00"),
        ("bugün 10:31", "2023-11-15T10:31:00+04:00"),
        ("Bu gün 10:31", "2023-11-15T10:31:00+04:00"),
        ("yesterday 23:50", "2023-11-14T23:50:00+04:00"),
        ("вчера в 23:50", "2023-11-14T23:50:00+04:00"),
        ("dünən 23:50", "2023-11-14T23:50:00+04:00"),
        ("gestern, 08:15", "2023-11-14T08:15:00+04:00"),
        ("Yesterday", "2023-11-14"),
        ("hier ist der Text", None),  # a lone word in running text is not a date
    ],
)
def test_relative_words(text, expected):
    assert iso(text, tz=BAKU, reference=REF) == expected


def test_relative_without_reference_is_none():
    assert parse_text_date("today 10:31", tz=BAKU) is None


# --- ISO 8601 --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected", "has_time", "has_offset"),
    [
        ("2014-05-02", "2014-05-02", False, False),
        ("2014-05-02T14:12:00+05:00", "2014-05-02T14:12:00+05:00", True, True),
        ("2014-05-02T14:12:00Z", "2014-05-02T14:12:00+00:00", True, True),
        ("2014-05-02T14:12", "2014-05-02T14:12:00", True, False),
        ("2014-05-02 14:12:00.25+0500", "2014-05-02T14:12:00.250000+05:00", True, True),
        ("20140502T141200-0330", "2014-05-02T14:12:00-03:30", True, True),
    ],
)
def test_parse_iso(value, expected, has_time, has_offset):
    parsed = parse_iso(value)
    assert parsed.isoformat() == expected
    assert (parsed.has_time, parsed.has_offset) == (has_time, has_offset)


@pytest.mark.parametrize(
    "value", ["", "2014-13-02", "2014-02-30", "2014-05-02T25:00", "yesterday", "15 May 2020"]
)
def test_parse_iso_rejects(value):
    assert parse_iso(value) is None


def test_parse_iso_then_zone_for_a_naive_value():
    assert parse_iso("2014-05-02T14:12:00").with_zone(BAKU).isoformat() == (
        "2014-05-02T14:12:00+05:00"
    )
    assert parse_iso("2014-05-02").with_zone(BAKU).isoformat() == "2014-05-02"


def test_parsed_date_is_frozen_and_keeps_what_it_knows():
    parsed = parse_text_date("02.05.2014 14:12", tz=BAKU)
    assert parsed.day == date(2014, 5, 2)
    assert parsed.value.utcoffset() == timedelta(hours=5)
    with pytest.raises(dataclasses.FrozenInstanceError):
        parsed.has_time = False  # type: ignore[misc]
    assert ParsedDate(date(2014, 5, 2), False, False).isoformat() == "2014-05-02"


def test_date_spans_find_dates_without_times():
    text = "Баку, Азербайджан, 11 декабря /корр. Trend/"
    (start, end) = date_spans(text)[0]
    assert text[start:end] == "11 декабря"
    text = "BAKU, Azerbaijan, May 15"
    assert [text[s:e] for s, e in date_spans(text)] == ["May 15"]
    assert date_spans("Kelly Kramer: Yes, this is true.") == []
