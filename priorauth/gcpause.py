"""Pause the cyclic garbage collector while a chart is turned into objects.

Loading a 2 MB chart builds ~60,000 dicts and lists, and extracting facts builds thousands of
models. With the collector on, every 700 new containers start a young-generation pass that walks
the objects just built, again and again; and a full pass over the whole heap (tens of ms) can
land in the middle of a request. None of these objects form reference cycles (parsed JSON and
pydantic models are trees; a test checks that a loaded and extracted chart leaves no cyclic
garbage), so reference counting frees all of them and the passes find nothing to collect.

:func:`gc_paused` switches automatic collection off for the duration and back on afterwards,
only if it was on: nesting is free, and a caller that keeps the collector off keeps it off. The
switch is process-wide; in the HTTP service's worker threads each pause turns back on exactly
what it turned off, so overlapping pauses never leave collection off after the last one ends.
Allocation counts keep growing while paused, so the first young-generation pass after the pause
walks whatever is still alive once (for load + extract, the small PatientRecord).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["gc_paused"]


@contextmanager
def gc_paused() -> Iterator[None]:
    """Run the block with automatic garbage collection off (restored afterwards).

    >>> import gc
    >>> with gc_paused():
    ...     gc.isenabled()
    False
    >>> gc.isenabled()
    True
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
