"""Text normalisation shared by extraction and the pipelines."""

from __future__ import annotations

from newsarchive.text import clean_or_none, clean_text, collapse_ws, join_paragraphs, normalize_body


def test_collapse_ws_handles_nbsp_tabs_newlines_and_zero_width_spaces():
    assert collapse_ws("  a\xa0\u2009b\u200b c\n\t d\u2028e ") == "a b c d e"


def test_clean_text_is_nfc():
    assert clean_text("I\u0307yul  Bak\u0131") == "\u0130yul Bak\u0131"
    assert clean_text(None) == ""
    assert clean_or_none(" \xa0 ") is None


def test_join_paragraphs_drops_empty_ones():
    assert join_paragraphs(["  One\n line ", "", "\xa0", "Two"]) == "One line\n\nTwo"


def test_normalize_body_is_idempotent_and_keeps_one_blank_line():
    body = "One\nline.\n\n\n  \nTwo  words.\r\n\r\nThree"
    assert normalize_body(body) == "One line.\n\nTwo words.\n\nThree"
    assert normalize_body(normalize_body(body)) == normalize_body(body)
    assert normalize_body(None) == ""
