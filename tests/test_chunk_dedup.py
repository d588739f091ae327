"""Revisits do not depend on how a server chunks a page.

``WARC-Payload-Digest`` is over the entity-body with the transfer coding removed (the WARC
specification; iipc/warc-specifications#22): a recrawl whose server sends the same pages
in other chunk boundaries stores a revisit for every one of them.
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.archive_checks import warc_entries
from tests.conftest import run_cli
from tests.static_site import StaticSite

SITE = Path(__file__).parent / "sites" / "generic"


def test_other_chunk_boundaries_give_revisits_for_every_page(tmp_path):
    out = tmp_path / "archive"
    chunk = {"size": 700}
    reports = []
    with StaticSite(SITE, encoder=lambda _path, body: (body, None, chunk["size"])) as site:
        for size, recheck in ((700, "due"), (97, "all")):  # all: the articles too
            chunk["size"] = size
            result = run_cli(
                "crawl", "generic", "--root", site.origin + "/", "--out", str(out),
                "--recheck", recheck,
            )  # fmt: skip
            assert result.returncode == 0, result.stderr[-3000:]
            latest = sorted((out / "reports").glob("generic-*.json"))[-1]
            reports.append(json.loads(latest.read_text())["stats"])
    first, second = reports
    fetched = first["newsarchive/warc/responses"]
    assert fetched > 20 and first["newsarchive/warc/revisits"] == 0
    assert second["newsarchive/warc/responses"] == 0
    assert second["newsarchive/warc/revisits"] == fetched
    # the first run's bodies were framed in 700-byte chunks (0x2bc)
    kinds = [e.type for e in warc_entries(out)]
    assert kinds.count("revisit") == fetched
    validate = run_cli("validate", str(out / "warc"))
    assert validate.returncode == 0, validate.stdout[-2000:]
