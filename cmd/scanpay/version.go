package main

import (
	"fmt"
	"io"
	"runtime/debug"
)

// version prints what this binary was built from (see versionText).
func version(stdout io.Writer) error {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return fmt.Errorf("this binary carries no build information")
	}
	_, err := io.WriteString(stdout, versionText(info))
	return err
}

// versionText names the module and its version, the VCS commit (with its
// time, and whether the tree had uncommitted changes) and the Go version.
// A `go build` inside a git checkout records the commit and a
// pseudo-version; `go install module@version` records the version;
// whatever the build did not record is "unknown".
func versionText(info *debug.BuildInfo) string {
	setting := map[string]string{}
	for _, s := range info.Settings {
		setting[s.Key] = s.Value
	}
	commit := or(setting["vcs.revision"], "unknown")
	if t := setting["vcs.time"]; t != "" {
		commit += " (" + t + ")"
	}
	if setting["vcs.modified"] == "true" {
		commit += " with uncommitted changes"
	}
	return fmt.Sprintf("scanpay %s\nmodule  %s\ncommit  %s\ngo      %s\n",
		or(info.Main.Version, "unknown"), or(info.Main.Path, "unknown"), commit, info.GoVersion)
}

func or(v, fallback string) string {
	if v == "" {
		return fallback
	}
	return v
}
