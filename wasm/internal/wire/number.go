package wire

// toFloat converts a JSON number, already checked against the grammar, to
// the nearest float64; false when it is out of range. It avoids
// strconv.ParseFloat, whose general algorithm (with strconv.Quote behind its
// errors) is 13 KB of the compressed WebAssembly binary: a number whose
// significant digits fit in 2^53, scaled by at most 10^22, is converted
// exactly here, since both factors are exact doubles and one IEEE
// multiplication or division rounds correctly (Clinger's fast path). That
// covers every number the API sends; the rest goes to parseFloat.
func toFloat(s []byte) (float64, bool) {
	i, neg := 0, s[0] == '-'
	if neg {
		i++
	}
	var mant uint64
	exp := 0
	exact := true
	digit := func(c byte) {
		switch {
		case mant > (1<<53)/10:
			exact = false
		case mant != 0 || c != '0':
			mant = mant*10 + uint64(c-'0')
		}
	}
	for ; i < len(s) && s[i] != '.' && s[i] != 'e' && s[i] != 'E'; i++ {
		digit(s[i])
	}
	if i < len(s) && s[i] == '.' {
		for i++; i < len(s) && s[i] != 'e' && s[i] != 'E'; i++ {
			digit(s[i])
			exp--
		}
	}
	if i < len(s) { // exponent
		i++
		expNeg := s[i] == '-'
		if s[i] == '-' || s[i] == '+' {
			i++
		}
		e := 0
		for ; i < len(s) && e < 10000; i++ {
			e = e*10 + int(s[i]-'0')
		}
		if expNeg {
			e = -e
		}
		exp += e
	}
	if !exact || mant > 1<<53 || (mant != 0 && (exp < -22 || exp > 22)) {
		return parseFloat(string(s))
	}
	f := float64(mant)
	switch {
	case mant == 0:
	case exp < 0:
		f /= pow10[-exp]
	default:
		f *= pow10[exp]
	}
	if neg {
		f = -f
	}
	return f, true
}

var pow10 = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}
