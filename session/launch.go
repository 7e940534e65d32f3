package session

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/dap-ptrace/dap-ptrace/dap"
	"github.com/dap-ptrace/dap-ptrace/proc"
	godap "github.com/google/go-dap"
)

func (s *Session) registerLaunch() {
	dap.Handle(s.mux, "launch", s.launch)
	dap.Handle(s.mux, "attach", s.attach)
}

// launchArgs are the launch fields we understand (lldb-dap's names); the
// client's own keys (name, type, request, ...) are ignored.
type launchArgs struct {
	Program     string   `json:"program"`
	Args        []string `json:"args"`
	Cwd         string   `json:"cwd"`
	Env         envArg   `json:"env"`
	StopOnEntry bool     `json:"stopOnEntry"`
	NoDebug     bool     `json:"noDebug"`
	// Console is "internalConsole" (the default: output events) or
	// "integratedTerminal"/"externalTerminal" (runInTerminal).
	Console   string       `json:"console"`
	SourceMap sourceMapArg `json:"sourceMap"`
	// SoftwareWatchpoints forces software data breakpoints: true or
	// "page" (page protection), "step" (single-stepping).
	SoftwareWatchpoints json.RawMessage `json:"softwareWatchpoints"`
	// HideSystemGoroutines leaves the Go runtime's own goroutines out of
	// the thread list (Delve's name).
	HideSystemGoroutines bool `json:"hideSystemGoroutines"`
	childArgs
}

// sourceMapArg accepts lldb-dap's [["compiled", "local"], ...] and the
// object form {"compiled": "local"} of cpptools' sourceFileMap.
type sourceMapArg proc.SourceMap

func (m *sourceMapArg) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	var pairs [][]string
	if err := json.Unmarshal(b, &pairs); err == nil {
		for _, p := range pairs {
			if len(p) != 2 {
				return fmt.Errorf(`each "sourceMap" entry is a pair ["path as compiled", "path here"]`)
			}
			*m = append(*m, [2]string{p[0], p[1]})
		}
		return nil
	}
	var obj map[string]string
	if err := json.Unmarshal(b, &obj); err != nil {
		return fmt.Errorf(`"sourceMap" must be [["path as compiled", "path here"], ...] or {"path as compiled": "path here"}`)
	}
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		*m = append(*m, [2]string{k, obj[k]})
	}
	return nil
}

// envArg accepts the environment as an object {"K": "V"} or as an array
// ["K=V"]; either adds to (and overrides) the adapter's own environment.
type envArg []string

func (e *envArg) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	var list []string
	if err := json.Unmarshal(b, &list); err == nil {
		*e = list
		return nil
	}
	var obj map[string]*string
	if err := json.Unmarshal(b, &obj); err != nil {
		return fmt.Errorf(`"env" must be an object {"NAME": "value"} or an array ["NAME=value"]`)
	}
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if obj[k] != nil {
			*e = append(*e, k+"="+*obj[k])
		}
	}
	return nil
}

// merged returns the adapter's environment overridden by e.
func (e envArg) merged() []string {
	env := os.Environ()
	idx := map[string]int{}
	for i, kv := range env {
		k, _, _ := strings.Cut(kv, "=")
		idx[k] = i
	}
	for _, kv := range e {
		k, _, _ := strings.Cut(kv, "=")
		if i, ok := idx[k]; ok {
			env[i] = kv
		} else {
			idx[k] = len(env)
			env = append(env, kv)
		}
	}
	return env
}

func (s *Session) launch(req *dap.Request, args launchArgs) (struct{}, error) {
	if s.started {
		return struct{}{}, &Error{ID: errIDLaunch, Err: fmt.Errorf("this session is already debugging a process")}
	}
	s.dbg.SetSourceMap(proc.SourceMap(args.SourceMap))
	cfg := proc.LaunchConfig{
		Program:     args.Program,
		Args:        args.Args,
		Cwd:         args.Cwd,
		Env:         args.Env.merged(),
		StopOnEntry: args.StopOnEntry,
	}
	var pid int
	var err error
	switch args.Console {
	case "", "internalConsole":
		pid, err = s.dbg.Launch(cfg)
	case "integratedTerminal", "externalTerminal":
		if !s.client.SupportsRunInTerminalRequest {
			pid, err = s.dbg.Launch(cfg) // the client has no terminal to offer
			break
		}
		if cfg.Program, err = proc.CheckProgram(args.Program, args.Cwd); err == nil {
			pid, err = s.launchInTerminal(args, cfg)
		}
	default:
		err = fmt.Errorf(`"console" is %q; use "internalConsole", "integratedTerminal" or "externalTerminal"`, args.Console)
	}
	if err != nil {
		return struct{}{}, &Error{ID: errIDLaunch, Err: err}
	}
	s.started, s.stopOnEntry = true, args.StopOnEntry
	if err := s.dbg.Configure(proc.SessionConfig{FollowForks: s.follow(args.childArgs, args.Program),
		HideSystemGoroutines: args.HideSystemGoroutines, WatchMode: watchMode(args.SoftwareWatchpoints)}); err != nil {
		s.conn.SendEvent("output", godap.OutputEventBody{Category: "important", Output: err.Error() + "\n"})
	}
	name := args.Program
	if abs, err := filepath.Abs(name); err == nil {
		name = abs
	}
	req.AfterResponse(func() { s.announce(name, pid, "launch") })
	return struct{}{}, nil
}

// attachArgs accepts lldb-dap's "pid" and the "processId" other clients use.
type attachArgs struct {
	Pid         int          `json:"pid"`
	ProcessID   int          `json:"processId"`
	StopOnEntry bool         `json:"stopOnEntry"`
	SourceMap   sourceMapArg `json:"sourceMap"`
	// HideSystemGoroutines: as for launch.
	HideSystemGoroutines bool `json:"hideSystemGoroutines"`
	childArgs
}

func (s *Session) attach(req *dap.Request, args attachArgs) (struct{}, error) {
	if s.started {
		return struct{}{}, &Error{ID: errIDAttach, Err: fmt.Errorf("this session is already debugging a process")}
	}
	pid := args.Pid
	if pid == 0 {
		pid = args.ProcessID
	}
	if pid <= 0 {
		return struct{}{}, &Error{ID: errIDAttach, Err: fmt.Errorf(`attach needs "pid": the id of the process to debug`)}
	}
	if err := notTraced(pid); err != nil {
		return struct{}{}, &Error{ID: errIDAttach, Err: err}
	}
	s.dbg.SetSourceMap(proc.SourceMap(args.SourceMap))
	if err := s.dbg.Attach(pid); err != nil {
		return struct{}{}, &Error{ID: errIDAttach, Err: err}
	}
	s.started, s.attached, s.stopOnEntry = true, true, args.StopOnEntry
	name, err := os.Readlink(fmt.Sprintf("/proc/%d/exe", pid))
	if err != nil {
		name = fmt.Sprintf("process %d", pid)
	}
	_ = s.dbg.Configure(proc.SessionConfig{FollowForks: s.follow(args.childArgs, name), HideSystemGoroutines: args.HideSystemGoroutines})
	req.AfterResponse(func() { s.announce(name, pid, "attach") })
	return struct{}{}, nil
}

// announce sends the process event and then initialized: the client may
// now send its breakpoints, then configurationDone.
func (s *Session) announce(name string, pid int, method string) {
	s.conn.SendEvent("process", godap.ProcessEventBody{
		Name:            name,
		SystemProcessId: pid,
		IsLocalProcess:  true,
		StartMethod:     method,
		PointerSize:     64,
	})
	if threads, err := s.dbg.Threads(); err == nil {
		for _, t := range threads {
			s.conn.SendEvent("thread", godap.ThreadEventBody{Reason: "started", ThreadId: t.ID})
		}
	}
	s.conn.SendEvent("initialized", nil)
}

// notTraced refuses a process that a debugger already traces, saying
// which: the kernel's answer (EPERM) reads like a permission problem. A
// second client of a --listen adapter that tries to take over another
// client's program gets here.
func notTraced(pid int) error {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return nil // the attach says what is wrong
	}
	var tracer int
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "TracerPid:"); ok {
			tracer, _ = strconv.Atoi(strings.TrimSpace(v))
		}
	}
	if tracer == 0 {
		return nil
	}
	// TracerPid is the tracing thread: one of ours when another session
	// of this process holds it.
	if _, err := os.Stat(fmt.Sprintf("/proc/self/task/%d", tracer)); err == nil {
		return fmt.Errorf("process %d is busy: another session of this adapter is debugging it; only one client can debug a process", pid)
	}
	name := "another debugger"
	if comm, err := os.ReadFile(fmt.Sprintf("/proc/%d/comm", tracer)); err == nil {
		name = strings.TrimSpace(string(comm))
	}
	return fmt.Errorf("process %d is busy: %s (pid %d) is debugging it; only one debugger can trace a process", pid, name, tracer)
}
