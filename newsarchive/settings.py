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

# The frontier: memory up to NEWSARCHIVE_FRONTIER_MEMORY requests, the rest on disk.
SCHEDULER_MEMORY_QUEUE = "newsarchive.crawling.frontier.SpillingQueue"

CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 8
# Every response yields at most one article item (plus a listing's requests), and Scrapy
# 2.19 starts one task per allowed concurrent item for every response's output: the default
# of 100 costs more than the crawl's own work (measured: +45 % pages/s at 16).
CONCURRENT_ITEMS = 16
DOWNLOAD_TIMEOUT = 30
# Bounded memory whatever a page is: a response past 32 MiB (as sent, and once decoded) is
# cut there, archived with WARC-Truncated: length, and not extracted.
DOWNLOAD_MAXSIZE = 32 * 1024 * 1024
DOWNLOAD_WARNSIZE = 8 * 1024 * 1024
RETRY_TIMES = 2
# Scrapy's remote-control service (2.19) is not for unattended crawls.
REMOTE_CONTROL_ENABLED = False
# Redirects, 404s and robots.txt are archived by the WARC extension whatever happens next;
# only 2xx responses reach the spider callbacks.
REDIRECT_ENABLED = True

# The exact bytes on the wire: request line, status line, raw headers and raw body.
DOWNLOAD_HANDLERS = {
    "http": "newsarchive.capture.handler.CapturingDownloadHandler",
    "https": "newsarchive.capture.handler.CapturingDownloadHandler",
}

DOWNLOADER_MIDDLEWARES = {
    # what requests ask for (gzip, deflate) and one decoder for all that arrives
    "scrapy.downloadermiddlewares.httpcompression.HttpCompressionMiddleware": None,
    "newsarchive.capture.decoding.ContentDecodingMiddleware": 590,
    # Retry-After on 429/503 waited for (up to a bound) before RetryMiddleware (550) retries
    "newsarchive.crawling.retryafter.RetryAfterMiddleware": 560,
    # requests and redirects stay on the site (process_response before RedirectMiddleware)
    "newsarchive.crawling.scope.ScopeMiddleware": 650,
    # robots.txt as RFC 9309 says: once per origin and run, every request checked (also
    # those that wait for its download), unreachable means disallowed, Crawl-delay obeyed
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "newsarchive.robots.RobotsMiddleware": 100,
    # an interrupted run's captures answered from the archive (after robots.txt)
    "newsarchive.resume.ResumeMiddleware": 120,
}

EXTENSIONS = {
    # first: the output folder's owner (site lock, repair, state, runs); the others reach
    # it through crawler.get_extension(ArchiveFolder)
    "newsarchive.state.owner.ArchiveFolder": 0,
    # the WARC side, one job each: the files, the indexes (listening before any record is
    # written: RecordArchiver writes at spider_opened), the exchanges, the records
    "newsarchive.warc.files.WarcFiles": 100,
    "newsarchive.warc.cdxj.CdxjIndexer": 105,
    "newsarchive.warc.archiver.ExchangeArchiver": 110,
    "newsarchive.warc.metadata.RecordArchiver": 120,
    # --max-runtime and storage failures end the run (resumable)
    "newsarchive.crawling.limits.RunLimits": 50,
    # which known articles this run fetches again (NEWSARCHIVE_RECHECK*)
    "newsarchive.crawling.recheck.RecheckPolicy": 60,
    # progress lines on a terminal (NEWSARCHIVE_PROGRESS)
    "newsarchive.crawling.progress.ProgressExtension": 800,
    "newsarchive.report.RunReportExtension": 900,
}

# plans, Scrapyd jobs and shared frontiers: NEWSARCHIVE_SITE, NEWSARCHIVE_MAX_BYTES and
# NEWSARCHIVE_FRONTIER turned into components (newsarchive.ops.addon)
ADDONS = {"newsarchive.ops.addon.NewsarchiveAddon": 0}

ITEM_PIPELINES = {
    "pipelines.normalize.NormalizePipeline": 100,
    "pipelines.validate.ValidatePipeline": 200,
    "pipelines.dedup.DedupPipeline": 300,
    "pipelines.versions.ArticleVersionsPipeline": 350,
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
NEWSARCHIVE_WARC_GZIP_LEVEL = 6
"""zlib level of each record's gzip member: 1 is about 3x faster, files ~15 % larger."""
NEWSARCHIVE_WARC_OPERATOR = ""
NEWSARCHIVE_WARC_DESCRIPTION = ""
NEWSARCHIVE_WARC_DEDUP = True
"""A payload archived before (any run in this folder) is stored as a ``revisit`` record."""
NEWSARCHIVE_WARC_DEDUP_MIN_SIZE = 1
"""Payloads shorter than this many bytes are always stored (the default: empty ones)."""
NEWSARCHIVE_WARC_RECORDS = True
"""Each stored article record is also written into the WARC as a ``metadata`` record."""
NEWSARCHIVE_WARC_CDXJ = True
"""Each closed WARC file gets ``DIR/indexes/{file}.cdxj``."""

NEWSARCHIVE_FRONTIER_MEMORY = 20_000
"""Pending requests kept in memory per queue; the rest spill to ``DIR/.frontier/``."""
NEWSARCHIVE_MAX_PARSE_SIZE = 8 * 1024 * 1024
"""A text page larger than this once decoded is archived but not parsed (memory bound)."""
NEWSARCHIVE_CAPTURE_FALLBACK = True
"""A failure of the capturing handler itself: download with Scrapy's, archive a reconstruction."""
NEWSARCHIVE_CAPTURE_IDLE_TIMEOUT = 60.0
"""Seconds a kept-alive connection may idle before it is closed."""
NEWSARCHIVE_ROBOTS_MAX_DELAY = 30.0
"""The longest robots.txt ``Crawl-delay`` obeyed, in seconds (longer ones are cut to it)."""
NEWSARCHIVE_ROBOTS_TIMEOUT = 15.0
"""Seconds a robots.txt fetch may take (one retry): a hang makes the origin unreachable."""
NEWSARCHIVE_RETRY_AFTER_MAX = 120.0
"""The longest ``Retry-After`` waited for, in seconds; longer: not retried this run."""
NEWSARCHIVE_MAX_RUNTIME = 0.0
"""Seconds after which the run stops, resumable (``--max-runtime``); 0: no limit."""
NEWSARCHIVE_PROGRESS = "auto"
"""Progress lines on stderr: ``auto`` (on a terminal), ``on`` or ``off``."""
NEWSARCHIVE_PROGRESS_INTERVAL = 10.0

NEWSARCHIVE_RECHECK = "due"
"""Known articles fetched again: ``due`` (on the schedule below, or when a sitemap or feed
says they changed), ``all`` or ``none`` (``--recheck``)."""
NEWSARCHIVE_RECHECK_AFTER = "1h,6h,1d,7d"
"""When an article is re-checked after its first capture; after the last, never again."""
NEWSARCHIVE_SITEMAP_WINDOW = "30d"
"""On a site crawled before, child sitemaps last modified before this are not walked."""
NEWSARCHIVE_SINCE = ""
"""``YYYY-MM-DD``: walk only sitemaps modified since (``--since``; empty: the window)."""

NEWSARCHIVE_POLITENESS = "auto"
"""``on``: AutoThrottle, one request in flight per host, at least 1 s apart; ``off``: full
speed; ``auto`` (default): ``off`` when every root is this machine, else ``on``."""

NEWSARCHIVE_RESUME = True
"""What an interrupted run archived is read from the archive, not fetched again."""

NEWSARCHIVE_EXTRACT_ENABLED = True
"""Off: article pages are fetched but not extracted (the benchmark's plain-Scrapy baseline)."""
NEWSARCHIVE_JSONL_ENABLED = True
NEWSARCHIVE_REPORT_ENABLED = True
# Coverage drift (newsarchive.report.DriftRule, docs/cli.md): a complete run of at least
# MIN_RECORDS records drifts on a field when its coverage is below RATIO times the median of
# the site's last RUNS complete runs, and that median is at least FLOOR (RUNS=0: off).
NEWSARCHIVE_DRIFT_RUNS = 5
NEWSARCHIVE_DRIFT_MIN_RECORDS = 20
NEWSARCHIVE_DRIFT_RATIO = 0.5
NEWSARCHIVE_DRIFT_FLOOR = 0.3

NEWSARCHIVE_SITE = None
"""The run's site name when it is not the spider's (a plan entry's name, docs/ops.md)."""
NEWSARCHIVE_MAX_BYTES = 0
"""Stop the crawl (``closespider_bytes``) after this many response bytes; 0: no limit."""
NEWSARCHIVE_FRONTIER = None
"""``redis://HOST:PORT/DB``: crawl as one worker of a shared frontier (docs/ops.md)."""
NEWSARCHIVE_FRONTIER_PREFIX = None
"""The frontier's Redis key prefix (``{site}`` becomes the site's name); ``None`` means
``newsarchive:{site}:``. Every worker of a crawl must use the same."""
NEWSARCHIVE_FRONTIER_LEASE_SECONDS = 30
"""A worker silent this long is dead: the requests it had taken go back to the queue."""

NEWSARCHIVE_GC_THRESHOLD = 10_000
"""The garbage collector's first-generation threshold while ``newsarchive crawl`` runs
(Python's default is 700; ``0`` keeps it). See :mod:`newsarchive.gctuning`."""

# The generic spider's bounds (newsarchive.layouts.generic_limits.GenericLimits).
NEWSARCHIVE_GENERIC_MAX_LISTINGS = 200
"""Listing pages the generic spider fetches and parses for links."""
NEWSARCHIVE_GENERIC_SECTION_DEPTH = 2
"""Navigation hops from the home page along which sections are followed."""
NEWSARCHIVE_GENERIC_MAX_PAGES = 20
"""The deepest page of one listing's pagination that is followed."""
NEWSARCHIVE_GENERIC_MAX_CANDIDATES = 1000
"""Pages with an ambiguous URL fetched to decide from their content."""
NEWSARCHIVE_GENERIC_MAX_SITEMAPS = 1000
NEWSARCHIVE_GENERIC_MAX_FEEDS = 20
NEWSARCHIVE_GENERIC_MAX_LINKS = 2000
"""Anchors read on one page; the rest of a page with more is counted, not followed."""

FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = "INFO"
LOG_FORMATTER = "newsarchive.logformatter.NewsarchiveLogFormatter"
