"""The download side: every HTTP exchange fetched and recorded byte for byte.

* :mod:`newsarchive.capture.handler` - ``CapturingDownloadHandler``, Scrapy's public
  download handler API over an asyncio HTTP/1.1 client of its own (``DOWNLOAD_HANDLERS``);
* :mod:`newsarchive.capture.connection` - connections, keep-alive pool, TLS, proxies;
* :mod:`newsarchive.capture.exchange` - ``WireCapture``, what one exchange was on the wire;
* :mod:`newsarchive.capture.decoding` - ``ContentDecodingMiddleware``: what requests ask
  for (``Accept-Encoding``) and the decoding of what arrives.
"""
