"""Make the example essay's own media: a softmax table, a loss-landscape figure and a descent clip.

Everything is computed here (nothing downloaded): run `python script/media/make_media.py` to
rebuild temperature.csv, landscape.png and descent.mp4 beside this file.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import imageio_ffmpeg
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

HERE = Path(__file__).resolve().parent
SCORES = {"cat": 2.0, "dog": 1.0, "car": 0.1}
TEMPERATURES = (0.7, 1.0, 1.5)
BACKGROUND, GRID, PATH, END = "#07070f", "#1d2a3a", "#00f0ff", "#ff2bd6"


def temperature_table() -> None:
    """softmax(z / T) of three scores at three temperatures, as percentages."""
    z = np.array(list(SCORES.values()))
    rows = ["token," + ",".join(f"T = {t:g}" for t in TEMPERATURES)]
    probabilities = []
    for t in TEMPERATURES:
        e = np.exp(z / t)
        probabilities.append(100 * e / e.sum())
    for k, token in enumerate(SCORES):
        rows.append(token + "," + ",".join(f"{p[k]:.1f}" for p in probabilities))
    (HERE / "temperature.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")


def loss(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """A lopsided bowl with a ripple: a loss over two parameters, its minimum near (1.2, -0.6)."""
    return 0.6 * (x - 1.2) ** 2 + 1.8 * (y + 0.6) ** 2 + 0.35 * np.sin(2.2 * x) * np.cos(1.7 * y) + 0.4


def gradient(p: np.ndarray, h: float = 1e-5) -> np.ndarray:
    return np.array([(loss(p[0] + h, p[1]) - loss(p[0] - h, p[1])) / (2 * h),
                     (loss(p[0], p[1] + h) - loss(p[0], p[1] - h)) / (2 * h)])


def descent(start=(-2.6, 1.6), rate=0.12, steps=60) -> np.ndarray:
    points = [np.array(start)]
    for _ in range(steps):
        points.append(points[-1] - rate * gradient(points[-1]))
    return np.array(points)


def figure(size: tuple[int, int], shown: int | None) -> np.ndarray:
    """The loss landscape as contours, with the first `shown` descent steps drawn (all if None)."""
    fig = Figure(figsize=(size[0] / 100, size[1] / 100), dpi=100, facecolor=BACKGROUND)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_facecolor(BACKGROUND)
    xs, ys = np.meshgrid(np.linspace(-3.5, 4.0, 300), np.linspace(-3.0, 2.6, 240))
    ax.contourf(xs, ys, loss(xs, ys), levels=24, cmap="magma", alpha=0.85)
    ax.contour(xs, ys, loss(xs, ys), levels=24, colors=GRID, linewidths=0.8)
    path = descent()[: None if shown is None else shown + 1]
    scale = size[0] / 1920
    ax.plot(path[:, 0], path[:, 1], color=PATH, linewidth=4 * scale, marker="o", markersize=9 * scale)
    ax.plot(path[-1, 0], path[-1, 1], marker="o", markersize=22 * scale, color=END)
    ax.set_xlim(-3.5, 4.0)
    ax.set_ylim(-3.0, 2.6)
    ax.axis("off")
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    return np.asarray(canvas.buffer_rgba())[..., :3].copy()


def landscape() -> None:
    from PIL import Image

    Image.fromarray(figure((2400, 1350), None)).save(HERE / "landscape.png", optimize=True)


def descent_clip(seconds: float = 6.0, fps: int = 30, size=(960, 540)) -> None:
    """The descent drawn step by step, as a small H.264 clip without sound."""
    frames = int(seconds * fps)
    steps = len(descent()) - 1
    args = [imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", "rgb24",
            "-s", f"{size[0]}x{size[1]}", "-r", str(fps), "-i", "-", "-c:v", "libx264", "-preset", "slow",
            "-crf", "30", "-pix_fmt", "yuv420p", "-movflags", "+faststart", str(HERE / "descent.mp4")]
    with subprocess.Popen(args, stdin=subprocess.PIPE) as encoder:
        for k in range(frames):
            encoder.stdin.write(figure(size, min(steps, int(k / (frames - fps) * steps))).tobytes())
        encoder.stdin.close()


if __name__ == "__main__":
    temperature_table()
    landscape()
    descent_clip()
