"""Progress display: one bar for scenes, one for frames; silent with --quiet."""

from __future__ import annotations

import sys
from contextlib import contextmanager
from typing import Iterator

from tqdm import tqdm


class Progress:
    def __init__(self, quiet: bool = False):
        self.quiet = quiet

    def say(self, message: str) -> None:
        if not self.quiet:
            tqdm.write(message, file=sys.stderr)

    @contextmanager
    def bar(self, total: int, label: str, unit: str, keep: bool = True) -> Iterator[tqdm]:
        with tqdm(total=total, desc=label, unit=unit, disable=self.quiet, leave=keep, file=sys.stderr,
                  dynamic_ncols=True, position=0 if keep else 1) as bar:
            yield bar
