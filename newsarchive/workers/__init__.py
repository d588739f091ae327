"""Extraction in worker processes, so the crawl's reactor thread only downloads and archives.

:class:`~newsarchive.workers.pool.WorkerPool` runs picklable calls in child processes
(:mod:`newsarchive.workers.child`) over pipes, Twisted-native; the
:class:`~newsarchive.workers.extension.ExtractWorkers` extension gives each spider a pool.
"""
