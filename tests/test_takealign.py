"""Splitting one unlabelled narration take into scenes by aligning it with Piper speech."""

import numpy as np
import pytest

from vessay.media import AUDIO_RATE
from vessay.narration import Narrator, trim_silence
from vessay.script import VoiceSpec
from vessay.takealign import align_take

SCENES = [
    "Gradient descent walks downhill.",
    "The step size matters. Too big, and it overshoots.",
    "Momentum smooths the path.",
    "We stop when the slope is flat.",
]


@pytest.fixture(scope="module")
def narrator() -> Narrator:
    """One Piper voice for the module: loading it is the slow part."""
    return Narrator()


@pytest.fixture(scope="module")
def aligned(narrator):
    """A slower, noisier, quieter "take" of the scenes with uneven pauses, its true spans, and the result."""
    rng = np.random.default_rng(7)
    rate = AUDIO_RATE
    pieces = [np.zeros(int(0.7 * rate), np.float32)]
    truth, at = [], len(pieces[0])
    for k, text in enumerate(SCENES):
        clip = trim_silence(narrator.synthesize(text, VoiceSpec(speed=0.85))[0])
        truth.append((at / rate, (at + len(clip)) / rate))
        pause = np.zeros(int([0.4, 1.5, 0.8, 0.6][k] * rate), np.float32)
        pieces += [clip, pause]
        at += len(clip) + len(pause)
    take = (0.6 * np.concatenate(pieces) + rng.normal(0, 0.001, at)).astype(np.float32)
    spans = align_take(take, SCENES, lambda t: narrator.synthesize(t, VoiceSpec())[0], rate)
    return take, truth, spans


def test_boundaries_match_where_each_scene_was_spoken(aligned):
    """Every start and end lands within a few frames of the true one."""
    _, truth, spans = aligned
    errors = np.array([abs(a - b) for span, true in zip(spans, truth) for a, b in zip(span, true)]) * 1000
    print(f"\ntake alignment: mean boundary error {errors.mean():.1f} ms, worst {errors.max():.1f} ms")
    assert len(spans) == len(SCENES)
    assert errors.mean() < 150
    assert errors.max() < 400


def test_spans_are_ordered_and_inside_the_take(aligned):
    """Spans never overlap, never run backwards and stay within the take."""
    take, _, spans = aligned
    duration = len(take) / AUDIO_RATE
    assert all(0.0 <= s < e <= duration for s, e in spans)
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:]))


def _bursts(lengths, pauses, rate=16000, lead=0.5):
    """Noise bursts standing in for speech, separated by silence; returns samples and true spans."""
    rng = np.random.default_rng(0)
    pieces, spans, at = [np.zeros(int(lead * rate), np.float32)], [], int(lead * rate)
    for length, pause in zip(lengths, pauses):
        burst = (0.2 * rng.standard_normal(int(length * rate))).astype(np.float32)
        pieces += [burst, np.zeros(int(pause * rate), np.float32)]
        spans.append((at / rate, (at + len(burst)) / rate))
        at += len(burst) + int(pause * rate)
    return np.concatenate(pieces), spans


def test_falls_back_to_pauses_when_lengths_disagree():
    """A reference far longer than the take cannot be warped, so the take's pauses decide."""
    rate = 16000
    take, truth = _bursts([1.0, 2.0, 1.5], [0.6, 0.6, 0.5], rate)
    texts = ["a" * 10, "b" * 20, "c" * 15]
    spans = align_take(take, texts, lambda t: _bursts([len(t) * 0.4], [0.0], rate, lead=0.0)[0], rate)
    starts_ends = np.array(spans)
    margin = 0.05  # spans keep a little air around speech, like trimmed recordings
    assert np.allclose(starts_ends, np.array(truth) + [-margin, margin], atol=0.03)


def test_degenerate_inputs_still_give_one_span_per_scene():
    """No scenes gives no spans; a silent take or silent scenes still yield ordered in-take spans."""
    rate = 16000
    assert align_take(np.zeros(rate, np.float32), [], lambda t: np.zeros(0, np.float32), rate) == []
    silent = align_take(np.zeros(rate, np.float32), ["a", "b"], lambda t: np.ones(rate, np.float32), rate)
    assert silent == [(0.0, 0.0), (0.0, 0.0)]
    take, _ = _bursts([1.0, 1.0], [0.5, 0.5], rate)
    spans = align_take(take, ["x", "", "y"], lambda t: _bursts([1.0] * len(t), [0.0], rate, 0.0)[0], rate)
    assert len(spans) == 3
    assert all(0.0 <= s <= e <= len(take) / rate for s, e in spans)
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:]))


def test_audacity_labels_are_tab_separated_with_six_decimals(tmp_path):
    """One "start<TAB>end<TAB>id" line per scene, readable by Audacity's label import, and by ours."""
    from vessay.recordings import Span, parse_labels, write_labels

    path = tmp_path / "take.txt"
    write_labels({"intro": Span(0.5, 2.25), "scene-2": Span(3.0, 4.1234567)}, path)
    assert path.read_text() == "0.500000\t2.250000\tintro\n3.000000\t4.123457\tscene-2\n"
    assert list(parse_labels(path, ["intro", "scene-2"])) == ["intro", "scene-2"]