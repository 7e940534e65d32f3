// Shared by the end-to-end tests: where things are, and the C fixture.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';

/** The extension's root folder (vscode-ext/). */
export const extRoot = path.resolve(__dirname, '..', '..', '..');
/** Screenshots, traces and the compiled fixture go here (git-ignored). */
export const outputDir = path.resolve(process.env.DAP_PTRACE_TEST_OUTPUT ?? path.join(extRoot, 'test-output'));
export const fixtureSource = path.join(extRoot, 'test', 'fixtures', 'sum.c');

/** The adapter under test: $DAP_PTRACE_ADAPTER, else the one scripts/build-adapter.sh builds. */
export function adapterBinary(): string {
	const bin = path.resolve(process.env.DAP_PTRACE_ADAPTER ?? path.join(extRoot, 'bin', 'dap-ptrace'));
	if (!fs.existsSync(bin)) {
		throw new Error(`no adapter at ${bin}: run scripts/build-adapter.sh (or set DAP_PTRACE_ADAPTER)`);
	}
	return bin;
}

/** Lines of sum.c the tests stop at (checked against the source when compiled). */
export const LINES = {
	addBody: 6, // int total = a + b;
	addReturn: 7, // return total;
	mainCount: 12, // int count = 42;
	mainCall: 13, // int result = add(count, argc);
};

/** Copies sum.c into dir and compiles it there with gcc -g -O0; returns the source and the program. */
export function buildFixture(dir: string): { source: string; program: string } {
	fs.mkdirSync(dir, { recursive: true });
	const text = fs.readFileSync(fixtureSource, 'utf8');
	const lines = text.split('\n');
	const expect: Array<[number, string]> = [
		[LINES.addBody, 'int total = a + b;'],
		[LINES.addReturn, 'return total;'],
		[LINES.mainCount, 'int count = 42;'],
		[LINES.mainCall, 'int result = add(count, argc);'],
	];
	for (const [line, want] of expect) {
		if (lines[line - 1].trim() !== want) {
			throw new Error(`sum.c line ${line} is "${lines[line - 1].trim()}", the tests expect "${want}"`);
		}
	}
	const source = path.join(dir, 'sum.c');
	const program = path.join(dir, 'sum');
	fs.writeFileSync(source, text);
	execFileSync('gcc', ['-g', '-O0', '-o', program, source], { stdio: 'inherit', timeout: 60_000 });
	return { source, program };
}

/** Rejects after ms with a message naming what was awaited. */
export function within<T>(ms: number, what: string, p: Promise<T>): Promise<T> {
	let timer: NodeJS.Timeout;
	const timeout = new Promise<never>((_, reject) => {
		timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
	});
	return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
