"""The cache: entries are checked before use, damaged ones rebuilt, the size capped."""

import os

from vessay.cache import Cache, content_key
from vessay.cli import main
from vessay.media import probe

from conftest import TINY_VIDEO, write_script


def test_damaged_entry_is_rebuilt_not_used(tmp_path):
    """A truncated or altered entry is dropped on lookup; an intact one is returned."""
    cache = Cache(tmp_path)
    with cache.put("slide", "abc", "png") as temp:
        temp.write_bytes(b"x" * 1000)
    assert cache.get("slide", "abc", "png") is not None
    path = cache.path("slide", "abc", "png")
    path.write_bytes(b"x" * 500)  # truncated
    assert cache.get("slide", "abc", "png") is None
    assert not path.exists()
    with cache.put("slide", "abc", "png") as temp:
        temp.write_bytes(b"y" * 1000)
    path.write_bytes(b"z" * 1000)  # same size, different bytes
    assert cache.get("slide", "abc", "png") is None


def test_failed_write_leaves_nothing(tmp_path):
    """An exception while writing an entry leaves neither the entry nor a temp file."""
    cache = Cache(tmp_path)
    try:
        with cache.put("segment", "k", "mp4") as temp:
            temp.write_bytes(b"half")
            raise RuntimeError("encoder died")
    except RuntimeError:
        pass
    assert cache.get("segment", "k", "mp4") is None
    assert list((tmp_path / "segment").iterdir()) == []


def test_trim_evicts_least_recently_used(tmp_path):
    """Trimming keeps the newest entries within the cap."""
    cache = Cache(tmp_path)
    for index, age in enumerate([300, 200, 100]):
        with cache.put("slide", f"k{index}", "png") as temp:
            temp.write_bytes(b"x" * 1000)
        os.utime(cache.path("slide", f"k{index}", "png"), (0, 1_000_000 - age))
    cache.trim(2500)
    kept = sorted(p.name for p in (tmp_path / "slide").glob("*.png"))
    assert kept == ["k1.png", "k2.png"]


def test_corrupt_segment_is_reencoded_and_video_still_right(tmp_path, isolated_cache):
    """Damaging a cached segment between renders makes the next render rebuild just that piece."""
    script = write_script(tmp_path, f"title: C\n{TINY_VIDEO}\ntransition: {{type: cut}}\nscenes:\n"
                                    "  - {id: a, layout: title, title: A, narration: One.}\n"
                                    "  - {id: b, layout: title, title: B, narration: Two.}\n")
    out = tmp_path / "c.mp4"
    assert main(["render", str(script), "-o", str(out), "--quiet"]) == 0
    first = probe(out).duration
    segments = sorted((isolated_cache / "segment").glob("*.mp4"))
    assert len(segments) == 2
    segments[0].write_bytes(segments[0].read_bytes()[:100])
    assert main(["render", str(script), "-o", str(out), "--quiet"]) == 0
    assert abs(probe(out).duration - first) < 0.01
    assert all(s.stat().st_size > 1000 for s in segments)


def test_cache_command_clears(tmp_path, isolated_cache, capsys):
    """`vessay cache --clear` empties the cache folder."""
    cache = Cache(isolated_cache)
    with cache.put("slide", content_key("slide", {}), "png") as temp:
        temp.write_bytes(b"x")
    assert main(["cache", "--clear"]) == 0
    assert not isolated_cache.exists()
