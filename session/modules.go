package session

import (
	"fmt"

	"github.com/dap-ptrace/dap-ptrace/dap"
	"github.com/dap-ptrace/dap-ptrace/proc"
	godap "github.com/google/go-dap"
)

func (s *Session) registerModules() {
	dap.Handle(s.mux, "modules", s.modules, func(c *godap.Capabilities) {
		c.SupportsModulesRequest = true
	})
}

type modulesArgs struct {
	StartModule int `json:"startModule"`
	ModuleCount int `json:"moduleCount"`
}

func (s *Session) modules(_ *dap.Request, args modulesArgs) (godap.ModulesResponseBody, error) {
	ms, err := s.dbg.Modules()
	if err != nil {
		return godap.ModulesResponseBody{}, fail(errIDState, err)
	}
	body := godap.ModulesResponseBody{Modules: []godap.Module{}, TotalModules: len(ms)}
	start := min(max(args.StartModule, 0), len(ms))
	end := len(ms)
	if args.ModuleCount > 0 && args.ModuleCount < end-start {
		end = start + args.ModuleCount // not start+count: it may overflow
	}
	for _, m := range ms[start:end] {
		body.Modules = append(body.Modules, dapModule(m))
	}
	return body, nil
}

func dapModule(m proc.Module) godap.Module {
	dm := godap.Module{Id: m.ID, Name: m.Name, Path: m.Path}
	if m.End > m.Start {
		dm.AddressRange = fmt.Sprintf("0x%x-0x%x", m.Start, m.End)
	}
	switch {
	case m.DWARF:
		dm.SymbolStatus = "Symbols and debug information loaded."
	case m.Symbols:
		dm.SymbolStatus = "Symbols loaded (no debug information)."
	default:
		dm.SymbolStatus = "No symbols found."
	}
	return dm
}
