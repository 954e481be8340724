package webhook_test

import (
	"os/exec"
	"strings"
	"testing"
)

// module is the path of this module.
const module = "github.com/completeevent/completeevent-go"

// TestDependencies enforces the import rule of DESIGN §2: what a webhook
// receiver imports (webhook, and completeevent under it) reaches nothing but
// the standard library, golang.org/x/sync and our own packages completeevent
// and internal/..., which this check covers transitively, so an internal
// helper that reached further would fail it too.
func TestDependencies(t *testing.T) {
	t.Parallel()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is needed to list dependencies: %v", err)
	}
	for _, pkg := range []string{module + "/webhook", module + "/completeevent"} {
		t.Run(strings.TrimPrefix(pkg, module+"/"), func(t *testing.T) {
			t.Parallel()
			out, err := exec.Command(goTool, "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", pkg).CombinedOutput()
			if err != nil {
				t.Fatalf("go list -deps %s: %v\n%s", pkg, err, out)
			}
			for _, dep := range strings.Fields(string(out)) {
				if !allowedDependency(dep) {
					t.Errorf("%s depends on %s, want only the standard library, golang.org/x/sync, %s/completeevent and %s/internal/...", pkg, dep, module, module)
				}
			}
		})
	}
}

// allowedDependency reports whether a non-standard package may be reached
// from webhook or completeevent.
func allowedDependency(path string) bool {
	switch {
	case path == module+"/webhook", path == module+"/completeevent":
		return true
	case strings.HasPrefix(path, module+"/internal/"):
		return true
	case path == "golang.org/x/sync" || strings.HasPrefix(path, "golang.org/x/sync/"):
		return true
	}
	return false
}

func TestAllowedDependency(t *testing.T) {
	t.Parallel()
	tests := []struct {
		path string
		want bool
	}{
		{module + "/webhook", true},
		{module + "/completeevent", true},
		{module + "/internal/clock", true},
		{"golang.org/x/sync/errgroup", true},
		{module + "/storage", false},
		{module + "/webhook/outbox", false},
		{module + "/internal", false},
		{"github.com/uptrace/bun", false},
		{"modernc.org/sqlite", false},
		{"github.com/stripe/stripe-go/v82", false},
		{"golang.org/x/syncx", false},
	}
	for _, tt := range tests {
		if got := allowedDependency(tt.path); got != tt.want {
			t.Errorf("allowedDependency(%q): got %v, want %v", tt.path, got, tt.want)
		}
	}
}
