package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/dap-ptrace/dap-ptrace/internal/daptest"
)

// nvimDapDir finds nvim-dap (commit 55e3a7f, the newest that runs on Debian
// 12's Neovim 0.7.2). It is GPL-3.0, a test tool only, so it is never
// copied into this repository and no registry ships it: it comes from
// $DAPT_NVIM_DAP or from the shared clients beside the checkout
// (../shared/clients/nvim-dap), which the project's machines and CI have.
func nvimDapDir(t *testing.T) string {
	t.Helper()
	candidates := []string{os.Getenv("DAPT_NVIM_DAP")}
	if root, err := filepath.Abs(".."); err == nil {
		candidates = append(candidates, filepath.Join(root, "..", "shared", "clients", "nvim-dap"))
	}
	for _, dir := range candidates {
		if dir == "" {
			continue
		}
		if _, err := os.Stat(filepath.Join(dir, "lua", "dap.lua")); err == nil {
			abs, err := filepath.Abs(dir)
			if err != nil {
				t.Fatal(err)
			}
			return abs
		}
	}
	t.Skip("nvim-dap not found: set DAPT_NVIM_DAP to a checkout of nvim-dap 55e3a7f, or have ../shared/clients/nvim-dap beside the repository")
	return ""
}

// readmeNvimConfig returns the README's nvim-dap configuration, the first
// lua block under "### nvim-dap", with the adapter's path filled in: the
// test runs the configuration users copy, so the two cannot drift apart.
func readmeNvimConfig(t *testing.T, adapter string) string {
	t.Helper()
	readme, err := os.ReadFile(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(readme), "\n### nvim-dap\n")
	if !ok {
		t.Fatal("README.md has no \"### nvim-dap\" section")
	}
	_, block, ok := strings.Cut(section, "```lua\n")
	if !ok {
		t.Fatal("README.md's nvim-dap section has no lua block")
	}
	block, _, ok = strings.Cut(block, "```")
	if !ok {
		t.Fatal("README.md's nvim-dap lua block is not closed")
	}
	const placeholder = "'/path/to/dap-ptrace'"
	if !strings.Contains(block, placeholder) {
		t.Fatalf("README.md's nvim-dap configuration does not name the adapter as %s", placeholder)
	}
	return strings.Replace(block, placeholder, fmt.Sprintf("%q", adapter), 1)
}

// transcriptEntry is one line the Lua script wrote; fields are per "what".
type transcriptEntry struct {
	What     string            `json:"what"`
	Reason   string            `json:"reason"`
	Line     int               `json:"line"`
	Name     string            `json:"name"`
	Path     string            `json:"path"`
	Frames   []string          `json:"frames"`
	Names    []string          `json:"names"`
	Vars     map[string]string `json:"vars"`
	Code     *int              `json:"code"`
	Stdout   string            `json:"stdout"`
	PID      int               `json:"pid"`
	Message  string            `json:"message"`
	ThreadID int               `json:"threadId"`
}

// TestNvimDap drives the adapter from nvim-dap in a headless Neovim, with
// the README's configuration: a launch with args and env, a breakpoint set
// on a buffer line, the stack, scopes and locals, next, continue to the exit
// code and output, the session closed with nothing left running; then an
// attach to a running process, a breakpoint hit there and a detach that
// leaves the process running.
func TestNvimDap(t *testing.T) {
	f := buildC(t, "clients")
	spin := buildC(t, "spin")

	// The process to attach to, started here so the test owns it.
	victim := exec.Command(spin.bin, "1")
	victimOut, err := victim.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := victim.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		victim.Process.Kill()
		victim.Wait()
	})
	ticks := bufio.NewScanner(victimOut)
	if !ticks.Scan() || !strings.HasPrefix(ticks.Text(), "ready ") {
		t.Fatalf("spin did not start: %q", ticks.Text())
	}

	entries, outErr := runNvim(t, "nvim_dap.lua",
		"DAPT_PROGRAM="+f.bin,
		"DAPT_SOURCE="+f.src,
		"DAPT_ATTACH_PID="+fmt.Sprint(victim.Process.Pid),
		"DAPT_ATTACH_SOURCE="+spin.src)
	get := func(what string) transcriptEntry {
		t.Helper()
		for _, e := range entries {
			if e.What == what {
				return e
			}
		}
		for _, e := range entries {
			if e.What == "error" {
				t.Fatalf("the Lua script failed before %q: %s", what, e.Message)
			}
		}
		t.Fatalf("no %q in the transcript: %+v\nnvim said: %s", what, entries, outErr)
		return transcriptEntry{}
	}

	if st := get("stopped"); st.Reason != "breakpoint" || st.ThreadID == 0 {
		t.Errorf("stopped: %+v", st)
	}
	debuggee := get("process").PID
	if debuggee <= 0 {
		t.Errorf("no process event with the debuggee's pid")
	}
	stack := get("stack")
	if len(stack.Frames) < 2 || stack.Frames[0] != "scale" || stack.Frames[1] != "main" ||
		stack.Line != f.line(t, "BP:scale") || stack.Path != f.src {
		t.Errorf("stack: %+v", stack)
	}
	scopes := get("scopes")
	if strings.Join(scopes.Names, ",") != "Locals,Arguments,Registers,Globals" {
		t.Errorf("scopes %v", scopes.Names)
	}
	if scopes.Vars["x"] != "7" || scopes.Vars["by"] != "3" {
		t.Errorf("arguments x and by: %v, want 7 and 3", scopes.Vars)
	}
	if next := get("next"); next.Reason != "step" || next.Name != "scale" || next.Line != f.line(t, "BP:scaled") ||
		next.Vars["scaled"] != "21" {
		t.Errorf("after next: %+v, want scale at line %d with scaled 21", next, f.line(t, "BP:scaled"))
	}
	exited := get("exited")
	if exited.Code == nil || *exited.Code != 21 {
		t.Errorf("exit code %v, want 21", exited.Code)
	}
	if exited.Stdout != "hello from nvim: 21\n" {
		t.Errorf("stdout %q", exited.Stdout)
	}
	get("closed")
	if debuggee > 0 {
		if err := syscall.Kill(debuggee, 0); !errors.Is(err, syscall.ESRCH) {
			t.Errorf("debuggee %d still exists after the session closed (kill 0: %v)", debuggee, err)
		}
	}

	if at := get("attached"); at.Reason != "breakpoint" || at.Name != "main" || at.Line != spin.line(t, "BP:tick") {
		t.Errorf("attach: %+v, want a breakpoint stop in main at line %d", at, spin.line(t, "BP:tick"))
	}
	get("detached")
	get("done")
	// Detached, the process runs on: it prints another tick.
	if !ticks.Scan() {
		t.Errorf("the attached process stopped printing after the detach: %v", ticks.Err())
	}
}

func readTranscript(t *testing.T, path string) []transcriptEntry {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("no transcript from the Lua script: %v", err)
	}
	var entries []transcriptEntry
	for line := range strings.Lines(string(raw)) {
		var e transcriptEntry
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("transcript line %q: %v", line, err)
		}
		t.Logf("nvim-dap transcript: %s", strings.TrimSpace(line))
		entries = append(entries, e)
	}
	return entries
}

// TestNvimDapFork debugs a program that forks from nvim-dap, with the
// README's configuration: nvim-dap starts a child session for each child
// at the adapter's startDebugging request; the forked child stops at the
// breakpoint in its own session, the parent at its own, and every session
// ends with its process's exit code.
func TestNvimDapFork(t *testing.T) {
	f := buildC(t, "fork")
	entries, outErr := runNvim(t, "nvim_fork.lua", "DAPT_PROGRAM="+f.bin, "DAPT_SOURCE="+f.src)
	seen := map[string][]transcriptEntry{}
	for _, e := range entries {
		seen[e.What] = append(seen[e.What], e)
		if e.What == "error" {
			t.Fatalf("the Lua script failed: %s\nnvim said: %s", e.Message, outErr)
		}
	}
	line := f.line(t, "BP:work")
	if c := seen["child-stopped"]; len(c) != 1 || c[0].Name != "work" || c[0].Line != line {
		t.Errorf("child stop: %+v, want work at line %d", c, line)
	}
	if p := seen["parent-stopped"]; len(p) != 1 || p[0].Name != "work" || p[0].Line != line {
		t.Errorf("parent stop: %+v, want work at line %d", p, line)
	}
	codes := map[int]bool{}
	for _, e := range seen["child-exited"] {
		if e.Code != nil {
			codes[*e.Code] = true
		}
	}
	// system()'s shell exits 0, the forked child 3.
	if !codes[0] || !codes[3] {
		t.Errorf("child sessions' exit codes %v, want 0 (the shell) and 3 (the child)", seen["child-exited"])
	}
	if p := seen["parent-exited"]; len(p) != 1 || p[0].Code == nil || *p[0].Code != 0 {
		t.Errorf("parent exit: %+v", p)
	}
}

// runNvim runs a Lua script of testdata in a headless Neovim with nvim-dap
// and the README's configuration (skipping the test without them), with
// env added to the environment, and returns its transcript and output.
func runNvim(t *testing.T, script string, env ...string) ([]transcriptEntry, []byte) {
	t.Helper()
	nvim, err := exec.LookPath("nvim")
	if err != nil {
		t.Skip("nvim not installed (Debian's neovim package; .ci/run installs it)")
	}
	pluginDir := nvimDapDir(t)
	dir := t.TempDir()
	config := filepath.Join(dir, "readme-config.lua")
	if err := os.WriteFile(config, []byte(readmeNvimConfig(t, daptest.BuildAdapter(t))), 0o644); err != nil {
		t.Fatal(err)
	}
	path, err := filepath.Abs(filepath.Join("testdata", script))
	if err != nil {
		t.Fatal(err)
	}
	common, err := filepath.Abs(filepath.Join("testdata", "nvim_common.lua"))
	if err != nil {
		t.Fatal(err)
	}
	transcript := filepath.Join(dir, "transcript.jsonl")
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, nvim, "--headless", "-u", "NONE", "-i", "NONE",
		"--cmd", "set rtp+="+pluginDir, "-c", "luafile "+path)
	cmd.Dir = dir
	cmd.Env = append(append(os.Environ(),
		"DAPT_CONFIG="+config,
		"DAPT_COMMON="+common,
		"DAPT_TRANSCRIPT="+transcript,
		// nvim-dap's log and Neovim's state stay in the test's directory.
		"XDG_CACHE_HOME="+filepath.Join(dir, "cache"),
		"XDG_STATE_HOME="+filepath.Join(dir, "state"),
		"XDG_DATA_HOME="+filepath.Join(dir, "data"),
	), env...)
	out, runErr := cmd.CombinedOutput()
	entries := readTranscript(t, transcript)
	if runErr != nil {
		t.Errorf("nvim: %v\n%s", runErr, out)
	}
	return entries, out
}
