// Resolving debug configurations before they reach the adapter. No vscode
// import here: the extension passes in what it knows about the editor.

import * as path from 'path';

export const DEBUG_TYPE = 'dap-ptrace';

/** Languages whose files this debugger offers to run with F5. */
export const LANGUAGES = ['c', 'cpp', 'go', 'rust'];

export interface DebugConfig {
	type?: string;
	request?: string;
	name?: string;
	[key: string]: unknown;
}

/** What the editor knows when F5 is pressed. */
export interface EditorContext {
	/** File system path and language of the active editor, if any. */
	activeFile?: { path: string; languageId: string };
}

export type Resolution = { config: DebugConfig } | { error: string };

/** The executable built from a source file by `gcc -g file.c -o file` (or cargo/go build next to it). */
export function programForSource(file: string): string {
	const dir = path.dirname(file);
	const ext = path.extname(file);
	return path.join(dir, path.basename(file, ext));
}

/** The configuration used when there is no launch.json: launch the active program. */
export function defaultLaunchConfig(ctx: EditorContext): Resolution {
	const active = ctx.activeFile;
	if (!active || !LANGUAGES.includes(active.languageId)) {
		return {
			error:
				'dap-ptrace: open the C, C++, Go or Rust source of the program to debug, ' +
				'or create a launch.json with a "program".',
		};
	}
	const program = programForSource(active.path);
	return {
		config: {
			type: DEBUG_TYPE,
			request: 'launch',
			name: `Launch ${path.basename(program)}`,
			program,
			args: [],
			cwd: path.dirname(program),
			stopOnEntry: false,
		},
	};
}

/**
 * First pass, before ${...} variables are substituted: a configuration with no
 * type, request and name (F5 with no launch.json) becomes a launch of the
 * active program; a launch without program is filled the same way.
 */
export function resolveConfiguration(config: DebugConfig, ctx: EditorContext): Resolution {
	const empty = !config.type && !config.request && !config.name;
	if (empty) {
		return defaultLaunchConfig(ctx);
	}
	const out: DebugConfig = { ...config };
	out.type = out.type ?? DEBUG_TYPE;
	out.request = out.request ?? 'launch';
	if (out.request !== 'launch' && out.request !== 'attach') {
		return { error: `dap-ptrace: "request" must be "launch" or "attach", not ${JSON.stringify(out.request)}` };
	}
	if (out.request === 'launch' && (out.program === undefined || out.program === '')) {
		const def = defaultLaunchConfig(ctx);
		if ('error' in def) {
			return { error: 'dap-ptrace: this launch configuration has no "program" and there is no active source file to guess it from.' };
		}
		out.program = def.config.program;
		out.cwd = out.cwd ?? def.config.cwd;
	}
	if (out.request === 'attach' && out.pid === undefined && out.processId === undefined) {
		out.pid = '${command:pickProcess}';
	}
	return { config: out };
}

function toPid(value: unknown, field: string): number | string {
	if (typeof value === 'number') {
		if (Number.isInteger(value) && value > 0) {
			return value;
		}
		return `dap-ptrace: "${field}" must be a positive process id, not ${value}`;
	}
	if (typeof value === 'string' && /^\s*\d+\s*$/.test(value)) {
		const n = Number(value.trim());
		if (n > 0) {
			return n;
		}
	}
	return `dap-ptrace: "${field}" must be a process id, not ${JSON.stringify(value)}`;
}

/**
 * Second pass, after substitution: ${command:pickProcess} has become a string
 * such as "1234", which the adapter wants as a number.
 */
export function finalizeConfiguration(config: DebugConfig): Resolution {
	const out: DebugConfig = { ...config };
	if (out.request === 'attach') {
		for (const field of ['pid', 'processId']) {
			if (out[field] === undefined) {
				continue;
			}
			const pid = toPid(out[field], field);
			if (typeof pid === 'string') {
				return { error: pid };
			}
			out[field] = pid;
		}
		if (out.pid === undefined && out.processId === undefined) {
			return { error: 'dap-ptrace: attach needs "pid", the id of the process to debug.' };
		}
	}
	if (out.request === 'launch' && typeof out.program !== 'string') {
		return { error: 'dap-ptrace: launch needs "program", the executable to debug.' };
	}
	return { config: out };
}
