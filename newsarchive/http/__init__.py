"""HTTP as it is on the wire, shared by the capture and everything that reads archives.

* :mod:`newsarchive.http.codings` - content codings: what requests ask for, bounded
  decoders for everything that may arrive (gzip, deflate, br, zstd);
* :mod:`newsarchive.http.message` - lenient parsing of HTTP/1.x heads, message framing and
  chunked transfer coding.

No Scrapy here.
"""
