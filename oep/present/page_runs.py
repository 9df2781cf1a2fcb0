"""How many sessions the server draws pages for at once (``OEP_PAGE_RUNS``).

Python runs one thread at a time, so thirty sessions drawing pages at the same moment finish no
sooner than they would in turn; but each run's frames, tables and figures are held at once. At
England scale, thirty sessions opening every page together took the server to 1.5 GB; four runs
at a time, 1.0 GB. Later, with less held per run, four at a time peaked at 965-995 MB and two at
938-941 MB, with the same page times (p95 5-6 s in the burst either way). A run beyond the limit
waits its turn (first come, first served) before its page is drawn. The log-in check and the
login cookie are outside the limit: they hold little.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from oep.data.config import whole_number_setting

# By default one per core this process may use (DuckDB and polars work outside the GIL), at
# least 2.
LIMIT = whole_number_setting("OEP_PAGE_RUNS", max(2, len(os.sched_getaffinity(0))),
                             least=1, unit="pages")
_turns = threading.BoundedSemaphore(LIMIT)


@contextmanager
def turn() -> Iterator[None]:
    """Hold one of the ``LIMIT`` places for drawing a page, waiting for one if all are taken."""
    with _turns:
        yield
