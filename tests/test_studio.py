"""The studio: a real browser (Debian's chromium, driven by Playwright) against a live server."""

import http.client
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from types import SimpleNamespace

import pytest
from PIL import Image

from conftest import TINY_VIDEO, write_script
from vessay.errors import VessayError
from vessay.media import probe
from vessay.progress import Progress
from vessay.script import load_script
from vessay.studio import Settings, board, start
from vessay.studio.files import Refused, Roots

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--autoplay-policy=no-user-gesture-required",
                 # A closed network: nothing may phone home.
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--no-first-run", "--disable-quic", "--disable-features=MediaRouter,OptimizationHints"]

ESSAY = f"""title: Studio test
{TINY_VIDEO}
scenes:
  - id: intro
    layout: title
    title: Hello
    narration: One two three four five six seven eight nine ten.
  - id: points
    layout: bullets
    title: Points
    bullets: [alpha, beta]
    narration: First [>] alpha, then [>] beta.
  - id: outro
    layout: section
    title: Goodbye
    narration: That is all for today.
"""


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail("the studio tests need Debian's chromium: apt-get install chromium (.ci/run installs it)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def serve(folder: Path, cache: Path, body: str = ESSAY, video: bool = False):
    script = write_script(folder, body)
    return start(Settings(script, folder, folder / "out", cache, preview_video=video), port=0, background=True)


@pytest.fixture
def studio(tmp_path, isolated_cache):
    server = serve(tmp_path, isolated_cache)
    yield server
    server.stop()


def open_page(browser, url: str):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.set_default_timeout(20_000)
    errors = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    page.goto(url)
    page.errors = errors
    return page


def wait_for_cards(page, count: int = 3, narrated: bool = True) -> None:
    page.wait_for_function(f"document.querySelectorAll('.card').length === {count}")
    if narrated:
        page.wait_for_function(f"document.querySelectorAll('.card audio').length === {count}")


def raw_get(url: str, path: str, host: str | None = None) -> tuple[int, str]:
    """GET `path` exactly as written (no client-side `..` clean-up)."""
    address = url.split("//")[1].rstrip("/")
    conn = http.client.HTTPConnection(address, timeout=10)
    conn.putrequest("GET", path, skip_host=host is not None)
    if host is not None:
        conn.putheader("Host", host)
    conn.endheaders()
    response = conn.getresponse()
    return response.status, response.read().decode("utf-8", "replace")


def test_page_lists_every_scene_with_its_picture(browser, studio, isolated_cache):
    """Each scene gets a card, in order, showing its slide as drawn by the render (from the cache)."""
    page = open_page(browser, studio.url)
    wait_for_cards(page, narrated=False)
    page.wait_for_function("[...document.querySelectorAll('.card .pic img')].every(i => i.complete && i.naturalWidth > 0)")
    ids = page.eval_on_selector_all(".card .meta .id", "els => els.map(e => e.textContent)")
    assert ids == ["intro", "points", "outro"]
    sources = page.eval_on_selector_all(".card .pic img", "els => els.map(e => e.getAttribute('src'))")
    assert len(set(sources)) == 3 and all(s.startswith("/files/cache/slide/") for s in sources)
    pictures = [Image.open(isolated_cache / src.removeprefix("/files/cache/")).convert("RGB") for src in sources]
    assert {p.size for p in pictures} == {(176, 100)}  # a draft's oversize slide: half of 320x180, times 1.1
    assert pictures[0].tobytes() != pictures[1].tobytes()
    # Narration takes the direction of its own text: Arabic or Hebrew reads from the right.
    assert page.evaluate("""() => {
        const box = document.querySelector('.card .narration');
        const before = getComputedStyle(box).direction;
        box.textContent = 'مرحبا بالعالم';
        return [before, getComputedStyle(box).direction];
    }""") == ["ltr", "rtl"]
    assert page.errors == []


def test_play_advances_audio_and_moves_highlight(browser, studio):
    """Pressing play plays the scene's narration and the highlight follows the spoken word."""
    page = open_page(browser, studio.url)
    wait_for_cards(page)
    card = page.locator(".card[data-id=intro]")
    card.locator("button.play").click()
    page.wait_for_function("document.querySelector('.card[data-id=intro] audio').currentTime > 1.2")
    state = card.evaluate("""el => {
        const now = el.querySelector('.w.now');
        return {t: el.querySelector('audio').currentTime, k: now ? +now.dataset.k : -1,
                start: now ? +now.dataset.start : null, said: el.querySelectorAll('.w.said').length};
    }""")
    assert state["k"] >= 1, state
    assert state["start"] <= state["t"] + 0.1 and state["said"] == state["k"] + 1
    # Clicking a word plays from it.
    card.locator(".w[data-k='7']").click()
    page.wait_for_function("(() => { const a = document.querySelector('.card[data-id=intro] audio');"
                           " const w = document.querySelector('.card[data-id=intro] .w[data-k=\"7\"]');"
                           " return !a.paused && a.currentTime >= +w.dataset.start; })()")
    assert page.errors == []


def test_edit_updates_that_scene_without_reload(browser, studio, tmp_path):
    """Saving the YAML updates the edited scene's text and picture in the open page within 10 s."""
    page = open_page(browser, studio.url)
    wait_for_cards(page)
    page.evaluate("window.notReloaded = true")
    before = dict(page.eval_on_selector_all(".card", "els => els.map(e => [e.dataset.id, e.querySelector('img').src])"))
    script = tmp_path / "essay.yaml"
    script.write_text(ESSAY.replace("title: Points", "title: Changed points")
                      .replace("First [>] alpha", "Gamma first [>] alpha"), encoding="utf-8")
    edited = time.monotonic()
    page.wait_for_function("""() => {
        const card = document.querySelector('.card[data-id=points]');
        return card && card.querySelector('.narration').textContent.includes('Gamma')
            && card.querySelector('img').complete;
    }""", timeout=10_000)
    assert time.monotonic() - edited < 10
    after = dict(page.eval_on_selector_all(".card", "els => els.map(e => [e.dataset.id, e.querySelector('img').src])"))
    assert after["points"] != before["points"]
    assert after["intro"] == before["intro"] and after["outro"] == before["outro"]  # untouched scenes stay
    assert page.evaluate("window.notReloaded") is True
    # The new narration gets its own timings once spoken.
    page.wait_for_function("document.querySelector('.card[data-id=points] .w[data-k=\"0\"]').dataset.start !== undefined")


def test_syntax_error_shows_inline_then_clears(browser, studio, tmp_path):
    """A broken save shows its error at its line (the last good cards stay); fixing it clears it."""
    page = open_page(browser, studio.url)
    wait_for_cards(page)
    script = tmp_path / "essay.yaml"
    broken = ESSAY.replace("bullets: [alpha, beta]", "bullets: [alpha, beta")
    script.write_text(broken, encoding="utf-8")
    with pytest.raises(VessayError) as expected:
        load_script(script)
    where = f"essay.yaml:{expected.value.line}"
    page.wait_for_function(f"document.querySelector('#problem-list').textContent.includes('{where}')")
    assert "invalid YAML" in page.inner_text("#problem-list")
    assert page.inner_text(".excerpt .hit").split()[0] == str(expected.value.line)
    assert page.is_visible("#stale")
    assert page.locator(".card").count() == 3
    script.write_text(ESSAY, encoding="utf-8")
    page.wait_for_function("document.querySelector('#problem-list').textContent.includes('No problems')")
    assert not page.is_visible("#stale")
    assert page.errors == []


def test_paths_outside_the_project_are_refused(studio, tmp_path):
    """`..` (plain or %-encoded), links out of the served folders and foreign Host headers are refused."""
    outside = tmp_path.parent / f"{tmp_path.name}-secret.txt"
    outside.write_text("secret")
    out = tmp_path / "out"
    out.mkdir(exist_ok=True)
    (out / "link.txt").symlink_to(outside)
    (out / "notes.txt").write_text("fine")
    try:
        assert studio.url.startswith("http://127.0.0.1:")
        for path in ("/files/out/../../" + outside.name, "/files/out/%2e%2e/%2E%2E/" + outside.name,
                     "/files/cache/../../" + outside.name, "/../../etc/passwd", "/static/../../etc/passwd",
                     "/files/out/link.txt", "/files/project/essay.yaml", "/files/out/..%2f..%2f" + outside.name):
            status, body = raw_get(studio.url, path)
            assert status in (403, 404) and "secret" not in body, path
        assert raw_get(studio.url, "/files/out/notes.txt") == (200, "fine")
        assert raw_get(studio.url, "/", host="studio.example.com")[0] == 400  # DNS rebinding
        # Bad requests get answers, and the server goes on serving.
        for data in (b"not json", b'{"theme": 5}', b'{"theme": "no-such-theme"}'):
            request = urllib.request.Request(studio.url + "api/theme", data=data, method="POST")
            with pytest.raises(urllib.error.HTTPError) as refused:
                urllib.request.urlopen(request, timeout=10)
            assert refused.value.code == 400
        assert raw_get(studio.url, "/")[0] == 200
    finally:
        outside.unlink()


def test_two_tabs_stay_in_sync_through_theme_and_final_render(browser, studio, tmp_path):
    """A theme chosen or a render started in one tab shows in the other; the render offers its files."""
    first, second = open_page(browser, studio.url), open_page(browser, studio.url)
    for page in (first, second):
        wait_for_cards(page)
    picture = second.get_attribute(".card[data-id=intro] img", "src")
    first.select_option("#theme", "paper")
    second.wait_for_function("document.querySelector('#theme').value === 'paper'")
    second.wait_for_function(f"document.querySelector('.card[data-id=intro] img').getAttribute('src') !== '{picture}'")
    first.click("#render")
    for page in (first, second):
        page.wait_for_function("document.querySelectorAll('#final-body .files a').length >= 5", timeout=90_000)
    names = second.eval_on_selector_all("#final-body .files a", "els => els.map(e => e.getAttribute('download'))")
    assert {"essay.mp4", "essay.srt", "essay.vtt", "essay.chapters.txt", "essay.jpg", "essay.description.md"} <= set(names)
    video = probe(tmp_path / "out" / "essay.mp4")
    assert video.first("video").width == 320 and video.duration > 3
    link = second.get_attribute("#final-body .files a[download='essay.chapters.txt']", "href")
    with urllib.request.urlopen(studio.url.rstrip("/") + link, timeout=10) as response:
        assert response.read().decode().startswith("0:00 ")


def test_draft_video_plays_with_chapter_markers(browser, tmp_path, isolated_cache):
    """The draft video of the whole essay plays in the page, with its chapters marked under it."""
    server = serve(tmp_path, isolated_cache, video=True)
    try:
        page = open_page(browser, server.url)
        page.wait_for_function("document.querySelector('#draft').readyState >= 1", timeout=60_000)
        timeline = json.loads(urllib.request.urlopen(server.url + "api/state", timeout=10).read())["board"]["timeline"]
        assert page.evaluate("document.querySelector('#draft').duration") == pytest.approx(timeline["duration"], abs=0.2)
        assert page.locator("#chapters .chapter").count() == len(timeline["chapters"]) >= 1
        assert page.locator("#timeline .tl-scene").count() == 3
        page.keyboard.press("v")
        page.wait_for_function("document.querySelector('#draft').currentTime > 0.5")
        draft = probe(tmp_path / "out" / "essay-draft.mp4")
        assert draft.first("video").width == 160
    finally:
        server.stop()


def test_cli_serves_on_localhost_and_stops_cleanly(tmp_path):
    """`vessay studio` prints a 127.0.0.1 URL, serves the page from the package, and exits 0 on Ctrl-C."""
    script = write_script(tmp_path, ESSAY)
    proc = subprocess.Popen([sys.executable, "-m", "vessay.cli", "studio", str(script), "--port", "0", "--no-video"],
                            cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        line = proc.stdout.readline()
        assert line.startswith("vessay studio: http://127.0.0.1:"), line
        url = line.split()[2]
        with urllib.request.urlopen(url, timeout=10) as response:
            page = response.read().decode()
        assert "vessay studio" in page and "http" not in page.replace("http-equiv", "")  # nothing from the network
        for asset in ("static/studio.js", "static/studio.css", "fonts/noto-sans.ttf"):
            with urllib.request.urlopen(url + asset, timeout=10) as response:
                assert response.status == 200 and response.read()
    finally:
        proc.send_signal(signal.SIGINT)
        code = proc.wait(timeout=20)
    assert code == 0, proc.stderr.read()


def test_findings_belong_to_the_scene_at_their_line(tmp_path):
    """A check finding is shown on the scene whose lines hold it, with the lines around it."""
    script = load_script(write_script(tmp_path, ESSAY))
    spans = board.scene_spans(script)
    assert [(s, a) for s, a, _ in spans] == [("intro", 4), ("points", 8), ("outro", 13)]
    found = board.problem(VessayError("too long", script.path, 11, 5), "warning", script.path, spans, tmp_path)
    assert found["scene"] == "points" and found["file"] == "essay.yaml"
    assert [row["n"] for row in found["excerpt"]] == [9, 10, 11, 12, 13]
    assert board.problem(VessayError("bad voice", script.path, 2), "error", script.path, spans, tmp_path)["scene"] is None


def test_cuts_are_read_whatever_their_shape():
    """Cuts from cleanup show as start, end and reason, from objects or dicts; odd entries are skipped."""
    audio = SimpleNamespace(cuts=[SimpleNamespace(start=1.0, end=1.5, reason="retake"),
                                  {"start": 2, "end": 2.25, "reason": "filler"}, {"start": None}])
    assert board.cuts(audio) == [{"start": 1.0, "end": 1.5, "reason": "retake"},
                                 {"start": 2.0, "end": 2.25, "reason": "filler"}]
    assert board.cuts(SimpleNamespace()) == []


def test_roots_refuse_climbing_out(tmp_path):
    """Only files inside a named root resolve; URLs are made only for files inside one."""
    roots = Roots.of(project=tmp_path)
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "b.txt").write_text("x")
    assert roots.resolve("project", "a/b.txt") == (tmp_path / "a" / "b.txt").resolve()
    for bad in ("../x", "a/../../x", "/etc/passwd", "a\\..\\..\\x", ""):
        with pytest.raises(Refused):
            roots.resolve("project", bad)
    assert roots.url(tmp_path / "a" / "b.txt", 7) == "/files/project/a/b.txt?v=7"
    assert roots.url(tmp_path.parent / "elsewhere.txt") is None


def test_progress_listener_hears_every_step():
    """A progress listener is told each step of each bar and each message, and can stop the work."""
    heard = []
    progress = Progress(quiet=True, listener=lambda label, done, total: heard.append((label, done, total)))
    with progress.bar(2, "slides", "slide") as bar:
        bar.update()
        bar.update()
    progress.say("done")
    assert heard == [("slides", 0, 2), ("slides", 1, 2), ("slides", 2, 2), ("done", 0, 0)]

    def stop(label, done, total):
        if done:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        with Progress(quiet=True, listener=stop).bar(3, "video", "piece") as bar:
            bar.update()
