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


@pytest.mark.parametrize(("layout", "page", "expected"), _params(SAMPLES))
def test_sample_gives_its_expected_record(layout, page, expected):
    want = json.loads(expected.read_text("utf-8"))
    got = extract_layout(layout, page.read_bytes(), want["url"])
    assert got == want


@pytest.mark.parametrize(
    ("layout", "page", "expected"),
    _params([s for s in SAMPLES if s[1].name.endswith(".cp1251.html")]),
)
def test_cp1251_sample_with_the_header_charset(layout, page, expected):
    want = json.loads(expected.read_text("utf-8"))
    got = extract_layout(layout, page.read_bytes(), want["url"], encoding="windows-1251")
    assert got == want
