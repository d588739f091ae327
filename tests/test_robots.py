"""robots.txt is obeyed by every request, also those queued while it downloads."""

from __future__ import annotations

import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent(
    """
    import sys
    import scrapy
    from scrapy.crawler import CrawlerProcess
    from newsarchive.projectsettings import base_settings

    root, out = sys.argv[1], sys.argv[2]

    class Burst(scrapy.Spider):
        name = "burst"

        async def start(self):
            # all queued before robots.txt has arrived
            for n in range(6):
                yield scrapy.Request(f"{root}search/?q={n}", callback=self.parse)
                yield scrapy.Request(f"{root}latest/?n={n}", callback=self.parse)

        def parse(self, response):
            pass

    settings = base_settings()
    settings.set("NEWSARCHIVE_OUT", out)
    settings.set("ITEM_PIPELINES", {})
    settings.set("LOG_LEVEL", "WARNING")
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(Burst)
    process.crawl(crawler)
    process.start()
    print(crawler.stats.get_value("robotstxt/forbidden", 0))
    """
)


def test_requests_waiting_for_robots_txt_are_checked_too(replica_server, tmp_path):
    root = replica_server.roots["trend"][0]
    before = len(replica_server.requests)
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, root, str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    paths = [path for _host, _m, path, _h in replica_server.requests[before:]]
    assert [p for p in paths if p.startswith("/search/")] == []
    assert sum(p.startswith("/latest/") for p in paths) == 6
    assert result.stdout.strip().splitlines()[-1] == "6"  # all six counted as forbidden
