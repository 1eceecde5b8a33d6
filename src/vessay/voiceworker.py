"""The voice process: Piper speaking texts the render sends it (see narration.VoiceProcess).

Run as `python -m vessay.voiceworker MODEL CONFIG [CACHE_DIR]`; it answers each request on
stdin with the samples and word timings, or the error a person should see, and ends when the
render closes the pipe.
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

from .cache import Cache
from .errors import VessayError
from .narration import Narrator, receive, send


def main(argv: list[str]) -> int:
    # Ctrl-C reaches the whole process group: the render decides when this process ends.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    answers = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # anything a library prints goes to stderr, never into the answers
    requests = sys.stdin.buffer
    narrator = Narrator(Path(argv[0]), Path(argv[1]), Cache(Path(argv[2])) if len(argv) > 2 else None)
    try:
        narrator.load()  # now, while the render is busy elsewhere, not when the first text arrives
    except Exception:  # noqa: BLE001 - the first request meets the same error and answers it
        pass
    while (request := receive(requests)) is not None:
        try:
            samples, words = narrator.synthesize(*request)
            send(answers, ("ok", samples, words))
        except VessayError as err:
            send(answers, ("error", err.message, err.file, err.line, err.col))
        except Exception as err:  # noqa: BLE001 - a bug: the render reports it, with its log
            send(answers, ("failed", f"{type(err).__name__}: {err}"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
