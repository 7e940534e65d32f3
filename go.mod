module github.com/dap-ptrace/dap-ptrace

go 1.26.0

require (
	github.com/go-delve/delve v1.27.2
	github.com/google/go-dap v0.12.0
	github.com/ianlancetaylor/demangle v0.0.0-20260724033716-83e58baca724
	github.com/santhosh-tekuri/jsonschema/v6 v6.0.3
	golang.org/x/arch v0.33.0
	golang.org/x/sys v0.50.0
)

require golang.org/x/text v0.40.0 // indirect
