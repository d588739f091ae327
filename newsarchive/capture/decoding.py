"""``ContentDecodingMiddleware``: what requests ask for, and the decoding of what arrives.

It takes the place of Scrapy's ``HttpCompressionMiddleware`` (same priority, 590), with
:mod:`newsarchive.http.codings` as the one decoder, so the crawl decodes a page exactly
as ``newsarchive extract`` and ``validate`` later do:

* requests ask for ``Accept-Encoding: gzip, deflate`` (:data:`~newsarchive.http.codings.
  ACCEPT_ENCODING`): what every tool that reads WARC files decodes;
* a response in any coding the module decodes (``br`` and ``zstd`` too, sent unasked) is
  decoded, bounded by ``DOWNLOAD_MAXSIZE`` (``meta["download_maxsize"]`` wins): a body
  that decodes past it is dropped (``IgnoreRequest``) and counted in
  ``newsarchive/decode/too_large``, a decompression bomb stopping at the bound;
* a body that does not decode is dropped and counted in ``newsarchive/decode/errors``, an
  error of the run (it is in the WARC as it came); a coding no decoder knows is left as it
  is and counted in ``newsarchive/decode/unsupported``; a body cut short in transit
  (``dataloss``) gives what decodes of it;
* an HTML page larger than ``NEWSARCHIVE_MAX_PARSE_SIZE`` (8 MiB) once decoded goes no
  further (``newsarchive/decode/too_large_to_parse``): parsing it could take ten times
  its size in memory, and no news page is that large. Archived all the same. (Sitemaps,
  up to 50 MB by their protocol, are bounded by ``DOWNLOAD_MAXSIZE`` only.)

The raw bytes are archived before this runs (``response_downloaded``), so decoding never
changes the WARC.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Self

from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import HtmlResponse, TextResponse
from scrapy.responsetypes import responsetypes

from newsarchive.http.codings import (
    ACCEPT_ENCODING,
    DecodeError,
    SizeLimitExceeded,
    UnsupportedCoding,
    decode,
    parse_codings,
)

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)

__all__ = ["ContentDecodingMiddleware"]

_STAT = "newsarchive/decode/"


class ContentDecodingMiddleware:
    """Ask for gzip/deflate; decode every coding that arrives (see the module)."""

    def __init__(self, stats: StatsCollector, max_size: int, max_parse: int = 0) -> None:
        self.stats = stats
        self.max_size = max_size
        self.max_parse = max_parse

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if not crawler.settings.getbool("COMPRESSION_ENABLED", True):
            raise NotConfigured("COMPRESSION_ENABLED is off")
        assert crawler.stats is not None
        settings = crawler.settings
        return cls(
            crawler.stats,
            settings.getint("DOWNLOAD_MAXSIZE", 0),
            settings.getint("NEWSARCHIVE_MAX_PARSE_SIZE", 8 << 20),
        )

    def process_request(self, request: Request, spider: Any = None) -> None:
        request.headers.setdefault("Accept-Encoding", ACCEPT_ENCODING)

    def process_response(
        self, request: Request, response: Response, spider: Any = None
    ) -> Response:
        if request.method == "HEAD":
            return response
        codings = parse_codings(response.headers.getlist("Content-Encoding"))
        if not codings:
            return self._parsable(response)
        max_size = int(request.meta.get("download_maxsize", self.max_size) or 0)
        partial = "dataloss" in response.flags or "download_stopped" in response.flags
        try:
            body = decode(response.body, codings, max_size=max_size, allow_partial=partial)
        except UnsupportedCoding as exc:
            self.stats.inc_value(_STAT + "unsupported")
            logger.warning("Cannot decode %s: %s; kept as it came", response.url, exc)
            return response
        except SizeLimitExceeded as exc:
            self.stats.inc_value(_STAT + "too_large")
            message = (
                f"Ignored {response.url}: its body ({len(response.body)} bytes as sent) "
                f"decodes to more than DOWNLOAD_MAXSIZE ({exc.max_size} bytes)"
            )
            logger.warning(message)
            raise IgnoreRequest(message) from exc
        except DecodeError as exc:
            self.stats.inc_value(_STAT + "errors")
            message = f"Cannot decode {response.url} ({', '.join(codings)}): {exc}"
            logger.error(message)
            raise IgnoreRequest(message) from exc
        self.stats.inc_value(_STAT + "responses")
        headers = response.headers.copy()
        headers.pop(b"Content-Encoding", None)
        headers.pop(b"Content-Length", None)
        cls = responsetypes.from_args(headers=headers, url=response.url, body=body)
        kwargs: dict[str, Any] = {"cls": cls, "body": body, "headers": headers}
        if issubclass(cls, TextResponse):
            kwargs["encoding"] = None  # guess again from the decoded body
        return self._parsable(response.replace(**kwargs))

    def _parsable(self, response: Response) -> Response:
        """``response``, unless it is a text page too large to parse (see the module)."""
        if self.max_parse and isinstance(response, HtmlResponse):
            size = len(response.body)
            if size > self.max_parse:
                self.stats.inc_value(_STAT + "too_large_to_parse")
                message = (
                    f"Not parsed: {response.url} is {size} bytes of text, more than "
                    f"NEWSARCHIVE_MAX_PARSE_SIZE ({self.max_parse}); it is archived"
                )
                logger.warning(message)
                raise IgnoreRequest(message)
        return response
