"""The WARC side of a crawl: the files and what goes into them, one job per module.

* :mod:`newsarchive.warc.files` - ``WarcFiles``: the run's WARC files (writer, rotation,
  closing); the one owner of the files;
* :mod:`newsarchive.warc.archiver` - ``ExchangeArchiver``: every HTTP exchange as a
  response/request pair (or a revisit), on ``response_downloaded``;
* :mod:`newsarchive.warc.metadata` - ``RecordArchiver``: each stored article record as a
  ``metadata`` record;
* :mod:`newsarchive.warc.cdxj` - ``CdxjIndexer``: a CDXJ index per closed file;
* :mod:`newsarchive.warc.writer` - ``WarcFileWriter``, the WARC file lifecycle (no Scrapy);
* :mod:`newsarchive.warc.config` - ``WarcConfig``, the ``NEWSARCHIVE_WARC_*`` settings.

The bytes themselves come from the capturing download handler (:mod:`newsarchive.capture`).
Nothing is imported here, so importing the writer does not import Scrapy.
"""
