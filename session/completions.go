package session

import (
	"unicode/utf16"

	"github.com/dap-ptrace/dap-ptrace/dap"
	godap "github.com/google/go-dap"
)

func (s *Session) registerCompletions() {
	dap.Handle(s.mux, "completions", s.completions, func(c *godap.Capabilities) {
		c.SupportsCompletionsRequest = true
		c.CompletionTriggerCharacters = []string{".", ">", "$"}
	})
}

// completions offers names for the debug console and watches: variables
// of the frame, members after "." or "->", registers after "$".
func (s *Session) completions(_ *dap.Request, args godap.CompletionsArguments) (godap.CompletionsResponseBody, error) {
	body := godap.CompletionsResponseBody{Targets: []godap.CompletionItem{}}
	ref, err := s.scopeRef(args.FrameId)
	if err != nil {
		return body, err
	}
	// Columns count UTF-16 code units from 1 (columnsStartAt1, as every
	// client we know sends it), and so does the start of each item.
	col := byteOffset(args.Text, args.Column-1)
	items, start, err := s.completeIn(ref, args.Text, col)
	if err != nil {
		return body, fail(errIDEvaluate, err)
	}
	for _, it := range items {
		body.Targets = append(body.Targets, godap.CompletionItem{Label: it.Label, Type: godap.CompletionItemType(it.Kind),
			Start: utf16Len(args.Text[:start]) + 1, Length: utf16Len(args.Text[start:col])})
	}
	return body, nil
}

// byteOffset converts n UTF-16 code units from the start of s into bytes.
func byteOffset(s string, n int) int {
	units := 0
	for i, r := range s {
		if units >= n {
			return i
		}
		units += len(utf16.Encode([]rune{r}))
	}
	return len(s)
}

func utf16Len(s string) int { return len(utf16.Encode([]rune(s))) }
