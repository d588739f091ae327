"""A shared frontier on Redis: any number of workers, on any machines, crawl one site
together (``newsarchive crawl SITE --frontier redis://HOST:PORT/DB``).

* :mod:`newsarchive.frontier.queue`: :class:`RedisFrontier`, the queue, the seen-set and
  the leases on the ``redis`` client (no Scrapy);
* :mod:`newsarchive.frontier.scheduler`: :class:`FrontierScheduler`, Scrapy's scheduler
  interface over it;
* :mod:`newsarchive.frontier.leases`: when a request's work is done (its lease acked).
"""

from newsarchive.frontier.queue import Lease, RedisFrontier, worker_name

__all__ = ["Lease", "RedisFrontier", "worker_name"]
