"""Every sample article in ``../shared/layouts/{layout}/`` gives exactly its
``*.expected.json`` (optional: skipped when ``../shared`` is not beside the project)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from newsarchive.extractors import extract_layout

LAYOUTS_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "layouts"


def _samples() -> list[tuple[str, Path, Path]]:
    """``(layout, page, expected)`` for each expected record beside its page."""
    found = []
    for expected in sorted(LAYOUTS_DIR.glob("*/*.expected.json")):
        stem = expected.name.removesuffix(".expected.json")
        pages = sorted(p for p in expected.parent.glob(f"{stem}.*html") if p.name.count(".") <= 2)
        for page in pages:
            found.append((expected.parent.name, page, expected))
    return found


SKIP_REASON = f"../shared/layouts not found at {LAYOUTS_DIR}: sample checks skipped"
SAMPLES = _samples() if LAYOUTS_DIR.is_dir() else []


def _params(samples: list[tuple[str, Path, Path]]) -> list:
    if not LAYOUTS_DIR.is_dir():
        return [pytest.param(None, None, None, marks=pytest.mark.skip(reason=SKIP_REASON))]
    return [pytest.param(*s, id=f"{s[0]}/{s[1].name}") for s in samples]


def test_samples_are_present():
    if not LAYOUTS_DIR.is_dir():
        pytest.skip(SKIP_REASON)
    assert {layout for layout, _, _ in SAMPLES} >= {"trend", "bakutel"}


#: What the sample pages offer for the fields schema version 2 added (the expected records
#: predate them): Trend pages name their canonical URL, BakuTel pages their keywords.
NEW_FIELDS = {
    "trend": lambda want: {**PAGE_METADATA, "canonical_url": want["url"]},
    "bakutel": lambda want: {**PAGE_METADATA, "tags": ["telecom", "ICT", "Azerbaijan"]},
}
PAGE_METADATA = {
    "authors": [],
    "modified": None,
    "modified_raw": None,
    "description": None,
    "image": None,
    "tags": [],
    "canonical_url": None,
}


def _split(got: dict, want: dict) -> tuple[dict, dict]:
    """``got`` as the expected record's fields, and the fields it has beyond them."""
    return {k: got.get(k) for k in want}, {k: v for k, v in got.items() if k not in want}


@pytest.mark.parametrize(("layout", "page", "expected"), _params(SAMPLES))
def test_sample_gives_its_expected_record(layout, page, expected):
    want = json.loads(expected.read_text("utf-8"))
    got, extra = _split(extract_layout(layout, page.read_bytes(), want["url"]), want)
    assert got == want
    assert extra == NEW_FIELDS[layout](want)


@pytest.mark.parametrize(
    ("layout", "page", "expected"),
    _params([s for s in SAMPLES if s[1].name.endswith(".cp1251.html")]),
)
def test_cp1251_sample_with_the_header_charset(layout, page, expected):
    want = json.loads(expected.read_text("utf-8"))
    got = extract_layout(layout, page.read_bytes(), want["url"], encoding="windows-1251")
    got, extra = _split(got, want)
    assert got == want
    assert extra == NEW_FIELDS[layout](want)
