"""Full-frame scenes — a `clip`, or an `image` with `focus` — as the render sees them.

Their picture is the footage or the photo itself (no slide), with the scene's title and
caption as a lower third laid over it; a clip scene lasts at least as long as its clip
(exactly as long, without narration) and adds its own sound to the soundtrack.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

from .clip import ClipShot, clip_frames
from .clipaudio import ClipSound
from .overlay import LowerThird, yuv420_to_rgb
from .photo import PhotoShot
from .picture import Picture
from .script import Scene, VideoSpec
from .theme import Theme
from .timeline import Slot, scene_frames


def footage(scene: Scene, theme: Theme, video: VideoSpec, frames: int) -> Picture:
    """A full-frame scene's picture: the clip or photo, and its lower third."""
    frame, background = (video.width, video.height), theme.colors["background"]
    if scene.clip is not None:
        shot: ClipShot | PhotoShot = ClipShot(scene.clip, scene.fit, frame, video.fps, background)
    else:
        shot = PhotoShot(scene.image, scene.focus, scene.fit, frame, frames, scene.motion.easing, background)
    return Picture(shot, (LowerThird(scene, theme, frame),))


def frames_of(scene: Scene, narration_seconds: float | None, fps: int) -> int:
    """A scene's length in frames: its narration plus pads, but a clip scene at least its clip
    (and without narration, exactly its clip)."""
    if scene.clip is None:
        return scene_frames(narration_seconds or 0.0, fps)
    if narration_seconds is None:
        return clip_frames(scene.clip, fps)
    return max(scene_frames(narration_seconds, fps), clip_frames(scene.clip, fps))


def clip_sounds(scenes: tuple[Scene, ...], slots: list[Slot]) -> list[ClipSound]:
    return [ClipSound(scene.clip, slot.start, slot.frames / slot.fps)
            for scene, slot in zip(scenes, slots) if scene.clip is not None]


def poster(scene: Scene, theme: Theme, size: tuple[int, int]) -> Image.Image:
    """The scene's first frame as RGB at `size`, as the viewer sees it before anything moves."""
    video = VideoSpec(size[0] // 2 * 2, size[1] // 2 * 2, 30)
    frame = np.empty(video.width * video.height * 3 // 2, np.uint8)
    with footage(scene, theme, video, 2).open() as fill:
        fill(0, frame)
    return yuv420_to_rgb(frame, video.width, video.height)
