package qrcode_test

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/png"
	"strings"
	"testing"

	"github.com/makiuchi-d/gozxing"
	zxqr "github.com/makiuchi-d/gozxing/qrcode"

	"github.com/completeevent/completeevent-go/internal/qrcode"
)

// decodePNG decodes b as a PNG image and checks it is size × size.
func decodePNG(t *testing.T, b []byte, size int) image.Image {
	t.Helper()
	cfg, format, err := image.DecodeConfig(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("image.DecodeConfig: %v", err)
	}
	if format != "png" {
		t.Fatalf("format: got %q, want png", format)
	}
	if cfg.Width != size || cfg.Height != size {
		t.Fatalf("dimensions: got %dx%d, want %dx%d", cfg.Width, cfg.Height, size, size)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("png.Decode: %v", err)
	}
	return img
}

// scan reads the QR code in img with an independent decoder (ZXing's Go
// port), as a phone would: finding the code by its finder patterns.
func scan(t *testing.T, img image.Image) *gozxing.Result {
	t.Helper()
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatalf("NewBinaryBitmapFromImage: %v", err)
	}
	hints := map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_CHARACTER_SET: "UTF-8"}
	res, err := zxqr.NewQRCodeReader().Decode(bmp, hints)
	if err != nil {
		t.Fatalf("decode QR code: %v", err)
	}
	return res
}

func dark(img image.Image, x, y int) bool {
	r, g, b, _ := img.At(x, y).RGBA()
	return r+g+b < 3*0x8000
}

func TestPNGRoundTrip(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		text string
		size int
	}{
		{"ticket code", "TKT-3F7Q9XK2M4N8P6R1", 200},
		{"guide link", "https://events.example.org/guide/q8HkT2vN5xWc7LmP3rYs9BdF", 256},
		{"digits", "0123456789012345", 120},
		{"UTF-8", "Café Ünïcode ✓ 東京", 300},
		{"long text", strings.Repeat("completeevent-", 70), 800},
		{"minimum size", "A", 29},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b, err := qrcode.PNG(tt.text, tt.size)
			if err != nil {
				t.Fatalf("PNG: %v", err)
			}
			res := scan(t, decodePNG(t, b, tt.size))
			if got := res.GetText(); got != tt.text {
				t.Errorf("decoded text: got %q, want %q", got, tt.text)
			}
			if got := res.GetBarcodeFormat(); got != gozxing.BarcodeFormat_QR_CODE {
				t.Errorf("format: got %v, want QR_CODE", got)
			}
			ec := fmt.Sprint(res.GetResultMetadata()[gozxing.ResultMetadataType_ERROR_CORRECTION_LEVEL])
			if ec != "M" {
				t.Errorf("error correction level: got %s, want M", ec)
			}
		})
	}
}

// TestPNGQuietZone checks the white border: at least QuietZone modules on
// every side, and the code centred.
func TestPNGQuietZone(t *testing.T) {
	t.Parallel()
	for _, size := range []int{29, 100, 201, 256} {
		t.Run(fmt.Sprint(size), func(t *testing.T) {
			t.Parallel()
			b, err := qrcode.PNG("TKT-3F7Q9XK2M4N8P6R1", size)
			if err != nil {
				t.Fatalf("PNG: %v", err)
			}
			img := decodePNG(t, b, size)
			minX, minY, maxX, maxY := size, size, -1, -1
			for y := range size {
				for x := range size {
					if dark(img, x, y) {
						minX, minY = min(minX, x), min(minY, y)
						maxX, maxY = max(maxX, x), max(maxY, y)
					}
				}
			}
			// The top-left finder pattern starts with a run of 7 dark
			// modules: its length is 7 module widths.
			run := 0
			for x := minX; x < size && dark(img, x, minY); x++ {
				run++
			}
			if run%7 != 0 {
				t.Fatalf("finder pattern run: got %d pixels, want a multiple of 7", run)
			}
			module := run / 7
			margins := map[string]int{"left": minX, "top": minY, "right": size - 1 - maxX, "bottom": size - 1 - maxY}
			for side, m := range margins {
				if m < qrcode.QuietZone*module {
					t.Errorf("%s margin: got %d pixels, want at least %d (%d modules of %d pixels)",
						side, m, qrcode.QuietZone*module, qrcode.QuietZone, module)
				}
			}
			if d := margins["left"] - margins["right"]; d < -1 || d > 1 {
				t.Errorf("left margin %d, right margin %d: want centred", margins["left"], margins["right"])
			}
			if d := margins["top"] - margins["bottom"]; d < -1 || d > 1 {
				t.Errorf("top margin %d, bottom margin %d: want centred", margins["top"], margins["bottom"])
			}
		})
	}
}

func TestPNGDependsOnlyOnInput(t *testing.T) {
	t.Parallel()
	a1, err := qrcode.PNG("TKT-AAAA", 200)
	if err != nil {
		t.Fatal(err)
	}
	a2, err := qrcode.PNG("TKT-AAAA", 200)
	if err != nil {
		t.Fatal(err)
	}
	b, err := qrcode.PNG("TKT-AAAB", 200)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a1, a2) {
		t.Error("same text and size: got different images, want identical bytes")
	}
	if bytes.Equal(a1, b) {
		t.Error("different texts: got identical images, want different ones")
	}
}

func TestPNGErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		text string
		size int
		want error
	}{
		{"empty text", "", 200, qrcode.ErrEmptyText},
		{"text too long", strings.Repeat("x", 3000), 2000, qrcode.ErrTextTooLong},
		{"size below modules", "TKT-3F7Q9XK2M4N8P6R1", 28, qrcode.ErrSizeTooSmall},
		{"zero size", "A", 0, qrcode.ErrSizeTooSmall},
		{"negative size", "A", -5, qrcode.ErrSizeTooSmall},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b, err := qrcode.PNG(tt.text, tt.size)
			if !errors.Is(err, tt.want) {
				t.Fatalf("PNG: got error %v, want %v", err, tt.want)
			}
			if b != nil {
				t.Errorf("got %d bytes with the error, want none", len(b))
			}
		})
	}
}
