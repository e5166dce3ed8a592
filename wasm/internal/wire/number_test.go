package wire

import (
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
)

// checkNumber parses s as a JSON document and wants strconv.ParseFloat's
// exact bits, or a syntax error where ParseFloat reports the number out of
// range.
func checkNumber(t *testing.T, s string) {
	t.Helper()
	want, err := strconv.ParseFloat(s, 64)
	v, perr := Parse([]byte(s))
	if err != nil {
		if perr == nil {
			t.Errorf("%s: parsed as %v; ParseFloat: %v", s, v.Float(), err)
		}
		return
	}
	if perr != nil || v.Kind() != Number || math.Float64bits(v.Float()) != math.Float64bits(want) {
		t.Errorf("%s: got %v (%v), want %v", s, v.Float(), perr, want)
	}
}

func TestNumbersMatchParseFloat(t *testing.T) {
	for _, s := range []string{
		"0", "-0", "0.0", "-0.0", "0e400", "1", "-1", "42", "0.857", "0.1", "0.3", "1.5e3", "2.5E-3", "1e22", "1e23", "1e-22", "1e-23",
		"9007199254740992", "9007199254740993", "9007199254740991.5", "123456789012345678901234567890", "0.000001234",
		"4.9e-324", "2e-324", "1e-400", "1.7976931348623157e308", "1.8e308", "1e400", "-1e400",
		"0.30000000000000004", "2.2250738585072011e-308", "100000000000000000000000", "00000000000000000000000000001e0",
		"1.00000000000000000000000000001", "12345.678e-2", "3.0e+2",
	} {
		checkNumber(t, s)
	}
	r := rand.New(rand.NewPCG(3, 4))
	for range 20000 {
		digits := strconv.FormatUint(r.Uint64N(1<<uint(r.IntN(64))), 10)
		s := digits
		if n := r.IntN(len(digits) + 1); n < len(digits) && r.IntN(2) == 0 {
			s = digits[:n] + "." + digits[n:]
			if n == 0 {
				s = "0" + s
			}
		}
		if r.IntN(2) == 0 {
			s += "e" + strconv.Itoa(r.IntN(70)-35)
		}
		if r.IntN(2) == 0 {
			s = "-" + s
		}
		checkNumber(t, s)
	}
}
