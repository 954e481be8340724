package importrules_test

import (
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/completeevent/completeevent-go"

// packageDeps returns every package of the module with the packages it
// reaches, ours and third parties', without the standard library.
func packageDeps(t *testing.T) map[string][]string {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is needed to list dependencies: %v", err)
	}
	out, err := exec.Command(goTool, "list", "-f",
		`{{.ImportPath}}{{range .Deps}} {{.}}{{end}}`, module+"/...").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	deps := map[string][]string{}
	for line := range strings.Lines(string(out)) {
		fields := strings.Fields(line)
		if len(fields) == 0 {
			continue
		}
		for _, d := range fields[1:] {
			if isNonStandard(d) {
				deps[fields[0]] = append(deps[fields[0]], d)
			}
		}
		if _, ok := deps[fields[0]]; !ok {
			deps[fields[0]] = nil
		}
	}
	return deps
}

// isNonStandard reports whether path is outside the standard library: its
// first element has a dot, as module paths do.
func isNonStandard(path string) bool {
	first, _, _ := strings.Cut(path, "/")
	return strings.Contains(first, ".")
}

func ours(rel string) string { return module + "/" + rel }

// under reports whether path is the package rel of the module or below it.
func under(path, rel string) bool {
	p := ours(rel)
	return path == p || strings.HasPrefix(path, p+"/")
}

// stdlibOnlyInternal lists the internal packages that use nothing but the
// standard library, so receivers' packages may import them.
func stdlibOnlyInternal(deps map[string][]string, path string) bool {
	if !under(path, "internal") {
		return false
	}
	return len(deps[path]) == 0
}

func TestImportRules(t *testing.T) {
	t.Parallel()
	deps := packageDeps(t)
	rules := []struct {
		name string
		// applies says which of our packages the rule constrains.
		applies func(pkg string) bool
		// allowed says which non-standard dependency they may reach.
		allowed func(dep string) bool
	}{
		{
			"completeevent reaches only the standard library",
			func(p string) bool { return p == ours("completeevent") },
			func(string) bool { return false },
		},
		{
			"webhook (what receivers import) reaches only completeevent, golang.org/x/sync and stdlib-only internal packages",
			func(p string) bool { return p == ours("webhook") },
			func(d string) bool {
				return d == ours("completeevent") || strings.HasPrefix(d, "golang.org/x/sync/") ||
					stdlibOnlyInternal(deps, d)
			},
		},
		{
			"storage holds interfaces only: it reaches completeevent alone",
			func(p string) bool { return p == ours("storage") },
			func(d string) bool { return d == ours("completeevent") },
		},
		{
			"services never reach a storage adapter, bun or a driver",
			func(p string) bool {
				return under(p, "ticketing") || under(p, "recurrence") || under(p, "webhook/outbox")
			},
			func(d string) bool {
				return !under(d, "storage/memstore") && !under(d, "storage/sqlitestore") &&
					!under(d, "storage/pgstore") && !under(d, "internal/bunstore") &&
					!strings.HasPrefix(d, "github.com/uptrace/") && !strings.HasPrefix(d, "modernc.org/")
			},
		},
		{
			"storage adapters never reach each other or the services",
			func(p string) bool { return under(p, "storage/") && !under(p, "storage/storagetest") },
			func(d string) bool {
				return !under(d, "ticketing") && !under(d, "recurrence") && !under(d, "webhook/outbox") &&
					!under(d, "examples")
			},
		},
		{
			"the SQLite adapter never reaches PostgreSQL's driver",
			func(p string) bool { return under(p, "storage/sqlitestore") },
			func(d string) bool {
				return !under(d, "storage/pgstore") && !strings.HasPrefix(d, "github.com/uptrace/bun/driver/pgdriver")
			},
		},
		{
			"the PostgreSQL adapter never reaches SQLite's driver",
			func(p string) bool { return under(p, "storage/pgstore") },
			func(d string) bool { return !under(d, "storage/sqlitestore") && !strings.HasPrefix(d, "modernc.org/") },
		},
		{
			"nothing imports examples",
			func(p string) bool { return !under(p, "examples") },
			func(d string) bool { return !under(d, "examples") },
		},
	}
	for _, rule := range rules {
		for pkg, reached := range deps {
			if !rule.applies(pkg) {
				continue
			}
			for _, d := range reached {
				if !rule.allowed(d) {
					t.Errorf("%s: %s reaches %s", rule.name, pkg, d)
				}
			}
		}
	}
	for _, pkg := range []string{"completeevent", "webhook", "storage"} {
		if _, ok := deps[ours(pkg)]; !ok {
			t.Errorf("go list did not list %s: the rules above checked nothing for it", ours(pkg))
		}
	}
}
