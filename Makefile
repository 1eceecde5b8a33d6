# Two commands from a fresh clone: `make render` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
SCRIPT ?= script/only-math.yaml

.PHONY: install render test bench slides studio clean

install: $(STAMP)

# Reinstall only when the project's declared dependencies change.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

render: $(STAMP)
	$(BIN)/vessay render $(SCRIPT)

# A live storyboard at http://127.0.0.1:8765/ that re-renders as you save the script.
studio: $(STAMP)
	$(BIN)/vessay studio $(SCRIPT)

slides: $(STAMP)
	$(BIN)/vessay slides $(SCRIPT)

test: $(STAMP)
	$(BIN)/python -m pytest

# A benchmark that misses a target prints FAIL and exits 1 (- : the ones after it still run).
bench: $(STAMP)
	-$(BIN)/python bench/kenburns.py
	-$(BIN)/python bench/essay.py
	-$(BIN)/python bench/studio.py
	-$(BIN)/python bench/clip.py
	-$(BIN)/python bench/captions.py
	$(BIN)/python bench/voice.py

clean:
	rm -rf out .pytest_cache
