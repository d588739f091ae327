"""BakuTel (bakutel.az): en, az and ru editions on one host."""

from newsarchive.layouts import BakutelLayoutSpider


class BakutelSpider(BakutelLayoutSpider):
    name = "bakutel"
