"""Spider bases, one per site layout; ``spiders/`` holds small subclasses per site."""

from newsarchive.layouts.bakutel import BakutelLayoutSpider
from newsarchive.layouts.base import NewsSpider
from newsarchive.layouts.generic import GenericNewsSpider
from newsarchive.layouts.trend import TrendLayoutSpider

__all__ = ["BakutelLayoutSpider", "GenericNewsSpider", "NewsSpider", "TrendLayoutSpider"]
