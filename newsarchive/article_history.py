"""``newsarchive history DIR URL``: an article's versions and what changed between them.

The versions are the article's records in ``DIR/jsonl/`` (every record whose article, by
:func:`~newsarchive.state.model.article_identity`, is the one at ``URL``), in ``version``
order. For each: its capture time and WARC pointer, then a word diff of the title and
the body against the version before: ``[-removed-]`` and ``{+added+}`` words with a few
words of context around them, paragraph by paragraph. The JSON Lines files are the
source (not the state database), so the command works on any copy of the folder.
"""

from __future__ import annotations

import difflib
import json
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import urlsplit

from newsarchive.discovery.urls import normalize_url
from newsarchive.state.model import article_identity

__all__ = ["article_versions", "render_history", "run_history", "word_diff"]

#: Words of unchanged text kept on each side of a change.
CONTEXT_WORDS = 6


def _records(folder: Path, hint: str | None) -> Iterator[dict[str, Any]]:
    for path in sorted((folder / "jsonl").glob("*.jsonl")):
        with open(path, "rb") as fh:
            for line in fh:
                if hint is not None and hint.encode() not in line:
                    continue
                try:
                    record = json.loads(line)
                except ValueError:
                    continue  # a torn last line of a killed run: validate reports it
                if isinstance(record, dict):
                    yield record


def _hint(url: str) -> str | None:
    """A piece of text every JSON line of the article contains (to skip the others
    unparsed), when there is a safe one: the URL path's last segment, plain ASCII."""
    segment = urlsplit(url).path.rstrip("/").rpartition("/")[2]
    if len(segment) >= 3 and segment.isascii() and "%" not in segment and '"' not in segment:
        return segment
    return None


def article_versions(folder: Path, url: str) -> list[dict[str, Any]]:
    """Every record of the article at ``url`` in ``folder``, oldest version first."""
    target = normalize_url(url)
    found: list[dict[str, Any]] = []
    identities: set[str] = set()
    for record in _records(folder, _hint(target)):
        identity = article_identity(record)
        if identity == target or normalize_url(str(record.get("url") or "")) == target:
            found.append(record)
            identities.add(identity)
    others = identities - {target}
    if others:  # the page names another canonical URL: its records under other URLs too
        seen = {id(r) for r in found}
        hints = {_hint(i) for i in others}
        hint = hints.pop() if len(hints) == 1 else None
        found += [
            r for r in _records(folder, hint) if article_identity(r) in others and id(r) not in seen
        ]
    unique: dict[tuple[Any, ...], dict[str, Any]] = {}
    for record in found:
        warc = record.get("warc") or {}
        key = (record.get("version"), warc.get("record_id"), record.get("fetched_at"))
        unique.setdefault(key, record)
    return sorted(
        unique.values(), key=lambda r: (int(r.get("version") or 1), str(r.get("fetched_at")))
    )


def word_diff(old: str, new: str, context: int = CONTEXT_WORDS) -> str:
    """``new`` against ``old``, word by word: ``[-gone-]{+added+}``, unchanged runs longer
    than ``2 * context`` words cut to their ends with ``…``. Empty when equal."""
    a, b = old.split(), new.split()
    if a == b:
        return ""
    out: list[str] = []
    ops = difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    for n, (tag, i1, i2, j1, j2) in enumerate(ops):
        if tag == "equal":
            words = a[i1:i2]
            first, last = n == 0, n == len(ops) - 1
            keep_head = 0 if first else context
            keep_tail = 0 if last else context
            if len(words) > keep_head + keep_tail + 1:
                head = words[:keep_head]
                tail = words[len(words) - keep_tail :] if keep_tail else []
                out += [*head, "…", *tail]
            else:
                out += words
            continue
        if i2 > i1:
            out.append("[-" + " ".join(a[i1:i2]) + "-]")
        if j2 > j1:
            out.append("{+" + " ".join(b[j1:j2]) + "+}")
    return " ".join(out)


def _paragraph_diffs(old: str, new: str) -> list[tuple[str, str]]:
    """``(where, diff)`` per changed paragraph of a body (paragraphs split on blank lines)."""
    a = [p for p in old.split("\n\n") if p.strip()]
    b = [p for p in new.split("\n\n") if p.strip()]
    out: list[tuple[str, str]] = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        where = f"paragraph {j1 + 1}" if j2 > j1 else f"after paragraph {j1}"
        if j2 - j1 > 1:
            where = f"paragraphs {j1 + 1}-{j2}"
        out.append((where, word_diff("\n".join(a[i1:i2]), "\n".join(b[j1:j2]))))
    return out


def _pointer(record: dict[str, Any]) -> str:
    warc = record.get("warc") or {}
    if not warc:
        return "-"
    return f"{warc.get('file')}#{warc.get('offset')}"


def render_history(url: str, versions: Sequence[dict[str, Any]]) -> str:
    """The text ``newsarchive history`` prints for ``versions`` (oldest first)."""
    lines = [f"{url}: {len(versions)} version{'s' if len(versions) != 1 else ''}"]
    previous: dict[str, Any] | None = None
    for record in versions:
        lines.append(
            f"version {record.get('version', 1)}  captured {record.get('fetched_at')}  "
            f"warc {_pointer(record)}"
        )
        if previous is None:
            lines.append(f"  title: {record.get('title')}")
        else:
            changed = False
            for field in ("title", "published", "dateline"):
                before, after = previous.get(field), record.get(field)
                if before != after:
                    changed = True
                    if field == "title":
                        lines.append(f"  title: {word_diff(str(before), str(after), context=50)}")
                    else:
                        lines.append(f"  {field}: {before} -> {after}")
            for where, diff in _paragraph_diffs(
                str(previous.get("body") or ""), str(record.get("body") or "")
            ):
                changed = True
                lines.append(f"  body, {where}: {diff}")
            if not changed:
                lines.append("  (no change in title, body, date or dateline)")
        previous = record
    return "\n".join(lines) + "\n"


def run_history(folder: Path, url: str, *, as_json: bool = False, out: TextIO | None = None) -> int:
    """Print the history of ``url`` in ``folder``; 0, or 4 when it has no record there."""
    out = out or sys.stdout
    if not (folder / "jsonl").is_dir():
        print(f"newsarchive: {folder} has no jsonl/ folder (not a crawl output)", file=sys.stderr)
        return 3
    versions = article_versions(folder, url)
    if not versions:
        print(f"newsarchive: no record of {url} in {folder}", file=sys.stderr)
        return 4
    if as_json:
        for record in versions:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    else:
        out.write(render_history(url, versions))
    return 0
