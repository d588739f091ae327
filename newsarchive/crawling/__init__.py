"""How a crawl behaves on the real web: scope, politeness, limits, progress.

* :mod:`newsarchive.crawling.scope` - ``ScopeMiddleware``: requests and redirects stay on
  the site's origins (scheme and host);
* :mod:`newsarchive.crawling.retryafter` - ``RetryAfterMiddleware``: ``Retry-After`` on
  429/503 honoured up to a bound;
* :mod:`newsarchive.crawling.limits` - ``RunLimits``: ``--max-runtime`` and the run's
  storage failures end the crawl, resumable, with their own finish reasons;
* :mod:`newsarchive.crawling.progress` - ``ProgressExtension``: progress lines on a
  terminal.
"""
