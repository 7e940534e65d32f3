// Finding the dap-ptrace executable. Kept free of the vscode module so that
// node's test runner can exercise it directly.

import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/** Name of the adapter executable, bundled under bin/ and looked up on PATH. */
export const ADAPTER_NAME = 'dap-ptrace';

/** Where each candidate came from, in the order they are tried. */
export type AdapterSource = 'launch.json adapterPath' | 'dap-ptrace.adapterPath setting' | 'bundled' | 'PATH';

export interface AdapterLookup {
	/** `adapterPath` of the debug configuration being started. */
	configPath?: unknown;
	/** The `dap-ptrace.adapterPath` setting. */
	settingPath?: unknown;
	/** Root folder of the installed extension (holds bin/dap-ptrace when bundled). */
	extensionPath?: string;
	/** The PATH to search last (process.env.PATH). */
	envPath?: string;
	/** The home directory for a leading `~/` (os.homedir()). */
	home?: string;
	/** Base for relative explicit paths (the workspace folder), else they are used as given. */
	baseDir?: string;
	/** Tells whether a file is an executable regular file (tests replace it). */
	isExecutable?: (file: string) => boolean;
}

export interface AdapterFound {
	path: string;
	source: AdapterSource;
}

export class AdapterNotFoundError extends Error {
	constructor(message: string, readonly tried: string[]) {
		super(message);
		this.name = 'AdapterNotFoundError';
	}
}

export function isExecutableFile(file: string): boolean {
	try {
		if (!fs.statSync(file).isFile()) {
			return false;
		}
		fs.accessSync(file, fs.constants.X_OK);
		return true;
	} catch {
		return false;
	}
}

/** Expands a leading `~` and makes a relative path absolute against baseDir. */
export function expandPath(p: string, home: string, baseDir?: string): string {
	let out = p;
	if (out === '~') {
		out = home;
	} else if (out.startsWith('~/')) {
		out = path.join(home, out.slice(2));
	}
	if (!path.isAbsolute(out) && baseDir) {
		out = path.resolve(baseDir, out);
	}
	return out;
}

/**
 * Finds the adapter: the launch configuration's `adapterPath`, then the
 * `dap-ptrace.adapterPath` setting, then the binary bundled in the extension,
 * then `dap-ptrace` on PATH. An explicit path (configuration or setting) that
 * is not an executable is an error rather than a reason to fall through, so a
 * typo is reported instead of silently running another binary.
 */
export function findAdapter(opts: AdapterLookup): AdapterFound {
	const isExec = opts.isExecutable ?? isExecutableFile;
	const home = opts.home ?? os.homedir();
	const tried: string[] = [];

	const explicit: Array<[unknown, AdapterSource]> = [
		[opts.configPath, 'launch.json adapterPath'],
		[opts.settingPath, 'dap-ptrace.adapterPath setting'],
	];
	for (const [value, source] of explicit) {
		if (value === undefined || value === null || value === '') {
			continue;
		}
		if (typeof value !== 'string') {
			throw new AdapterNotFoundError(`${source} must be a string, not ${JSON.stringify(value)}`, tried);
		}
		const candidate = expandPath(value.trim(), home, opts.baseDir);
		tried.push(candidate);
		if (isExec(candidate)) {
			return { path: candidate, source };
		}
		throw new AdapterNotFoundError(`${source} "${value}" is not an executable file (looked at ${candidate})`, tried);
	}

	if (opts.extensionPath) {
		const bundled = path.join(opts.extensionPath, 'bin', ADAPTER_NAME);
		tried.push(bundled);
		if (isExec(bundled)) {
			return { path: bundled, source: 'bundled' };
		}
	}

	for (const dir of (opts.envPath ?? '').split(path.delimiter)) {
		if (!dir) {
			continue;
		}
		const candidate = path.join(dir, ADAPTER_NAME);
		tried.push(candidate);
		if (isExec(candidate)) {
			return { path: candidate, source: 'PATH' };
		}
	}

	throw new AdapterNotFoundError(
		`Cannot find the ${ADAPTER_NAME} executable. Set "dap-ptrace.adapterPath" in the settings, ` +
			`or "adapterPath" in the launch configuration, or put ${ADAPTER_NAME} on PATH.`,
		tried,
	);
}
