// Command echoserver is a minimal DAP server for testing daptest.Start: it
// answers every request with success, echoing the arguments as the body,
// logs each command to stderr, and on end of input exits with the code given
// as its first argument. It uses only go-dap, so the fixture cache key (the
// files of this directory) covers everything it is built from.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"strconv"

	godap "github.com/google/go-dap"
)

func main() {
	code := 0
	if len(os.Args) > 1 {
		code, _ = strconv.Atoi(os.Args[1])
	}
	r := bufio.NewReader(os.Stdin)
	seq := 0
	for {
		b, err := godap.ReadBaseMessage(r)
		if err != nil {
			os.Exit(code)
		}
		var req struct {
			Seq       int             `json:"seq"`
			Command   string          `json:"command"`
			Arguments json.RawMessage `json:"arguments"`
		}
		if err := json.Unmarshal(b, &req); err != nil {
			fmt.Fprintln(os.Stderr, "bad request:", err)
			os.Exit(2)
		}
		fmt.Fprintln(os.Stderr, "command", req.Command)
		seq++
		resp := map[string]any{"seq": seq, "type": "response", "request_seq": req.Seq, "success": true, "command": req.Command}
		if req.Arguments != nil {
			resp["body"] = req.Arguments
		}
		out, _ := json.Marshal(resp)
		if err := godap.WriteBaseMessage(os.Stdout, out); err != nil {
			os.Exit(3)
		}
	}
}
