# Sidenote. `make run` and `make test` are all a newcomer needs; see README.md.
GO        ?= go
GOROOT    := $(shell $(GO) env GOROOT)
WASM_EXEC := $(GOROOT)/lib/wasm/wasm_exec.js
WEB_DIR   := wasm/web
# The unpacked dev build's id, fixed by the key in extension/src/manifest.json.
DEV_EXTENSION_ID := nkfakkladpjdkjfmfegfanikgkbddhco

.PHONY: run build wasm extension fixtures test test-go test-wasm vet bench fuzz clean

## run: build the sidebar and extension, then start the server on the embedded SQLite default
run: wasm extension
	@echo "Extension built in extension/dist: load it at chrome://extensions (Developer mode > Load unpacked)."
	@echo "Sidebar in a tab: http://127.0.0.1:8080/app/"
	SIDENOTE_DEV_LOGIN=1 SIDENOTE_EXTENSION_IDS=$(DEV_EXTENSION_ID) $(GO) run ./server/cmd/sidenote

## build: the server binary in bin/
build:
	$(GO) build -trimpath -o bin/sidenote ./server/cmd/sidenote

## wasm: the sidebar WebAssembly app and its loader into wasm/web/
wasm:
	GOOS=js GOARCH=wasm $(GO) build -trimpath -ldflags=-s -o $(WEB_DIR)/sidebar.wasm ./wasm/cmd/sidebar
	cp $(WASM_EXEC) $(WEB_DIR)/wasm_exec.js

## extension: the unpacked Manifest V3 extension into extension/dist/
extension: wasm
	bash extension/build.sh

## fixtures: the EHR-like test pages (real editors from npm, built with esbuild)
fixtures:
	cd extension/fixtures && npm ci --no-audit --no-fund --loglevel=error && node build.mjs

## test: the whole suite (PostgreSQL and Chromium tests skip when absent unless REQUIRE_POSTGRES=1 / REQUIRE_BROWSER=1)
test: vet wasm extension fixtures test-go test-wasm

vet:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { echo "gofmt needed:"; gofmt -l $$(git ls-files '*.go'); exit 1; }
	$(GO) vet ./...
	GOOS=js GOARCH=wasm $(GO) vet ./shared/... ./wasm/...

test-go:
	$(GO) test -count=1 -timeout 12m ./...

## test-wasm: the js/wasm packages under Node
test-wasm:
	GOOS=js GOARCH=wasm $(GO) test -count=1 -exec="$(GOROOT)/lib/wasm/go_js_wasm_exec" ./shared/... ./wasm/...

## bench: print the benchmark figures the issues ask for (takes a few minutes)
bench: wasm extension fixtures
	$(GO) test -count=1 -run '^$$' -bench . -benchmem ./server/internal/notes/ ./wasm/internal/view/
	$(GO) test -count=1 -run '^$$' -bench . -benchtime 1x -timeout 20m ./server/internal/api/ ./extension/e2e/
	SIDENOTE_BENCH=1 $(GO) test -count=1 -run '^TestFirstRenderBenchmark$$' -v ./wasm/e2e/

## fuzz: run each fuzz target for FUZZTIME (default 30s)
FUZZTIME ?= 30s
fuzz:
	@for pkg in $$($(GO) list ./...); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
	    echo "== $$pkg $$f"; $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
	  done; \
	done

clean:
	rm -rf bin extension/dist extension/fixtures/dist $(WEB_DIR)/sidebar.wasm $(WEB_DIR)/wasm_exec.js
