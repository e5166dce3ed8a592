// Package e2e drives the unpacked Sidenote extension in headless Chromium
// against the fixture pages (extension/fixtures) and a real Sidenote server.
// Build first: extension/build.sh and the fixtures (make extension fixtures).
//
// One Chromium (internal/browsertest) and one server (internal/sidenotetest,
// on a fresh PostgreSQL database) serve every test of the binary, started in
// TestMain; wasm/e2e starts its own for each test through the same packages.
package e2e
