"""Keeping the process small: freed heap goes back to the OS instead of staying in our RSS."""

from __future__ import annotations

import ctypes
import gc


def return_freed_memory() -> None:
    """Give freed heap back to the OS (glibc keeps it otherwise), so peak RSS tracks what is in use."""
    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: nothing to do
        pass
