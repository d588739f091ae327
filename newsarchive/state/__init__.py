"""The output folder across runs: its owner, repair after a crash, the SQLite cache, resume.

* :mod:`newsarchive.state.owner` - ``ArchiveFolder``, the extension that owns the folder
  while a site's run writes it: the site's lock, opening, the state database, runs;
* :mod:`newsarchive.state.folder` - :func:`prepare_folder`: repair, sync and index;
* :mod:`newsarchive.state.db` - :class:`ArchiveState`, ``DIR/state.sqlite``: captures and
  payload digests (for revisits), article records seen (for cross-run dedup), runs (for
  resume), and how far each file is indexed;
* :mod:`newsarchive.state.repair` - cut ``.open`` WARC files and JSONL files that a killed
  run left back to their last complete record;
* :mod:`newsarchive.state.sync` - bring the database in line with the files (the files are
  the truth, the database a cache).

Nothing is imported here, so the database module does not import Scrapy.
"""
