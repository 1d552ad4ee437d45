"""``python -m server.cli``: the ``mxus`` command without the installed script."""

import sys

from server.cli import main

sys.exit(main())
