"""WARC capture: every fetch archived as the exact bytes on the wire.

* :mod:`newsarchive.warc.capture` - ``CapturingHTTP11DownloadHandler``, the download
  handler that records request and response bytes (``DOWNLOAD_HANDLERS``);
* :mod:`newsarchive.warc.extension` - ``WarcCaptureExtension``, which writes them on
  ``response_downloaded`` (``EXTENSIONS``);
* :mod:`newsarchive.warc.writer` - ``WarcFileWriter``, the WARC file lifecycle (no Scrapy);
* :mod:`newsarchive.warc.config` - ``WarcConfig``, the ``NEWSARCHIVE_WARC_*`` settings.

Nothing is imported here, so importing the writer does not import Scrapy.
"""
