# Two commands do all the set-up on a fresh machine with Python 3.11+:
#   make crawl   - install (once) and run the nightly crawl of every site
#   make test    - install (once) and run the whole test suite
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: install crawl test lock clean bench

$(VENV)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test]'
	touch $@

install: $(VENV)/.installed

crawl: install
	$(BIN)/scrapy crawlall

# -n auto: pytest-xdist spreads the tests over every core (each test has its own folders and ports)
test: install
	$(BIN)/python -m pytest -n auto

# Benchmarks against trafilatura/readability/jusText, bare Scrapy and Scrapy + trafilatura (not part of
# the test suite); rewrites the generated sections of docs/benchmarks.md.
bench: install
	$(BIN)/python benchmarks/quality.py --write
	$(BIN)/python benchmarks/speed.py --write
	$(BIN)/python benchmarks/throughput.py --write --profile
	$(BIN)/python benchmarks/vs_trafilatura.py --write

# Re-pin every dependency (run after changing pyproject.toml, commit constraints.txt).
lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/python -m pip install --quiet '.[test]'
	.lock-venv/bin/python -m pip freeze --exclude newscrawl > constraints.txt
	rm -rf .lock-venv

clean:
	rm -rf $(VENV) build *.egg-info
