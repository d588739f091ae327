"""``python -m newsarchive``: the same as the ``newsarchive`` console script."""

import sys

from newsarchive.cli import main

sys.exit(main())
