"""Scoring used by ``bench/extract_bench.py``.

Body text is scored exactly as the article-extraction-benchmark (Zyte/Scrapinghub,
``evaluate.py``) scores it: ``\\w+`` tokens, 4-token shingles counted with multiplicity,
per-page true/false positives and false negatives normalised to sum to 1, precision and
recall averaged over the pages where they are defined, F1 from the two averages.
Dates are scored on the day (``published[:10] == date``); titles exactly after Unicode
NFC, whitespace collapsing and casefolding; authors exactly as a set of names
(:func:`author_names`), a page without an author matching only an empty answer.
"""

from __future__ import annotations

import re
import statistics
import unicodedata
from collections import Counter
from collections.abc import Iterable

_TOKEN_RE = re.compile(r"\w+", re.UNICODE | re.MULTILINE | re.IGNORECASE | re.DOTALL)
_SPACE_RE = re.compile(r"\s+")

TpFpFn = tuple[float, float, float]


def _ngrams(text: str, n: int) -> list[tuple[str, ...]]:
    tokens = _TOKEN_RE.findall(text or "")
    result = []
    for i in range(0, max(1, len(tokens) - n + 1)):
        shingle = tuple(tokens[i : i + n])
        if shingle:
            result.append(shingle)
    return result


def string_shingle_matching(true: str, pred: str, ngram_n: int = 4) -> TpFpFn:
    """Return the page's (tp, fp, fn) over shingles, normalised to sum to 1."""
    true_shingles = Counter(_ngrams(true, ngram_n))
    pred_shingles = Counter(_ngrams(pred, ngram_n))
    tp = fp = fn = 0.0
    for key in set(true_shingles) | set(pred_shingles):
        true_count = true_shingles.get(key, 0)
        pred_count = pred_shingles.get(key, 0)
        tp += min(true_count, pred_count)
        fp += max(0, pred_count - true_count)
        fn += max(0, true_count - pred_count)
    s = tp + fp + fn
    if s > 0:
        return (tp / s, fp / s, fn / s)
    return (tp, fp, fn)


def _precision(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    if tp == fp == 0:
        return 0.0
    return tp / (tp + fp)


def _recall(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    if tp == fn == 0:
        return 0.0
    return tp / (tp + fn)


def body_scores(pairs: Iterable[tuple[str | None, str | None]]) -> dict[str, float]:
    """Precision, recall and F1 over ``(true, predicted)`` body pairs, as the benchmark."""
    tp_fp_fns = [string_shingle_matching(t or "", p or "") for t, p in pairs]
    precisions = [_precision(*x) for x in tp_fp_fns if x[0] + x[1] > 0]
    recalls = [_recall(*x) for x in tp_fp_fns if x[0] + x[2] > 0]
    precision = statistics.mean(precisions) if precisions else 0.0
    recall = statistics.mean(recalls) if recalls else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}


def page_f1(true: str | None, pred: str | None) -> float:
    """Shingle F1 of one page (for listing the worst pages)."""
    tp, fp, fn = string_shingle_matching(true or "", pred or "")
    p, r = _precision(tp, fp, fn), _recall(tp, fp, fn)
    return 2 * p * r / (p + r) if p + r else 0.0


def same_day(truth: str | None, predicted: str | None) -> bool:
    """Whether the predicted publication date falls on the true day (both null counts)."""
    if truth is None:
        return predicted is None
    return bool(predicted) and predicted[:10] == truth


def normalise_title(title: str | None) -> str:
    """NFC, whitespace collapsed and stripped, casefolded."""
    if not title:
        return ""
    return _SPACE_RE.sub(" ", unicodedata.normalize("NFC", title)).strip().casefold()


def same_title(truth: str | None, predicted: str | None) -> bool:
    """Exact title match after normalisation."""
    return normalise_title(truth) == normalise_title(predicted)


#: What separates the names of several authors in one string: ``;``, ``,``, ``&``, ``/``,
#: "and" in the corpus's languages, and the line breaks of a byline list.
_AUTHOR_SPLIT = re.compile(r"\s*(?:[;,&/|\n]|\s(?:and|und|et|y|e)\s)\s*", re.IGNORECASE)


def author_names(value: str | list | None) -> list[str]:
    """The names in an author value (a string, possibly naming several, or a list),
    normalised like titles and sorted: the same function reads the truth and every
    extractor's answer, so a "A and B" truth matches ``["A", "B"]`` and ``"A; B"``."""
    if not value:
        return []
    if isinstance(value, str):
        value = [value]
    names = []
    for item in value:
        if not isinstance(item, str):
            continue
        for part in _AUTHOR_SPLIT.split(item):
            name = normalise_title(part)
            if name:
                names.append(name)
    return sorted(names)


def same_authors(truth: str | list | None, predicted: str | list | None) -> bool:
    """Exact match of the author names (both empty counts)."""
    return author_names(truth) == author_names(predicted)
