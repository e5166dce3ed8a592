//go:build !(js && wasm)

package wire

import "strconv"

// parseFloat converts the numbers toFloat cannot do exactly.
func parseFloat(s string) (float64, bool) {
	f, err := strconv.ParseFloat(s, 64)
	return f, err == nil
}
