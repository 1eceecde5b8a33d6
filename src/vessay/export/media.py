"""The `<timeline>_media/` folder: every file the exported timeline uses, so the two move as one.

Cached artefacts are hard-linked (copied across file systems); scene clips with
dissolve handles are joined from cached pieces without re-encoding; narration
is padded to whole frames; the music bed is rendered to the essay's length. The
folder is built beside its final place and swapped in only when complete.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import numpy as np

from ..assemble import bed_filter, concat_list, DUCKING
from ..media import AUDIO_RATE, read_wav, run_ffmpeg, write_wav
from ..script import MusicSpec


class MediaFolder:
    """Files gathered into a scratch folder beside `final`, which `commit` swaps into place."""

    def __init__(self, final: Path):
        self.final = final
        final.parent.mkdir(parents=True, exist_ok=True)
        self.work = Path(tempfile.mkdtemp(prefix=f".{final.name}.", suffix=".part", dir=final.parent))

    def link(self, source: Path, name: str) -> str:
        """`source` under `name`: a hard link to the cached file where the file system allows."""
        target = self.work / name
        try:
            os.link(source, target)
        except OSError:
            shutil.copyfile(source, target)
        return name

    def join(self, sources: list[Path], name: str) -> str:
        """Video pieces sharing codec settings, joined without re-encoding."""
        if len(sources) == 1:
            return self.link(sources[0], name)
        listing = self.work / f".{name}.txt"
        listing.write_text(concat_list(sources))
        run_ffmpeg(["-y", "-v", "error", "-f", "concat", "-safe", "0", "-i", str(listing),
                    "-c", "copy", "-f", "mp4", str(self.work / name)])
        listing.unlink()
        return name

    def narration(self, wav: Path, lead: float, frames: int, fps: int, name: str) -> str:
        """A narration clip starting `lead` seconds into a clip `frames` long, so it sits on whole frames
        and the speech starts exactly where the render has it."""
        speech = read_wav(wav)
        padded = np.zeros(round(frames * AUDIO_RATE / fps), dtype=np.float32)
        at = round(lead * AUDIO_RATE)
        speech = speech[: max(0, len(padded) - at)]
        padded[at: at + len(speech)] = speech
        write_wav(self.work / name, padded)
        return name

    def bed(self, music: MusicSpec, seconds: float, name: str, ducked_under: Path | None = None) -> str:
        """The music bed cut to the essay: looped, at its volume, faded in and out; with `ducked_under`
        (the narration on its timeline, a WAV), pushed down while it speaks, as the render mixes it."""
        args = ["-y", "-v", "error"]
        if ducked_under is not None:
            args += ["-i", str(ducked_under)]
        args += ["-stream_loop", "-1", "-i", str(music.file)]
        music_in = "1:a" if ducked_under is not None else "0:a"
        graph = f"[{music_in}]{bed_filter(music, seconds)}"
        if ducked_under is not None:
            graph = (f"[0:a]aformat=sample_fmts=fltp:sample_rates={AUDIO_RATE}:channel_layouts=stereo[key];"
                     f"{graph}[bed];[bed][key]{DUCKING}")
        run_ffmpeg([*args, "-filter_complex", graph, "-t", f"{seconds:.6f}", "-c:a", "pcm_s16le",
                    "-ar", str(AUDIO_RATE), "-ac", "2", str(self.work / name)])
        return name

    def write_text(self, name: str, text: str) -> str:
        (self.work / name).write_text(text, encoding="utf-8")
        return name

    def path(self, name: str) -> Path:
        """Where `name` will be once committed."""
        return self.final / name

    def scratch(self, name: str) -> Path:
        return self.work / name

    def commit(self) -> None:
        """Swap the finished folder in; the old one, if any, is removed only after."""
        old = None
        if self.final.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{self.final.name}.", suffix=".old", dir=self.final.parent))
            os.replace(self.final, old / "media")
        os.replace(self.work, self.final)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)

    def abandon(self) -> None:
        shutil.rmtree(self.work, ignore_errors=True)
