# Two commands do all the set-up on a fresh machine with Python 3.11+:
#   make crawl   - install (once) and run the nightly crawl of every site
#   make test    - install (once) and run the whole test suite
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: install crawl test check lock clean bench demo min-versions

$(VENV)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test]'
	touch $@

install: $(VENV)/.installed

# the benchmarks' comparison extractors (readability-lxml, jusText): the [bench] extra, on top
$(VENV)/.installed-bench: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test,bench]'
	touch $@

crawl: install
	$(BIN)/scrapy crawlall

# -n auto: pytest-xdist spreads the tests over every core (each test has its own folders and ports)
test: install
	$(BIN)/python -m pytest -n auto

# Replay the shipped fixture sites (tests/fixtures/sites) into a fresh temporary folder - no network,
# nothing under data/ - and print where the JSONL went (docs/replay.md).
demo: install
	@out=$$(mktemp -d "$${TMPDIR:-/tmp}/newscrawl-demo-XXXXXX") && \
	$(BIN)/python -m newscrawl.replay.build "$$out/fixtures.warc.gz" $(wildcard tests/fixtures/sites/*) && \
	NEWSCRAWL_DATA_DIR="$$out" $(BIN)/scrapy crawlall -s NEWSCRAWL_REPLAY="$$out/fixtures.warc.gz" -s LOG_LEVEL=ERROR; \
	status=$$?; echo; echo "JSONL (one file per site): $$out/<site>/*.jsonl"; ls "$$out"/*/*.jsonl; exit $$status

# `scrapy check`: each site spider's contract, offline, against an archive of the test fixtures
# (newscrawl/contracts.py); `scrapy check -s NEWSCRAWL_REPLAY=night.warc.gz` checks a recorded night.
check: install
	$(BIN)/python -m newscrawl.replay.build $(VENV)/fixtures.warc.gz tests/fixtures/sites/*/ >/dev/null
	$(BIN)/scrapy check -s NEWSCRAWL_REPLAY=$(VENV)/fixtures.warc.gz

# Benchmarks against trafilatura/readability/jusText, bare Scrapy and Scrapy + trafilatura (not part of
# the test suite); rewrites the generated sections of docs/benchmarks.md. The real-page benchmark needs a corpus of
# saved pages with ground truth (REALPAGES=DIR, a folder holding pages/; see benchmarks/realpages.py).
REALPAGES ?=
bench: $(VENV)/.installed-bench
	$(BIN)/python benchmarks/quality.py --write
	$(BIN)/python benchmarks/speed.py --write
	$(BIN)/python benchmarks/throughput.py --write --profile
	$(BIN)/python benchmarks/vs_trafilatura.py --write
	if [ -n "$(REALPAGES)" ] && [ -d "$(REALPAGES)/pages" ]; then \
	  $(BIN)/python benchmarks/realpages.py --corpus "$(REALPAGES)" --write; \
	else echo "no REALPAGES corpus given: real-page benchmark skipped (make bench REALPAGES=DIR)"; fi

# Re-pin every dependency (run after changing pyproject.toml, commit constraints.txt).
lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/python -m pip install --quiet '.[test,bench]'
	.lock-venv/bin/python -m pip freeze --exclude newscrawl > constraints.txt
	rm -rf .lock-venv

# The minimum versions pyproject.toml declares, installed in build/ and tested (.ci/min-versions).
min-versions:
	.ci/min-versions

clean:
	rm -rf $(VENV) build *.egg-info
