"""Trend News Agency (trend.az): en, az and ru editions."""

from newsarchive.layouts import TrendLayoutSpider


class TrendSpider(TrendLayoutSpider):
    name = "trend"
