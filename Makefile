# Sidenote. `make run` and `make test` are all a newcomer needs; see README.md.
GO        ?= go
# Build with the toolchain go.mod names (a patched release, fetched through the
# module proxy when the installed Go is older), so what ships is what
# `make vulncheck` checks. Export GOTOOLCHAIN=local to use the installed Go.
export GOTOOLCHAIN ?= auto
GOROOT    := $(shell GOTOOLCHAIN=$(GOTOOLCHAIN) $(GO) env GOROOT)
WASM_EXEC := $(GOROOT)/lib/wasm/wasm_exec.js
WEB_DIR   := wasm/web
# The unpacked dev build's id, fixed by the key in extension/src/manifest.json.
DEV_EXTENSION_ID := nkfakkladpjdkjfmfegfanikgkbddhco

.PHONY: run build wasm extension fixtures test test-go test-wasm test-extension-js vet vulncheck bench notes-eval notes-train fuzz soak clean

## run: build the sidebar and extension, then start the server on the embedded SQLite default
run: wasm extension
	@echo "Extension built in extension/dist: load it at chrome://extensions (Developer mode > Load unpacked)."
	@echo "Sidebar in a tab: http://127.0.0.1:8080/app/"
	SIDENOTE_DEV_LOGIN=1 SIDENOTE_EXTENSION_IDS=$(DEV_EXTENSION_ID) $(GO) run ./server/cmd/sidenote

## build: the server binary in bin/
build:
	$(GO) build -trimpath -o bin/sidenote ./server/cmd/sidenote

## wasm: the sidebar WebAssembly app and its loader into wasm/web/, with gzip and brotli copies the server sends
# No inlining (-l): 47 KB less gzip; first render measured within noise (make bench).
wasm:
	GOOS=js GOARCH=wasm $(GO) build -trimpath -gcflags=all=-l -ldflags=-s -o $(WEB_DIR)/sidebar.wasm ./wasm/cmd/sidebar
	cp $(WASM_EXEC) $(WEB_DIR)/wasm_exec.js
	$(GO) run ./internal/cmd/precompress $(WEB_DIR)

## extension: the unpacked Manifest V3 extension into extension/dist/
extension: wasm
	bash extension/build.sh

## fixtures: the EHR-like test pages (real editors from npm, built with esbuild)
fixtures:
	cd extension/fixtures && npm ci --no-audit --no-fund --loglevel=error && node build.mjs

## test: the whole suite (PostgreSQL and Chromium tests skip when absent unless REQUIRE_POSTGRES=1 / REQUIRE_BROWSER=1)
test: vet test-extension-js wasm extension fixtures test-go test-wasm fuzz-ci

## test-extension-js: type-check the extension's JavaScript (tsc --noEmit, pinned in extension/package.json) and run its unit tests (node --test)
test-extension-js:
	cd extension && npm ci --no-audit --no-fund --loglevel=error && npx --no-install tsc --noEmit -p . && node --test test/

vet:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { echo "gofmt needed:"; gofmt -l $$(git ls-files '*.go'); exit 1; }
	$(GO) vet ./...
	GOOS=js GOARCH=wasm $(GO) vet ./shared/... ./wasm/...

test-go:
	$(GO) test -count=1 -timeout 12m ./...

## vulncheck: govulncheck on every package, failing on a vulnerability in code we call. The database is built
## from a pinned golang.org/x/vulndb module (the module proxy is enough; vuln.go.dev is not needed) and cached.
GOVULNCHECK_VERSION ?= v1.9.0
VULNDB_VERSION      ?= v0.0.0-20261105234957-e22db6528018
VULNDB_CACHE        ?= $(shell $(GO) env GOCACHE)/sidenote-vulndb/$(VULNDB_VERSION)
vulncheck:
	@test -f "$(VULNDB_CACHE)/index/db.json" || { \
	  osv=$$(cd / && $(GO) mod download golang.org/x/vulndb@$(VULNDB_VERSION) && \
	    $(GO) list -m -f '{{.Dir}}' golang.org/x/vulndb@$(VULNDB_VERSION))/data/osv; \
	  test -d "$$osv" || { echo "vulncheck: no OSV data in golang.org/x/vulndb@$(VULNDB_VERSION)"; exit 1; }; \
	  rm -rf "$(VULNDB_CACHE).tmp"; \
	  echo "vulncheck: building the vulnerability database from golang.org/x/vulndb@$(VULNDB_VERSION)"; \
	  (cd / && $(GO) run golang.org/x/vulndb/cmd/indexdb@$(VULNDB_VERSION) -vulns "$$osv" -out "$(VULNDB_CACHE).tmp") && \
	  mv "$(VULNDB_CACHE).tmp" "$(VULNDB_CACHE)"; }
	$(GO) run golang.org/x/vuln/cmd/govulncheck@$(GOVULNCHECK_VERSION) -db "file://$(VULNDB_CACHE)" ./...

## test-wasm: the js/wasm packages under Node
test-wasm:
	GOOS=js GOARCH=wasm $(GO) test -count=1 -exec="$(GOROOT)/lib/wasm/go_js_wasm_exec" ./shared/... ./wasm/...

## bench: print the benchmark figures the issues ask for (takes a few minutes)
bench: wasm extension fixtures
	$(GO) test -count=1 -run '^$$' -bench . -benchmem ./server/internal/notes/ ./server/internal/store/ ./wasm/internal/view/
	$(GO) test -count=1 -run '^$$' -bench . -benchtime 1x -timeout 20m ./server/internal/api/ ./extension/e2e/
	SIDENOTE_BENCH=1 $(GO) test -count=1 -run '^(TestFirstRenderBenchmark|TestCallBenchmark)$$' -v -timeout 30m ./wasm/e2e/

## notes-eval: the built-in note generator against the labelled panel (server/internal/notes/eval): placement per
## template for the tuned and held-out parts, dropped, invention, fillers, pronouns, not_documented and risk agreement.
## NOTES_EVAL_FLAGS=-misses also lists the tuned part's wrong placements.
notes-eval:
	$(GO) run ./server/cmd/notes-eval $(NOTES_EVAL_FLAGS)

## notes-train: relearn the built-in generator's section model (server/internal/notes/model.tsv) from the panel's
## tuned cases only; NOTES_TRAIN_FLAGS=-cv prints leave-one-case-out accuracy instead of writing the model.
notes-train:
	$(GO) run ./server/cmd/notes-train $(NOTES_TRAIN_FLAGS)

## soak: 32 clients for SOAK_DURATION against the real binary while its own PostgreSQL cluster restarts (make test runs 6s)
SOAK_DURATION ?= 60s
soak:
	SIDENOTE_SOAK_DURATION=$(SOAK_DURATION) $(GO) test -count=1 -run '^TestSoakSurvivesPostgreSQLRestarts$$' -v -timeout 10m ./server/internal/processtest/

## fuzz: run each fuzz target for FUZZTIME (default 30s); what it finds is written to the package's testdata/fuzz/
# Each package's test binary is built once with fuzzing instrumentation, then
# run per target from the package directory (where testdata/ is): a
# `go test -fuzz` per target would link it again each time.
FUZZTIME  ?= 30s
FUZZCACHE ?= $(shell $(GO) env GOCACHE)/fuzz
# Minimizing each new input may take 60 s by default: on the slower targets
# (FuzzBuiltin) that left no time to fuzz.
FUZZMINIMIZETIME ?= 5s
fuzz:
	@bin=$$(mktemp -d); trap 'rm -rf "$$bin"' EXIT; \
	for dir in $$(grep -rl --include='*_test.go' '^func Fuzz' server shared wasm | xargs -n1 dirname | sort -u); do \
	  pkg=$$($(GO) list ./$$dir) && $(GO) test -c -fuzz=. -o "$$bin/fuzz.test" ./$$dir || exit 1; \
	  for f in $$(sed -n 's/^func \(Fuzz[A-Za-z0-9_]*\)(.*/\1/p' $$dir/*_test.go); do \
	    echo "== $$pkg $$f ($(FUZZTIME))"; \
	    (cd $$dir && "$$bin/fuzz.test" -test.run='^$$' -test.fuzz="^$$f$$" -test.fuzztime=$(FUZZTIME) -test.fuzzminimizetime=$(FUZZMINIMIZETIME) \
	      -test.fuzzcachedir="$(FUZZCACHE)/$$pkg") || exit 1; \
	  done; \
	done

## fuzz-ci: each fuzz target briefly, the API's on SQLite only (PostgreSQL replays the seeds in test-go).
# A count, not a duration: go1.26's fuzz coordinator can report a spurious
# "context deadline exceeded" failure when a -fuzztime duration runs out
# while a worker is mid-call (golang/go#75804, fixed in go1.27).
fuzz-ci:
	@cache=$$(mktemp -d); trap 'rm -rf "$$cache"' EXIT; \
	FUZZ_SQLITE_ONLY=1 $(MAKE) --no-print-directory fuzz FUZZTIME=60x FUZZCACHE="$$cache"

clean:
	rm -rf bin extension/dist extension/fixtures/dist $(WEB_DIR)/sidebar.wasm $(WEB_DIR)/wasm_exec.js $(WEB_DIR)/*.gz $(WEB_DIR)/*.br
