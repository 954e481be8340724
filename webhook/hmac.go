package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"hash"
	"sync"
)

// hmacKey is one HMAC-SHA256 key with a pool of hash states for it, so that
// signing and verifying allocate nothing per call once warm: crypto/hmac
// restores a used state from its saved inner and outer pads on Reset,
// instead of hashing the key again.
type hmacKey struct {
	key  []byte
	pool sync.Pool // of *macState
}

// macState is a pooled HMAC state with room for its sum.
type macState struct {
	h   hash.Hash
	sum [sha256.Size]byte
}

// newHMACKey returns a pool of HMAC-SHA256 states keyed with key.
func newHMACKey(key []byte) *hmacKey {
	return &hmacKey{key: key}
}

// get returns a reset state; give it back with put.
func (k *hmacKey) get() *macState {
	if s, ok := k.pool.Get().(*macState); ok {
		s.h.Reset()
		return s
	}
	return &macState{h: hmac.New(sha256.New, k.key)}
}

// put returns s to the pool.
func (k *hmacKey) put(s *macState) { k.pool.Put(s) }

// finish computes the sum of what was written to s into s.sum.
func (s *macState) finish() []byte {
	return s.h.Sum(s.sum[:0])
}
