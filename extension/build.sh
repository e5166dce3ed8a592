#!/bin/sh
# Builds the unpacked extension into extension/dist/ (load it from
# chrome://extensions with "Load unpacked", or --load-extension).
set -eu
cd "$(dirname "$0")/.."
out=extension/dist
rm -rf "$out"
mkdir -p "$out/content" "$out/icons"

cp extension/src/manifest.json extension/src/*.html extension/src/*.js "$out/"
cp extension/src/content/*.js "$out/content/"
cp "$(go env GOROOT)/lib/wasm/wasm_exec.js" "$out/"
GOOS=js GOARCH=wasm go build -trimpath -ldflags=-s -o "$out/matcher.wasm" ./wasm/cmd/matcher
go run ./extension/cmd/icons "$out/icons"

# The sidebar app (wasm/, built by `make wasm`) runs in the side panel. Only
# these files: the .gz and .br copies beside them are for the server's /app,
# and the extension, read from disk, would only grow by them.
for f in app.css boot.js media.js sidebar.wasm mic.html mic.js; do
  if [ -f "wasm/web/$f" ]; then
    cp "wasm/web/$f" "$out/"
  else
    echo "extension: wasm/web/$f not built yet; the side panel will say so (run make wasm)"
  fi
done
echo "extension built in $out (ID nkfakkladpjdkjfmfegfanikgkbddhco)"
