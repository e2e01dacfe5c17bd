# revops: two commands on a fresh machine: `make demo` and `make test`.
# DuckDB's Arrow interface needs the build tag duckdb_arrow; every target passes it.

GO       ?= go
TAGS     := duckdb_arrow
BIN      := bin/revops
PKGS     := ./...
DEMO_DIR ?= .demo

.PHONY: all build test vet staticcheck fmt-check chromium report-check bench bench-e2e fuzz demo fidelity soak clean

all: build

build:
	$(GO) build -tags $(TAGS) -o $(BIN) ./cmd/revops

vet:
	$(GO) vet -tags $(TAGS) $(PKGS)

# staticcheck, pinned in go.mod as a tool (go tool fetches it through the
# module proxy on first use): unused code, ignored results, deprecated calls.
staticcheck:
	$(GO) tool staticcheck -tags $(TAGS) $(PKGS)

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt wants to change:"; echo "$$out"; exit 1; fi

# Headless Chromium for the report's browser tests: Debian's chromium
# package, installed when no Chromium is found (as root, else with sudo).
# $REVOPS_CHROMIUM names another binary.
SUDO := $(shell [ "$$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1 && echo sudo)
chromium:
	@if [ -n "$$REVOPS_CHROMIUM" ] || command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; then :; else \
		echo "installing Debian's chromium package for the report's browser tests"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium >/dev/null \
			|| { echo "could not install chromium (apt-get install chromium); set REVOPS_CHROMIUM to a Chromium binary"; exit 1; }; \
	fi

# The report in a browser: a page built from a sandbox run, then from an
# empty warehouse, opened in headless Chromium (no console errors, no
# request, every chart drawn, a screenshot that is not blank).
report-check: chromium
	$(GO) test -tags $(TAGS) -count=1 -run 'Browser|TestReport' ./report/... ./cmd/revops/

# The README's test command: formatting, vet, then every test (DuckDB for
# real, the emulators over loopback, the report in headless Chromium).
# Fuzz targets run their seed corpus.
test: fmt-check vet staticcheck chromium
	$(GO) test -tags $(TAGS) -count=1 -timeout 19m $(PKGS)

# Benchmarks: warehouse landing vs DuckDB's read_parquet limit, emulator
# throughput and paging cost, world generation, identity matching of
# 1,000,000 people (seconds, comparisons, pairs completeness, peak memory).
bench:
	$(GO) test -tags $(TAGS) -run '^$$' -bench . -benchtime 3x -timeout 60m ./load/duckdb/
	$(GO) test -tags $(TAGS) -run '^$$' -bench ExtractLand200k -benchtime 1x -timeout 30m ./extract/...
	$(GO) test -tags $(TAGS) -run '^$$' -bench . -benchmem -timeout 30m ./crm/...
	$(GO) test -tags $(TAGS) -run '^$$' -bench Match1M -benchtime 1x -timeout 30m ./identity/

# End to end at scale: a sandbox of E2E_RECORDS records per system, a first
# full `revops run`, 1% of the records changed through the APIs, an
# incremental run; prints wall time per stage, peak memory and calls per
# system against the fewest the APIs allow.
E2E_RECORDS ?= 1000000
bench-e2e:
	$(GO) test -tags $(TAGS) -run '^$$' -bench EndToEnd -benchtime 1x -timeout 180m ./soak/ -e2e.records $(E2E_RECORDS) -e2e.settle

# Short fuzzing of every parser (configs, SOQL, COQL, criteria, fault rules,
# model headers and templates, seed CSVs, raw JSON pages and their cells).
FUZZTIME ?= 30s
fuzz:
	$(GO) test ./configs -run '^$$' -fuzz FuzzParse -fuzztime $(FUZZTIME)
	$(GO) test ./crm/salesforce/soql -run '^$$' -fuzz FuzzParse -fuzztime $(FUZZTIME)
	$(GO) test ./crm/zoho/zql -run '^$$' -fuzz FuzzParseCOQL -fuzztime $(FUZZTIME)
	$(GO) test ./crm/zoho/zql -run '^$$' -fuzz FuzzParseCriteria -fuzztime $(FUZZTIME)
	$(GO) test ./crm/sandbox -run '^$$' -fuzz FuzzParseRules -fuzztime $(FUZZTIME)
	$(GO) test ./models -run '^$$' -fuzz FuzzParseHeader -fuzztime $(FUZZTIME)
	$(GO) test ./models -run '^$$' -fuzz FuzzParseTemplate -fuzztime $(FUZZTIME)
	$(GO) test ./models -run '^$$' -fuzz FuzzParseSeed -fuzztime $(FUZZTIME)
	$(GO) test -tags $(TAGS) ./sync -run '^$$' -fuzz FuzzParseSyncs -fuzztime $(FUZZTIME)
	$(GO) test ./identity -run '^$$' -fuzz FuzzReadCSV -fuzztime $(FUZZTIME)
	$(GO) test ./identity -run '^$$' -fuzz FuzzDecodeOptions -fuzztime $(FUZZTIME)
	$(GO) test ./crm/rawjson -run '^$$' -fuzz FuzzScanner -fuzztime $(FUZZTIME)
	$(GO) test ./crm/zoho -run '^$$' -fuzz FuzzRawPage -fuzztime $(FUZZTIME)
	$(GO) test ./crm/salesforce -run '^$$' -fuzz FuzzQueryPage -fuzztime $(FUZZTIME)
	$(GO) test -tags $(TAGS) ./extract/rawbatch -run '^$$' -fuzz FuzzCellsAsBatcher -fuzztime $(FUZZTIME)
	$(GO) test -tags $(TAGS) ./extract/rawbatch -run '^$$' -fuzz FuzzFastParsers -fuzztime $(FUZZTIME)

# The full soak (soak/doc.go): ~20,000 records per system, every stage
# SIGKILLed at least 15 times under injected faults, then converged and
# checked; prints its figures. Takes tens of minutes. REVOPS_SOAK_SEED=N
# repeats a soak; the short soak runs in `make test`.
soak:
	REVOPS_SOAK=full $(GO) test -tags $(TAGS) -count=1 -timeout 3h -run TestSoak -v ./soak/

# Everything that exists, end to end, against the sandbox emulators on loopback.
demo: build
	DEMO_DIR=$(DEMO_DIR) REVOPS=$(BIN) bash scripts/demo.sh

# Client libraries written by others (jsforce, Zoho's Node SDK) against the emulators.
fidelity:
	bash scripts/salesforce/run.sh
	bash scripts/zoho/run.sh

clean:
	rm -rf bin $(DEMO_DIR)
