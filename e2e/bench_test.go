package e2e

import (
	"bufio"
	"bytes"
	"debug/elf"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/dap-ptrace/dap-ptrace/internal/daptest"
	"github.com/dap-ptrace/dap-ptrace/symbols"
	"golang.org/x/sys/unix"
)

// The benchmarks measure through the adapter over DAP and, beside each, the
// raw floor the kernel allows, in the same run: compare the two figures.

func loopFixture(b *testing.B) fixture {
	return buildC(b, "loop", "-g", "-O0", "-no-pie")
}

// BenchmarkBreakpointHitDAP is one continue → stopped round trip at a
// breakpoint in a hot loop, through the adapter. The timed loop speaks DAP
// through rawClient, which neither decodes nor validates: what is measured
// is the adapter, not the test's JSON handling.
func BenchmarkBreakpointHitDAP(b *testing.B) {
	f := loopFixture(b)
	raw := startRaw(b, f)
	raw.send(raw.request("setBreakpoints", fmt.Sprintf(`{"source":{"path":%q},"breakpoints":[{"line":%d}]}`, f.src, f.line(b, "BP:hot"))))
	raw.until(b, `"command":"setBreakpoints"`)
	cont := raw.request("continue", fmt.Sprintf(`{"threadId":%d}`, raw.tid))
	raw.roundTrips(b, cont, `"event":"stopped"`)
	raw.close(b)
}

// BenchmarkBreakpointHitFloor is the same hit with no debugger at all: a
// bare trap, rewind, restore, single-step, re-insert, continue loop on one
// locked thread.
func BenchmarkBreakpointHitFloor(b *testing.B) {
	f := loopFixture(b)
	addr := lineAddr(b, f, "BP:hot")
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	pid := startTraced(b, f.bin)
	defer func() { _ = unix.Kill(pid, unix.SIGKILL); _, _ = unix.Wait4(pid, nil, 0, nil) }()
	mem, err := os.OpenFile("/proc/"+itoa(pid)+"/mem", os.O_RDWR, 0)
	if err != nil {
		b.Fatal(err)
	}
	defer mem.Close()
	orig := make([]byte, 1)
	if _, err := mem.ReadAt(orig, int64(addr)); err != nil {
		b.Fatal(err)
	}
	int3 := []byte{0xCC}
	if _, err := mem.WriteAt(int3, int64(addr)); err != nil {
		b.Fatal(err)
	}
	var regs unix.PtraceRegs
	wait := func() {
		var ws unix.WaitStatus
		if _, err := unix.Wait4(pid, &ws, unix.WALL, nil); err != nil || !ws.Stopped() {
			b.Fatalf("wait: %v %v", ws, err)
		}
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		must(b, unix.PtraceCont(pid, 0))
		wait()
		must(b, unix.PtraceGetRegs(pid, &regs))
		regs.Rip--
		must(b, unix.PtraceSetRegs(pid, &regs))
		_, _ = mem.WriteAt(orig, int64(addr))
		must(b, unix.PtraceSingleStep(pid))
		wait()
		_, _ = mem.WriteAt(int3, int64(addr))
	}
}

// BenchmarkReadMemory1MiBDAP reads 1 MiB through readMemory.
func BenchmarkReadMemory1MiBDAP(b *testing.B) {
	f := loopFixture(b)
	big := symbolAddr(b, f.bin, "big")
	raw := startRaw(b, f)
	read := raw.request("readMemory", fmt.Sprintf(`{"memoryReference":"0x%x","count":%d}`, big, 1<<20))
	b.SetBytes(1 << 20)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		raw.send(read)
		m := raw.until(b, `"command":"readMemory"`)
		if len(m) < base64.StdEncoding.EncodedLen(1<<20) {
			b.Fatalf("readMemory answered %d bytes", len(m))
		}
	}
	b.StopTimer()
	raw.close(b)
}

// BenchmarkReadMemory1MiBFloor is process_vm_readv of the same 1 MiB.
func BenchmarkReadMemory1MiBFloor(b *testing.B) {
	f := loopFixture(b)
	big := symbolAddr(b, f.bin, "big")
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	pid := startTraced(b, f.bin)
	defer func() { _ = unix.Kill(pid, unix.SIGKILL); _, _ = unix.Wait4(pid, nil, 0, nil) }()
	buf := make([]byte, 1<<20)
	b.SetBytes(1 << 20)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		local := []unix.Iovec{{Base: &buf[0]}}
		local[0].SetLen(len(buf))
		n, err := unix.ProcessVMReadv(pid, local, []unix.RemoteIovec{{Base: uintptr(big), Len: len(buf)}}, 0)
		if err != nil || n != len(buf) {
			b.Fatalf("process_vm_readv: %d, %v", n, err)
		}
	}
}

// startTraced starts bin traced by the calling (locked) thread and leaves it
// stopped after execve.
func startTraced(b *testing.B, bin string) int {
	p, err := os.StartProcess(bin, []string{bin}, &os.ProcAttr{
		Files: []*os.File{nil, nil, os.Stderr},
		Sys:   &syscall.SysProcAttr{Ptrace: true, Pdeathsig: syscall.SIGKILL},
	})
	if err != nil {
		b.Fatal(err)
	}
	var ws unix.WaitStatus
	if _, err := unix.Wait4(p.Pid, &ws, unix.WALL, nil); err != nil || !ws.Stopped() {
		b.Fatalf("exec stop: %v %v", ws, err)
	}
	must(b, unix.PtraceSetOptions(p.Pid, unix.PTRACE_O_EXITKILL))
	return p.Pid
}

func lineAddr(b *testing.B, f fixture, marker string) uint64 {
	sf, err := symbols.Open(f.bin)
	if err != nil {
		b.Fatal(err)
	}
	defer sf.Close()
	pcs, _, err := sf.LineToPCs(f.src, f.line(b, marker))
	if err != nil || len(pcs) == 0 {
		b.Fatalf("no address for %s: %v", marker, err)
	}
	return pcs[0]
}

func symbolAddr(b testing.TB, bin, name string) uint64 {
	ef, err := elf.Open(bin)
	if err != nil {
		b.Fatal(err)
	}
	defer ef.Close()
	syms, err := ef.Symbols()
	if err != nil {
		b.Fatal(err)
	}
	for _, s := range syms {
		if s.Name == name {
			return s.Value
		}
	}
	b.Fatalf("no symbol %s in %s", name, bin)
	return 0
}

func must(b *testing.B, err error) {
	if err != nil {
		b.Helper()
		b.Fatal(err)
	}
}

func itoa(n int) string   { return strconv.Itoa(n) }
func hex(n uint64) string { return strconv.FormatUint(n, 16) }

// rawClient speaks DAP to the adapter with no JSON decoding and no schema
// checks, for timing the adapter alone. Correctness of these same requests
// is checked by the tests.
type rawClient struct {
	cmd *exec.Cmd
	in  io.WriteCloser
	out *bufio.Reader
	seq int
	tid int
	// stoppedAt is when startRawAt saw the first stopped event.
	stoppedAt time.Time
}

// startRaw starts an adapter and brings f to a stop at BP:hot.
func startRaw(b testing.TB, f fixture) *rawClient {
	return startRawAt(b, f, "BP:hot")
}

// startRawAt launches f with args and brings it to a stop at marker (or,
// with marker "", lets it run and pauses it once it wrote its first line;
// with "run", leaves it running).
func startRawAt(b testing.TB, f fixture, marker string, args ...string) *rawClient {
	return startRawWith(b, f, marker, nil, args...)
}

// startRawWith is startRawAt with setup run on the adapter's command
// before it starts (to set its environment or take its stderr).
func startRawWith(b testing.TB, f fixture, marker string, setup func(*exec.Cmd), args ...string) *rawClient {
	cmd := exec.Command(daptest.BuildAdapter(b))
	// Another adapter, for comparison in the same run:
	// DAP_BENCH_ADAPTER=lldb-vscode-16 (Debian's lldb-16, on stdio) or
	// DAP_BENCH_ADAPTER="dlv dap" (Delve, which connects to us over TCP).
	other := strings.Fields(os.Getenv("DAP_BENCH_ADAPTER"))
	delve := len(other) > 0 && filepath.Base(other[0]) == "dlv"
	var ln net.Listener
	if len(other) > 0 {
		if delve {
			var err error
			if ln, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
				b.Fatal(err)
			}
			defer ln.Close()
			other = append(other, "--client-addr="+ln.Addr().String())
		}
		cmd = exec.Command(other[0], other[1:]...)
	}
	cmd.Stderr = os.Stderr
	if setup != nil {
		setup(cmd)
	}
	var in io.WriteCloser
	var out io.Reader
	var err error
	if !delve {
		if in, err = cmd.StdinPipe(); err != nil {
			b.Fatal(err)
		}
		if out, err = cmd.StdoutPipe(); err != nil {
			b.Fatal(err)
		}
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	if delve {
		conn, err := ln.Accept()
		if err != nil {
			b.Fatal(err)
		}
		in, out = conn, conn
	}
	r := &rawClient{cmd: cmd, in: in, out: bufio.NewReaderSize(out, 4<<20)}
	r.send(r.request("initialize", `{"adapterID":"bench"}`))
	r.until(b, `"command":"initialize"`)
	argv, _ := json.Marshal(append([]string{}, args...)) // [] rather than null
	mode := ""                                           // Delve builds the program unless told it is built
	if delve {
		mode = `,"mode":"exec"`
	}
	r.send(r.request("launch", fmt.Sprintf(`{"program":%q,"args":%s%s}`, f.bin, argv, mode)))
	r.until(b, `"event":"initialized"`)
	if marker != "" && marker != "run" {
		r.send(r.request("setBreakpoints", fmt.Sprintf(`{"source":{"path":%q},"breakpoints":[{"line":%d}]}`, f.src, f.line(b, marker))))
		r.until(b, `"command":"setBreakpoints"`)
	}
	r.send(r.request("configurationDone", `{}`))
	if marker == "run" { // left running
		r.until(b, `"command":"configurationDone"`)
		return r
	}
	if marker == "" {
		r.until(b, `"event":"output"`)
		r.send(r.request("pause", `{"threadId":0}`))
	}
	m := r.until(b, `"event":"stopped"`)
	r.stoppedAt = time.Now()
	var ev struct {
		Body struct {
			ThreadID int `json:"threadId"`
		} `json:"body"`
	}
	if err := json.Unmarshal(m, &ev); err != nil {
		b.Fatal(err)
	}
	r.tid = ev.Body.ThreadID
	if marker != "" {
		r.send(r.request("setBreakpoints", fmt.Sprintf(`{"source":{"path":%q},"breakpoints":[]}`, f.src)))
		r.until(b, `"command":"setBreakpoints"`)
	}
	return r
}

// request frames a request; seq numbers are not checked by the adapter, so
// a framed request can be sent again and again.
func (r *rawClient) request(command, args string) []byte {
	r.seq++
	body := fmt.Sprintf(`{"seq":%d,"type":"request","command":%q,"arguments":%s}`, r.seq, command, args)
	return []byte(fmt.Sprintf("Content-Length: %d\r\n\r\n%s", len(body), body))
}

func (r *rawClient) send(msg []byte) {
	_, _ = r.in.Write(msg)
}

// until reads messages until one contains marker, and returns it.
func (r *rawClient) until(b testing.TB, marker string) []byte {
	for {
		var n int
		for {
			line, err := r.out.ReadString('\n')
			if err != nil {
				b.Fatalf("adapter output ended: %v", err)
			}
			if v, ok := strings.CutPrefix(strings.TrimSpace(line), "Content-Length: "); ok {
				n, _ = strconv.Atoi(v)
			}
			if line == "\r\n" {
				break
			}
		}
		msg := make([]byte, n)
		if _, err := io.ReadFull(r.out, msg); err != nil {
			b.Fatal(err)
		}
		// Our envelope comes before the body: look at the head only of a
		// big message; other adapters sort the keys, the body first, so
		// at its tail too.
		head, tail := msg, []byte(nil)
		if len(msg) > 16<<10 {
			head, tail = msg[:256], msg[len(msg)-256:]
		}
		if bytes.Contains(head, []byte(`"success":false`)) || bytes.Contains(tail, []byte(`"success":false`)) {
			b.Fatalf("request failed: %.300s", msg)
		}
		if bytes.Contains(head, []byte(marker)) || bytes.Contains(tail, []byte(marker)) {
			return msg
		}
	}
}

// roundTrips is the timed loop of most benchmarks: b.N times, send msg and
// wait for the message that contains marker.
func (r *rawClient) roundTrips(b *testing.B, msg []byte, marker string) {
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r.send(msg)
		r.until(b, marker)
	}
	b.StopTimer()
}

func (r *rawClient) close(b testing.TB) {
	r.send(r.request("disconnect", `{}`))
	r.until(b, `"command":"disconnect"`)
	_ = r.in.Close()
	_ = r.cmd.Wait()
}

// BenchmarkNextDAP is one `next` over a simple line (a loop of two lines
// and a call), through the adapter.
func BenchmarkNextDAP(b *testing.B) {
	f := loopFixture(b)
	raw := startRaw(b, f)
	next := raw.request("next", fmt.Sprintf(`{"threadId":%d}`, raw.tid))
	raw.roundTrips(b, next, `"event":"stopped"`)
	raw.close(b)
}

// BenchmarkStepInOutDAP is a stepIn into a function and the stepOut back.
func BenchmarkStepInOutDAP(b *testing.B) {
	f := loopFixture(b)
	raw := startRawAt(b, f, "BP:call")
	in := raw.request("stepIn", fmt.Sprintf(`{"threadId":%d}`, raw.tid))
	out := raw.request("stepOut", fmt.Sprintf(`{"threadId":%d}`, raw.tid))
	// Back to the call: next twice (to BP:hot, then to BP:call), untimed.
	next := raw.request("next", fmt.Sprintf(`{"threadId":%d}`, raw.tid))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		raw.send(in)
		raw.until(b, `"event":"stopped"`)
		raw.send(out)
		raw.until(b, `"event":"stopped"`)
		b.StopTimer()
		for k := 0; k < 2; k++ {
			raw.send(next)
			raw.until(b, `"event":"stopped"`)
		}
		b.StartTimer()
	}
	b.StopTimer()
	raw.close(b)
}

// benchStack times stackTrace(start, levels) on a stack 1000 deep. fresh
// makes every iteration a new stop (continue and pause, untimed), so the
// walk itself is measured, not the per-stop cache.
func benchStack(b *testing.B, start, levels int, fresh bool) {
	f := buildC(b, "recurse")
	raw := startRawAt(b, f, "BP:spin", "1000", "spin")
	st := raw.request("stackTrace", fmt.Sprintf(`{"threadId":%d,"startFrame":%d,"levels":%d}`, raw.tid, start, levels))
	cont := raw.request("continue", fmt.Sprintf(`{"threadId":%d}`, raw.tid))
	pause := raw.request("pause", fmt.Sprintf(`{"threadId":%d}`, raw.tid))
	raw.send(st)
	if m := raw.until(b, `"command":"stackTrace"`); !bytes.Contains(m, []byte(`"totalFrames":10`)) {
		b.Fatalf("the stack is not 1000 frames deep: %.200s", m[len(m)-200:])
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if fresh {
			b.StopTimer()
			raw.send(cont)
			raw.until(b, `"command":"continue"`)
			raw.send(pause)
			raw.until(b, `"event":"stopped"`)
			b.StartTimer()
		}
		raw.send(st)
		raw.until(b, `"command":"stackTrace"`)
	}
	b.StopTimer()
	raw.close(b)
}

// BenchmarkStackTrace1000Full is the whole 1000-frame stack after a new stop.
func BenchmarkStackTrace1000Full(b *testing.B) { benchStack(b, 0, 0, true) }

// BenchmarkStackTrace1000FirstPage is the first page of 20 after a new stop
// (the walk that also counts totalFrames).
func BenchmarkStackTrace1000FirstPage(b *testing.B) { benchStack(b, 0, 20, true) }

// BenchmarkStackTrace1000NextPage is a later page of 20 of the same stop.
func BenchmarkStackTrace1000NextPage(b *testing.B) { benchStack(b, 500, 20, false) }

// BenchmarkStacks8Threads is threads plus the top 20 frames of each of the
// nine threads of a program with eight workers, after a new stop.
func BenchmarkStacks8Threads(b *testing.B) {
	f := buildC(b, "spin")
	raw := startRawAt(b, f, "", "8")
	cont := raw.request("continue", fmt.Sprintf(`{"threadId":%d}`, raw.tid))
	pause := raw.request("pause", fmt.Sprintf(`{"threadId":%d}`, raw.tid))
	threads := raw.request("threads", `{}`)
	raw.send(threads)
	var stacks [][]byte
	for _, id := range threadIDs(b, raw.until(b, `"command":"threads"`), 9) {
		stacks = append(stacks, raw.request("stackTrace", fmt.Sprintf(`{"threadId":%d,"levels":20}`, id)))
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		raw.send(cont)
		raw.until(b, `"command":"continue"`)
		raw.send(pause)
		raw.until(b, `"event":"stopped"`)
		b.StartTimer()
		raw.send(threads)
		raw.until(b, `"command":"threads"`)
		for _, st := range stacks {
			raw.send(st)
			raw.until(b, `"command":"stackTrace"`)
		}
	}
	b.StopTimer()
	raw.close(b)
}

// threadIDs reads the ids of a threads response, which must list n.
func threadIDs(b *testing.B, m []byte, n int) []int {
	var body struct {
		Body struct {
			Threads []struct {
				ID int `json:"id"`
			} `json:"threads"`
		} `json:"body"`
	}
	if err := json.Unmarshal(m, &body); err != nil || len(body.Body.Threads) != n {
		b.Fatalf("threads: %v, %d of %d", err, len(body.Body.Threads), n)
	}
	ids := make([]int, len(body.Body.Threads))
	for i, th := range body.Body.Threads {
		ids[i] = th.ID
	}
	return ids
}

// BenchmarkConditionFalseDAP is one hit of a breakpoint whose condition is
// false, in a hot loop: the adapter evaluates it on the trap path and lets
// the thread go on. One op is one evaluation (compare with
// BenchmarkBreakpointHitFloor: the bare trap). The loop adds 2 to counter
// per iteration; the condition becomes true after b.N hits.
func BenchmarkConditionFalseDAP(b *testing.B) {
	f := loopFixture(b)
	raw := startRaw(b, f)
	raw.send(raw.request("stackTrace", fmt.Sprintf(`{"threadId":%d,"levels":1}`, raw.tid)))
	var st struct {
		Body struct {
			StackFrames []struct {
				ID int `json:"id"`
			} `json:"stackFrames"`
		} `json:"body"`
	}
	if err := json.Unmarshal(raw.until(b, `"command":"stackTrace"`), &st); err != nil || len(st.Body.StackFrames) == 0 {
		b.Fatalf("stackTrace: %v", err)
	}
	raw.send(raw.request("evaluate", fmt.Sprintf(`{"expression":"counter","frameId":%d,"context":"watch"}`, st.Body.StackFrames[0].ID)))
	var ev struct {
		Body struct {
			Result string `json:"result"`
		} `json:"body"`
	}
	if err := json.Unmarshal(raw.until(b, `"command":"evaluate"`), &ev); err != nil {
		b.Fatal(err)
	}
	start, err := strconv.ParseInt(ev.Body.Result, 10, 64)
	if err != nil {
		b.Fatalf("counter = %q", ev.Body.Result)
	}
	cond := fmt.Sprintf("counter >= %d", start+2*int64(b.N))
	raw.send(raw.request("setBreakpoints", fmt.Sprintf(`{"source":{"path":%q},"breakpoints":[{"line":%d,"condition":%q}]}`, f.src, f.line(b, "BP:hot"), cond)))
	raw.until(b, `"command":"setBreakpoints"`)
	b.ResetTimer()
	raw.send(raw.request("continue", fmt.Sprintf(`{"threadId":%d}`, raw.tid)))
	raw.until(b, `"event":"stopped"`)
	b.StopTimer()
	raw.close(b)
}

// rawBody decodes the body of a response the raw client received.
func rawBody(b *testing.B, msg []byte, v any) {
	var m struct {
		Body json.RawMessage `json:"body"`
	}
	if err := json.Unmarshal(msg, &m); err != nil || json.Unmarshal(m.Body, v) != nil {
		b.Fatalf("bad response %.200s", msg)
	}
}

type rawVars struct {
	Variables []struct {
		Name               string `json:"name"`
		VariablesReference int    `json:"variablesReference"`
	} `json:"variables"`
}

// rawFrame0 returns the id of the innermost frame of the stopped thread.
func rawFrame0(b *testing.B, raw *rawClient) int {
	raw.send(raw.request("stackTrace", fmt.Sprintf(`{"threadId":%d,"levels":1}`, raw.tid)))
	var st struct {
		StackFrames []struct {
			ID int `json:"id"`
		} `json:"stackFrames"`
	}
	rawBody(b, raw.until(b, `"command":"stackTrace"`), &st)
	return st.StackFrames[0].ID
}

// rawScope returns the variablesReference of a scope of a frame.
func rawScope(b *testing.B, raw *rawClient, frame int, name string) int {
	raw.send(raw.request("scopes", fmt.Sprintf(`{"frameId":%d}`, frame)))
	var sc struct {
		Scopes []struct {
			Name               string `json:"name"`
			VariablesReference int    `json:"variablesReference"`
		} `json:"scopes"`
	}
	rawBody(b, raw.until(b, `"command":"scopes"`), &sc)
	for _, s := range sc.Scopes {
		if s.Name == name {
			return s.VariablesReference
		}
	}
	b.Fatalf("no scope %s", name)
	return 0
}

// BenchmarkLocalsTreeDAP is every request a client makes to show a frame's
// locals with structs, arrays and pointers expanded one level: scopes, the
// Locals, and each expandable local.
func BenchmarkLocalsTreeDAP(b *testing.B) {
	f := buildC(b, "arrays")
	raw := startRawAt(b, f, "BP:arrays")
	frame := rawFrame0(b, raw)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		locals := rawScope(b, raw, frame, "Locals")
		raw.send(raw.request("variables", fmt.Sprintf(`{"variablesReference":%d}`, locals)))
		var vs rawVars
		rawBody(b, raw.until(b, `"command":"variables"`), &vs)
		if len(vs.Variables) < 5 {
			b.Fatalf("%d locals", len(vs.Variables))
		}
		for _, v := range vs.Variables {
			if v.VariablesReference != 0 {
				raw.send(raw.request("variables", fmt.Sprintf(`{"variablesReference":%d}`, v.VariablesReference)))
				raw.until(b, `"command":"variables"`)
			}
		}
	}
	b.StopTimer()
	raw.close(b)
}

// BenchmarkArrayPage100DAP is a page of 100 elements of a 10^6-element
// array.
func BenchmarkArrayPage100DAP(b *testing.B) {
	f := buildC(b, "arrays")
	raw := startRawAt(b, f, "BP:arrays")
	globals := rawScope(b, raw, rawFrame0(b, raw), "Globals")
	raw.send(raw.request("variables", fmt.Sprintf(`{"variablesReference":%d}`, globals)))
	var vs rawVars
	rawBody(b, raw.until(b, `"command":"variables"`), &vs)
	ref := 0
	for _, v := range vs.Variables {
		if v.Name == "million" {
			ref = v.VariablesReference
		}
	}
	page := raw.request("variables", fmt.Sprintf(`{"variablesReference":%d,"filter":"indexed","start":500000,"count":100}`, ref))
	raw.roundTrips(b, page, `"command":"variables"`)
	raw.close(b)
}
