// compose-check loads compose.yaml with the Compose specification's reference loader
// (github.com/compose-spec/compose-go, the library docker compose itself uses), every profile
// enabled, and prints one line per service. The loader validates the file against the
// Compose JSON schema, resolves anchors, merges, interpolation and profiles, and checks the
// project's consistency (depends_on targets, volumes, networks), so a file that loads here
// loads in docker compose. test/compose.test.ts checks what faultline's services must be;
// this checks that the file is Compose. Run by .ci/run: go run . ../../compose.yaml
package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/compose-spec/compose-go/v2/cli"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: compose-check PATH/compose.yaml")
		os.Exit(2)
	}
	file, err := filepath.Abs(os.Args[1])
	if err != nil {
		fail(err)
	}
	opts, err := cli.NewProjectOptions([]string{file},
		cli.WithWorkingDirectory(filepath.Dir(file)),
		cli.WithProfiles([]string{"demo", "cluster"}),
		cli.WithInterpolation(true),
		cli.WithConsistency(true),
	)
	if err != nil {
		fail(err)
	}
	project, err := opts.LoadProject(context.Background())
	if err != nil {
		fail(err)
	}
	names := make([]string, 0, len(project.Services))
	for name := range project.Services {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		s := project.Services[name]
		fmt.Printf("%s\t%s\tprofiles=%s\tdepends_on=%d\n", name, s.Image, strings.Join(s.Profiles, ","), len(s.DependsOn))
	}
	fmt.Printf("compose-check: %s loads as project %q with %d services\n", filepath.Base(file), project.Name, len(names))
}

func fail(err error) {
	fmt.Fprintf(os.Stderr, "compose-check: %v\n", err)
	os.Exit(1)
}
