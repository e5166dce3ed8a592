// Package audiotest makes the sounds browser tests feed to Chromium's fake
// microphone (or play in a page) and checks what came back: WAV tones,
// ffmpeg decoding and a Goertzel check of which tones a recording holds.
package audiotest

import (
	"encoding/binary"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"

	"github.com/sidenote/sidenote/internal/browsertest"
)

// Rate is the sample rate of the WAVs made here and of Decode's samples.
const Rate = 16000

// WAV returns a PCM WAV file (16 kHz, mono, 16-bit) of samples.
func WAV(samples []int16) []byte {
	data := make([]byte, 2*len(samples))
	for i, v := range samples {
		binary.LittleEndian.PutUint16(data[2*i:], uint16(v))
	}
	h := make([]byte, 44)
	copy(h[0:], "RIFF")
	binary.LittleEndian.PutUint32(h[4:], uint32(36+len(data)))
	copy(h[8:], "WAVEfmt ")
	binary.LittleEndian.PutUint32(h[16:], 16)
	binary.LittleEndian.PutUint16(h[20:], 1) // PCM
	binary.LittleEndian.PutUint16(h[22:], 1) // mono
	binary.LittleEndian.PutUint32(h[24:], Rate)
	binary.LittleEndian.PutUint32(h[28:], 2*Rate) // byte rate
	binary.LittleEndian.PutUint16(h[32:], 2)
	binary.LittleEndian.PutUint16(h[34:], 16)
	copy(h[36:], "data")
	binary.LittleEndian.PutUint32(h[40:], uint32(len(data)))
	return append(h, data...)
}

// Tone returns a WAV file of a sine tone of hz lasting seconds.
func Tone(hz float64, seconds int) []byte {
	samples := make([]int16, Rate*seconds)
	for i := range samples {
		samples[i] = int16(8000 * math.Sin(2*math.Pi*hz*float64(i)/Rate))
	}
	return WAV(samples)
}

// Decode decodes audio (any format ffmpeg reads) into 16 kHz mono
// samples. Without ffmpeg the test is skipped, or fails under
// REQUIRE_BROWSER=1.
func Decode(t testing.TB, audio []byte) []float64 {
	t.Helper()
	ffmpeg, err := exec.LookPath("ffmpeg")
	if err != nil {
		if browsertest.Required() {
			t.Fatal("ffmpeg is not installed (apt-get install ffmpeg)")
		}
		t.Skip("ffmpeg is not installed")
	}
	file := filepath.Join(t.TempDir(), "recording")
	if err := os.WriteFile(file, audio, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(ffmpeg, "-v", "error", "-i", file, "-ac", "1", "-ar", "16000", "-f", "s16le", "-").Output()
	if err != nil {
		t.Fatalf("ffmpeg could not decode the recording (%d bytes): %v", len(audio), err)
	}
	samples := make([]float64, len(out)/2)
	for i := range samples {
		samples[i] = float64(int16(binary.LittleEndian.Uint16(out[2*i:])))
	}
	return samples
}

// CheckTones checks that each tone of hzs stands at least minDB above
// the median of the spectrum away from the tones, and returns each
// tone's margin in dB.
func CheckTones(t testing.TB, samples []float64, minDB float64, hzs ...float64) []float64 {
	t.Helper()
	var floor []float64
	for hz := 150.0; hz < 4000; hz += 37 {
		if !slices.ContainsFunc(hzs, func(tone float64) bool { return math.Abs(hz-tone) <= 60 }) {
			floor = append(floor, GoertzelDB(samples, hz))
		}
	}
	slices.Sort(floor)
	median := floor[len(floor)/2]
	margins := make([]float64, len(hzs))
	for i, hz := range hzs {
		margins[i] = GoertzelDB(samples, hz) - median
		if margins[i] < minDB {
			t.Errorf("%v Hz is %.0f dB above the spectrum's median, want a tone (≥ %.0f dB)", hz, margins[i], minDB)
		} else {
			t.Logf("%v Hz: %.0f dB above the median", hz, margins[i])
		}
	}
	return margins
}

// GoertzelDB is the power of frequency hz in 16 kHz samples, in dB.
func GoertzelDB(samples []float64, hz float64) float64 {
	coeff := 2 * math.Cos(2*math.Pi*hz/Rate)
	var s1, s2 float64
	for _, x := range samples {
		s1, s2 = x+coeff*s1-s2, s1
	}
	return 10 * math.Log10(s1*s1+s2*s2-coeff*s1*s2+1e-9)
}
