package storage

import "time"

// Precision is the resolution of every stored time.
const Precision = time.Microsecond

// NormalizeTime returns t in UTC truncated to Precision, the form every
// adapter stores and returns; the zero time stays zero.
func NormalizeTime(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC().Truncate(Precision)
}
