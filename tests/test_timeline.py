"""Timeline: scene slots, transition pieces, and how joins look once rendered."""

import numpy as np

from vessay.cli import main
from vessay.media import decode_frame, probe
from vessay.shots import blend
from vessay.timeline import LEAD_IN, TAIL, Body, Join, plan_pieces, plan_slots

from conftest import TINY_VIDEO, write_script


def test_slots_are_whole_frames_covering_narration_and_pads():
    """Each slot fits its narration plus lead-in and tail, and slots are back to back."""
    slots = plan_slots([1.0, 2.5], fps=30)
    assert slots[0].frames == round((LEAD_IN + 1.0 + TAIL) * 30)
    assert slots[1].start_frame == slots[0].frames
    assert slots[1].end >= slots[1].voice_start + 2.5


def test_pieces_cover_every_frame_once():
    """Bodies and joins add up to the total frame count; a 0.4 s crossfade at 30 fps is 12 frames."""
    slots = plan_slots([2.0, 3.0, 1.0], fps=30)
    pieces = plan_pieces(slots, [("crossfade", 0.4), ("crossfade", 0.4), ("cut", 0.4)])
    assert sum(p.frames for p in pieces) == sum(s.frames for s in slots)
    assert [type(p).__name__ for p in pieces] == ["Body", "Join", "Body", "Body"]
    join = pieces[1]
    assert isinstance(join, Join) and join.frames == 12 and join.lead == 6
    assert join.out_from == slots[0].frames - 6
    assert pieces[0] == Body(0, 0, slots[0].frames - 6)
    assert pieces[2] == Body(1, 6, slots[1].frames)


def test_blend_crossfade_and_dip_to_black():
    """Crossfade mixes linearly; fade-black reaches YUV black at its midpoint."""
    frame = (4, 2)
    a = np.full(12, 200, dtype=np.uint8)
    b = np.full(12, 100, dtype=np.uint8)
    mixed = b.copy()
    blend("crossfade", 0.25, a, mixed, frame)
    assert np.all(mixed == 175)
    dark = b.copy()
    blend("fade-black", 0.5, a, dark, frame)
    assert np.all(dark[:8] == 16) and np.all(dark[8:] == 128)


def test_fade_black_render_dips_at_the_join(tmp_path):
    """A 1 s fade-black between two scenes is dark at the cut and bright on either side."""
    script = write_script(tmp_path, f"""\
title: Joins
{TINY_VIDEO}
transition: {{type: fade-black, duration: 1.0}}
theme: paper
scenes:
  - {{id: a, layout: title, title: First, narration: One.}}
  - {{id: b, layout: title, title: Second, narration: Two.}}
""")
    out = tmp_path / "joins.mp4"
    assert main(["render", str(script), "-o", str(out), "--quiet"]) == 0
    import json

    cut = json.loads(out.with_name("joins.words.json").read_text())[1]["start"]
    brightness = lambda t: decode_frame(out, t, (320, 180)).mean()  # noqa: E731
    assert brightness(cut - 0.05) < 40 and brightness(cut + 0.0) < 40
    assert brightness(cut - 0.8) > 150 and brightness(cut + 0.8) > 150
    assert abs(probe(out).duration - json.loads(out.with_name("joins.words.json").read_text())[1]["end"]) < 0.1


def test_crossfade_lasts_its_duration_in_decoded_frames(tmp_path):
    """With still cameras, only the frames of a 1 s crossfade change from one to the next: 10 at 10 fps."""
    import subprocess

    import imageio_ffmpeg

    script = write_script(tmp_path, f"""\
title: Fade
{TINY_VIDEO}
theme: paper
motion: {{preset: still}}
transition: {{type: crossfade, duration: 1.0}}
scenes:
  - {{id: a, layout: title, title: First, narration: One two three.}}
  - {{id: b, layout: title, title: Second, narration: Four five six.}}
""")
    out = tmp_path / "fade.mp4"
    assert main(["render", str(script), "-o", str(out), "--quiet"]) == 0
    raw = subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-i", str(out), "-f", "rawvideo",
                          "-pix_fmt", "gray", "-"], capture_output=True).stdout
    frames = np.frombuffer(raw, dtype=np.uint8).reshape(-1, 180, 320).astype(int)
    # A blend step moves the whole title a tenth of the way (mean change ≥ 0.1); x264's keyframe at
    # each piece boundary differs by codec noise only (≤ 0.02).
    changing = [i for i in range(1, len(frames)) if np.abs(frames[i] - frames[i - 1]).mean() > 0.05]
    # Ten blended frames: eleven frame-to-frame steps, from the last pure outgoing frame to the first pure incoming one.
    assert len(changing) == 11, changing
    assert changing == list(range(changing[0], changing[0] + 11))
