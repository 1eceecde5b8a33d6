"""The bad-input corpus: every file in tests/bad_inputs/ gets its expected one-line answer.

Each case's first line reads `# expect: <text>`; `vessay check` must print that text on
stderr, exit 2 (0 for warnings), and never show a traceback.
"""

from pathlib import Path

import pytest

from vessay.cli import main

CORPUS = Path(__file__).parent / "bad_inputs"
CASES = sorted(p for p in CORPUS.glob("*.yaml"))


def expectation(case: Path) -> str:
    first = case.read_text(encoding="utf-8").splitlines()[0] if case.read_text(encoding="utf-8") else ""
    assert first.startswith("# expect: "), f"{case.name} must start with '# expect: '"
    return first.removeprefix("# expect: ")


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_bad_input_gets_its_message(case, capsys):
    """The case's expected message, the right exit code, one line per problem, no traceback."""
    expected = expectation(case)
    code = main(["check", str(case), "--quiet"])
    err = capsys.readouterr().err
    assert expected.strip() in err, err
    assert code == (0 if "warning:" in expected else 2), err
    assert "Traceback" not in err
    for line in err.strip().splitlines():
        assert line.startswith((str(CORPUS), "vessay:")), line


def test_corpus_covers_the_listed_cases():
    """The corpus keeps one file for each kind of bad input we promise to answer."""
    names = {c.stem for c in CASES}
    assert {"invalid-yaml", "empty", "list-not-mapping", "misspelled-key", "fps-text", "fps-zero", "width-absurd",
            "duplicate-id", "no-scenes", "empty-narration", "missing-audio", "zero-length-audio", "text-as-audio",
            "corrupt-audio", "unknown-theme", "bad-colour-theme", "missing-font-theme", "missing-image",
            "unrenderable-character", "huge-title", "missing-clip", "corrupt-clip", "trim-outside-clip",
            "unreadable-csv", "unknown-column", "focus-outside"} <= names


def test_spaces_non_ascii_paths_and_rtl_text_work(tmp_path, capsys):
    """Folders and files with spaces and accents, and right-to-left titles, are fine, not errors."""
    import shutil

    folder = tmp_path / "my essay" / "récordings"
    folder.mkdir(parents=True)
    shutil.copy(CORPUS / "assets" / "tone.wav", folder / "prise 1.wav")
    script = tmp_path / "my essay" / "essaí.yaml"
    script.write_text('title: x\nvideo: {width: 320, height: 180, fps: 10}\nscenes:\n'
                      '  - {id: a, layout: title, title: "שלום עולם", audio: "récordings/prise 1.wav"}\n'
                      '  - {id: b, layout: title, title: "مرحبا بالعالم", narration: Hello.}\n', encoding="utf-8")
    assert main(["check", str(script), "--quiet"]) == 0, capsys.readouterr().err
    out = tmp_path / "my essay" / "sortie vidéo" / "essaí.mp4"
    assert main(["render", str(script), "-o", str(out), "--quiet"]) == 0, capsys.readouterr().err
    assert out.is_file()
