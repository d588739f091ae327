"""Scrapy settings for newsarchive.

The console script loads this module itself (``newsarchive.settings``), so crawls work
from any directory. Spiders and pipelines are named by dotted path: the core never
imports them.
"""

BOT_NAME = "newsarchive"
SPIDER_MODULES = ["spiders"]
NEWSPIDER_MODULE = "spiders"

USER_AGENT = "newsarchive/0.1 (+https://example.invalid/newsarchive; archiving crawler)"
ROBOTSTXT_OBEY = True

# News archiving needs no sessions, and Scrapy's cookie middleware would look up the public
# suffix list on the network (tldextract) the first time a site sets a cookie.
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False

CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 8
DOWNLOAD_TIMEOUT = 30
RETRY_TIMES = 2
# Redirects, 404s and robots.txt are archived by the WARC extension whatever happens next;
# only 2xx responses reach the spider callbacks.
REDIRECT_ENABLED = True

# The exact bytes on the wire: request line, status line, raw headers and raw body.
DOWNLOAD_HANDLERS = {
    "http": "newsarchive.warc.capture.CapturingHTTP11DownloadHandler",
    "https": "newsarchive.warc.capture.CapturingHTTP11DownloadHandler",
}

DOWNLOADER_MIDDLEWARES = {
    # robots.txt checked for every request, also those that wait for its download
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "newsarchive.robots.RobotsTxtMiddleware": 100,
}

EXTENSIONS = {
    "newsarchive.warc.extension.WarcCaptureExtension": 100,
    "newsarchive.report.RunReportExtension": 900,
}

ITEM_PIPELINES = {
    "pipelines.normalize.NormalizePipeline": 100,
    "pipelines.validate.ValidatePipeline": 200,
    "pipelines.dedup.DedupPipeline": 300,
    "pipelines.jsonl.JsonlStoragePipeline": 900,
}

# --- newsarchive settings (all prefixed NEWSARCHIVE_) ---
NEWSARCHIVE_OUT = "archives"
"""The output folder: ``warc/``, ``jsonl/``, ``reports/`` and ``logs/`` live below it."""

NEWSARCHIVE_RUN_ID = None
"""``YYYYMMDDhhmmss`` (UTC) naming this run's JSONL and report files; set by the CLI."""

NEWSARCHIVE_WARC_ENABLED = True
NEWSARCHIVE_WARC_PREFIX = None
"""WARC file name prefix; ``None`` means the spider's name."""
NEWSARCHIVE_WARC_MAX_SIZE = 1_000_000_000
NEWSARCHIVE_WARC_OPERATOR = ""
NEWSARCHIVE_WARC_DESCRIPTION = ""

NEWSARCHIVE_EXTRACT_ENABLED = True
"""Off: article pages are fetched but not extracted (the benchmark's plain-Scrapy baseline)."""
NEWSARCHIVE_JSONL_ENABLED = True
NEWSARCHIVE_REPORT_ENABLED = True

FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = "INFO"
