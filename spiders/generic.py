"""Any news site without a layout profile: ``newsarchive crawl generic --root URL``."""

from newsarchive.layouts import GenericNewsSpider


class GenericSpider(GenericNewsSpider):
    name = "generic"
