package backoff

import (
	"testing"
	"time"
)

func TestJittered(t *testing.T) {
	tests := []struct {
		attempts int
		low      time.Duration // the wait is in [low, 2×low]
	}{
		{1, 15 * time.Second},
		{2, 30 * time.Second},
		{3, time.Minute},
		{8, 30 * time.Minute}, // 30 s × 2^7 = 64 min, capped at 1 h
		{60, 30 * time.Minute},
	}
	for _, tc := range tests {
		for range 200 {
			got := Jittered(tc.attempts, 30*time.Second, time.Hour)
			if got < tc.low || got > 2*tc.low {
				t.Fatalf("Jittered(%d, 30s, 1h) = %v, want within [%v, %v]", tc.attempts, got, tc.low, 2*tc.low)
			}
		}
	}
}

func TestOr(t *testing.T) {
	for _, tc := range []struct{ d, want time.Duration }{{0, time.Minute}, {-time.Second, time.Minute}, {time.Second, time.Second}} {
		if got := Or(tc.d, time.Minute); got != tc.want {
			t.Errorf("Or(%v, 1m) = %v, want %v", tc.d, got, tc.want)
		}
	}
}
