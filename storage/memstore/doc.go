// Package memstore is the in-memory storage adapter: every record in maps
// guarded by one mutex, for tests, examples and the reference server's
// "memory" mode. Transactions run one at a time and undo their writes when
// they fail, so memstore meets the whole storage contract; its records are
// lost when the process ends.
package memstore
