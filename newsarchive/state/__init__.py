"""The output folder's state across runs: repair after a crash, the SQLite cache, resume.

* :mod:`newsarchive.state.db` - :class:`ArchiveState`, ``DIR/state.sqlite``: captures and
  payload digests (for revisits), article records seen (for cross-run dedup), runs (for
  resume), and how far each file is indexed;
* :mod:`newsarchive.state.repair` - cut ``.open`` WARC files and JSONL files that a killed
  run left back to their last complete record;
* :mod:`newsarchive.state.sync` - bring the database in line with the files (the files are
  the truth, the database a cache);
* :mod:`newsarchive.state.folder` - :func:`open_folder`: repair, sync and open the state
  once per process and output folder (every component that needs it calls this);
* :mod:`newsarchive.state.extension` - ``RunStateExtension``: runs started/finished, the
  repair counts in the stats.

Nothing is imported here, so the database module does not import Scrapy.
"""
