// Command icons draws the extension's toolbar and store icons (a rounded
// teal square with a white note line pattern) as PNGs into a directory, so
// the build needs no binary assets in the repository.
package main

import (
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
)

var (
	teal  = color.NRGBA{R: 0x0f, G: 0x76, B: 0x6e, A: 0xff}
	white = color.NRGBA{R: 0xff, G: 0xff, B: 0xff, A: 0xff}
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: icons DIR")
		os.Exit(2)
	}
	for _, size := range []int{16, 32, 48, 128} {
		if err := write(filepath.Join(os.Args[1], fmt.Sprintf("%d.png", size)), draw(size)); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
}

func draw(size int) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	r := float64(size) / 5 // corner radius
	for y := range size {
		for x := range size {
			if insideRounded(float64(x)+0.5, float64(y)+0.5, float64(size), r) {
				img.SetNRGBA(x, y, teal)
			}
		}
	}
	// Three text lines, the last one shorter: a note.
	margin, thick := size/4, max(1, size/12)
	for i, frac := range []float64{1, 1, 0.6} {
		y0 := margin + i*(size-2*margin)/3 + thick/2
		x1 := margin + int(frac*float64(size-2*margin))
		for y := y0; y < y0+thick && y < size; y++ {
			for x := margin; x < x1; x++ {
				img.SetNRGBA(x, y, white)
			}
		}
	}
	return img
}

func insideRounded(x, y, size, r float64) bool {
	cx := min(max(x, r), size-r)
	cy := min(max(y, r), size-r)
	return (x-cx)*(x-cx)+(y-cy)*(y-cy) <= r*r
}

func write(path string, img image.Image) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := png.Encode(f, img); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
