"""Keeping the process small: freed heap goes back to the OS instead of staying in our RSS."""

from __future__ import annotations

import ctypes


def return_freed_memory() -> None:
    """Give freed heap back to the OS (glibc keeps it otherwise), so peak RSS tracks what is in use."""
    # No gc.collect() first: slides are freed by reference counting (a collection found a few dozen
    # objects), and a full collection held the GIL for up to 0.25 s while encoders waited for frames.
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: nothing to do
        pass


def keep_heap_small() -> None:
    """Allocations of 4 MB and more (frames, slide canvases, tensors) get their own pages, returned to
    the OS when freed, and threads share two heaps: otherwise glibc keeps freed blocks per thread and
    a render's RSS creeps up by hundreds of MB.

    Up to 8 MB freed at the top of a heap stays there: each frame allocates a few planes of about
    2 MB and frees them, and handing those pages back at every free meant faulting them in again
    (some 1,100 page faults a frame: the camera's CPU nearly doubled)."""
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:  # not glibc
        return
    libc.mallopt(-8, 2)  # M_ARENA_MAX
    libc.mallopt(-3, 4 << 20)  # M_MMAP_THRESHOLD (fixed: no longer raised after big frees)
    libc.mallopt(-1, 8 << 20)  # M_TRIM_THRESHOLD (fixing the mmap threshold had left it at 128 KB)
