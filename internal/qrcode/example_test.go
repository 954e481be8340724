package qrcode_test

import (
	"bytes"
	"fmt"
	"image"
	_ "image/png"
	"log"

	"github.com/completeevent/completeevent-go/internal/qrcode"
)

func ExamplePNG() {
	b, err := qrcode.PNG("TKT-3F7Q9XK2M4N8P6R1", 240)
	if err != nil {
		log.Fatal(err)
	}
	// Serve b as image/png, or attach it inline to an e-mail.
	cfg, format, err := image.DecodeConfig(bytes.NewReader(b))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s %dx%d\n", format, cfg.Width, cfg.Height)
	// Output: png 240x240
}
