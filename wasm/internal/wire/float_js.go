//go:build js && wasm

package wire

import (
	"math"
	"syscall/js"
)

// parseFloat converts the numbers toFloat cannot do exactly with the
// JavaScript engine's Number(), which rounds to nearest as ParseFloat does.
func parseFloat(s string) (float64, bool) {
	f := js.Global().Call("Number", s).Float()
	return f, !math.IsInf(f, 0) && !math.IsNaN(f)
}
