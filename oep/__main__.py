"""``python -m oep``: the command line (``oep.tools.cli``)."""

import sys

from oep.tools.cli import main

sys.exit(main())
