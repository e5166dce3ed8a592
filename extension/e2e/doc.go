// Package e2e drives the unpacked Sidenote extension in headless Chromium
// against the fixture pages (extension/fixtures) and a real Sidenote server.
// Build first: extension/build.sh and the fixtures (make extension fixtures).
package e2e
