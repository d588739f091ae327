"""newsarchive: archive news sites as WARC files and one JSON record per article."""

__version__ = "0.1.0"
