"""`newsarchive report DIR -o report.html`: one self-contained page, checked in headless
Chromium (issue #13, item 5)."""

from __future__ import annotations

import copy
import json
import re
import shutil
from pathlib import Path

import pytest

from newsarchive.cli import main
from newsarchive.htmlreport import CHART_NAMES, gather, render
from newsarchive.report import COVERAGE_FIELDS
from tests import chromium
from tests.conftest import ARTIFACTS, run_cli
from tests.test_schema_files import GOOD

BROWSER = chromium.find_chromium()
needs_chromium = pytest.mark.skipif(
    BROWSER is None,
    reason="headless Chromium not installed (Debian: apt-get install chromium; .ci/run does it)",
)


def marks_per_chart(page: str) -> dict[str, int]:
    out = {}
    for name, body in re.findall(
        r'<figure class="chart" data-chart="([\w-]+)">(.*?)</figure>', page, re.S
    ):
        out[name] = body.count("data-mark=")
    return out


def synthetic_folder(root: Path, *, drift: bool = False) -> Path:
    records = []
    for i in range(6):
        record = copy.deepcopy(GOOD)
        record["url"] = f"https://en.trend.az/business/{i}.html"
        record["warc"]["record_id"] = f"<urn:uuid:00000000-0000-0000-0000-00000000000{i}>"
        record["published"] = f"2024-05-0{i + 1}T10:00:00+04:00" if i < 5 else "2024-05-09"
        record["fetched_at"] = f"2024-05-0{i + 1}T10:00:00Z"
        records.append(record)
    (root / "jsonl").mkdir(parents=True)
    (root / "jsonl" / "trend-20240501000000.jsonl").write_text(
        "".join(json.dumps(r) + "\n" for r in records), "utf-8"
    )
    (root / "reports").mkdir()
    for n, run in enumerate(("20240501000000", "20240502000000")):
        fields = dict.fromkeys(COVERAGE_FIELDS, 1.0)
        drifted = []
        if drift and n == 1:
            fields["published_time"] = 0.0
            drifted = [{"field": "published_time", "coverage": 0.0, "baseline": 1.0, "runs": []}]
        report = {
            "site": "trend",
            "run_id": run,
            "exit_code": 7 if drifted else 0,
            "summary": "archived 3 articles",
            "articles": 3,
            "errors": n,
            "finish_reason": "finished",
            "coverage": {"records": 3, "fields": fields},
            "drift": drifted,
            "stats": {"newsarchive/warc/bytes": 1000 * (n + 1)},
        }
        (root / "reports" / f"trend-{run}.json").write_text(json.dumps(report), "utf-8")
    (root / "warc").mkdir()
    (root / "warc" / "trend-x.warc.gz").write_bytes(b"x" * 5000)
    return root


# -- the page, without a browser ---------------------------------------------------------


def test_every_chart_has_marks(tmp_path):
    data = gather(synthetic_folder(tmp_path / "a"))
    assert data.records["trend"] == 6 and data.undated["trend"] == 0
    page = render(data)
    marks = marks_per_chart(page)
    assert list(marks) == list(CHART_NAMES)
    assert all(n > 0 for n in marks.values()), marks
    assert marks["coverage"] == 2 * len(COVERAGE_FIELDS)
    assert marks["rates"] == 6, "one currency cell on six pages captured at six times"
    assert marks["errors-per-run"] == 2


def test_the_page_loads_nothing(tmp_path):
    page = render(gather(synthetic_folder(tmp_path / "a")))
    assert not re.search(r"\s(src|href)=\"(?!data:)", page), "a reference to another file"
    assert "url(" not in page and "@import" not in page
    assert "http://" not in page and "https://" not in page.replace("https://en.trend.az", ""), (
        "a network address in the page"
    )
    assert "default-src 'none'" in page


def test_drift_is_marked(tmp_path):
    plain = render(gather(synthetic_folder(tmp_path / "a")))
    drifted = render(gather(synthetic_folder(tmp_path / "b", drift=True)))
    assert 'stroke="#d62728"' not in plain
    assert drifted.count('stroke="#d62728" stroke-width="3"') == 1, "the coverage cell"
    assert "<td>published_time</td>" in drifted, "the runs table names the field"


def test_an_empty_folder_says_so_and_exits_4(tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    assert main(["report", str(tmp_path / "empty"), "-o", str(tmp_path / "r.html")]) == 4
    assert "no run report and no record" in capsys.readouterr().err
    assert not (tmp_path / "r.html").exists()
    (tmp_path / "empty" / "reports").mkdir()
    page = render(gather(tmp_path / "empty"))
    marks = marks_per_chart(page)
    assert marks.pop("archive-size") == 1, "the empty reports/ folder"
    assert set(marks.values()) == {0}
    assert "no dated article" in page and "no rate table" in page


def test_cli_on_the_crawl(crawl_run, tmp_path):
    out = tmp_path / "report.html"
    result = run_cli("report", str(crawl_run.out), "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"{out}: 360 records, 2 runs, 2 sites"
    marks = marks_per_chart(out.read_text("utf-8"))
    assert all(n > 0 for n in marks.values()), marks


# -- in headless Chromium -------------------------------------------------------------------


def saturated_pixels(image, box: dict) -> int:
    """Pixels in ``box`` of a clearly coloured (not grey) tone: drawn data marks."""
    left, top = int(box["x"]), int(box["y"])
    region = image.crop((left, top, left + int(box["width"]), top + int(box["height"])))
    count = 0
    for r, g, b in region.convert("RGB").getdata():
        if max(r, g, b) - min(r, g, b) > 60:
            count += 1
    return count


@needs_chromium
def test_the_report_renders_in_chromium_with_every_chart_drawn(crawl_run, tmp_path):
    from PIL import Image

    folder = tmp_path / "archive"
    shutil.copytree(crawl_run.out, folder)
    page = folder / "report.html"
    assert main(["report", str(folder), "-o", str(page)]) == 0
    with chromium.PageServer(page) as server:
        rendered = chromium.render(BROWSER, server)
        assert rendered.body.get("data-errors") is None, rendered.body["data-errors"]
        assert rendered.console == [], rendered.console
        assert rendered.body["data-charts-drawn"] == str(len(CHART_NAMES))
        boxes = chromium.chart_boxes(rendered)
        assert [b["chart"] for b in boxes] == list(CHART_NAMES)
        height = int(rendered.body["data-page-height"])
        shot = chromium.screenshot(BROWSER, server, tmp_path / "report.png", 1100, height)
        requests = list(server.requests)
    page_requests = chromium.page_requests(requests)
    assert len(page_requests) == 2, requests  # one load for the DOM, one for the screenshot
    assert all(r.endswith("/report.html") for r in page_requests), requests
    image = Image.open(shot)
    assert image.size == (1100, height)
    colours = image.convert("RGB").getcolors(maxcolors=1 << 20)
    assert colours is not None and len(colours) > 50, "a blank screenshot"
    for box in boxes:
        assert box["width"] > 100 and box["height"] > 50, box
        assert saturated_pixels(image, box) > 30, f"{box['chart']} is not drawn"
    ARTIFACTS.append(f"report.html screenshot (headless Chromium): {shot}")


@needs_chromium
def test_the_browser_check_catches_a_script_error_and_a_network_load(tmp_path):
    page = tmp_path / "bad.html"
    page.write_text(
        '<!DOCTYPE html><html><body><img src="http://example.invalid/x.png">'
        "<script>console.error('broken'); missing();</script></body></html>",
        "utf-8",
    )
    with chromium.PageServer(page) as server:
        rendered = chromium.render(BROWSER, server)
        requests = list(server.requests)
    assert len(rendered.console) == 2
    assert any("example.invalid" in r for r in chromium.page_requests(requests)), requests
