// Package importrules holds no code: its test enforces the import rules of
// the project's design (DESIGN §2), so that they hold by test, not by hope.
package importrules
