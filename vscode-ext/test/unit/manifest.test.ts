// Checks the contributions in package.json that VS Code reads to offer the
// debugger, validate launch.json and allow breakpoints.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

const root = path.resolve(__dirname, '..', '..', '..');
const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const debuggers = manifest.contributes.debuggers as any[];
const dbg = debuggers.find((d) => d.type === 'dap-ptrace');
const languages = ['c', 'cpp', 'go', 'rust'];

test('one debugger of type dap-ptrace, labelled "dap-ptrace (native)", for C, C++, Go and Rust', () => {
	assert.equal(debuggers.length, 1);
	assert.ok(dbg);
	assert.equal(dbg.label, 'dap-ptrace (native)');
	assert.deepEqual([...dbg.languages].sort(), [...languages].sort());
});

test('breakpoints are allowed in those languages', () => {
	const bp = (manifest.contributes.breakpoints as any[]).map((b) => b.language).sort();
	assert.deepEqual(bp, [...languages].sort());
});

test('every field the adapter accepts has a schema with type, default and description', () => {
	const want: Record<string, string[]> = {
		launch: ['program', 'args', 'cwd', 'env', 'stopOnEntry', 'console', 'sourceMap', 'noDebug', 'adapterPath', 'hideSystemGoroutines', 'softwareWatchpoints', 'followForks'],
		attach: ['pid', 'processId', 'stopOnEntry', 'sourceMap', 'adapterPath', 'hideSystemGoroutines', 'followForks'],
	};
	for (const [request, fields] of Object.entries(want)) {
		const props = dbg.configurationAttributes[request].properties;
		assert.deepEqual(Object.keys(props).sort(), [...fields].sort(), request);
		for (const f of fields) {
			const s = props[f];
			assert.ok(s.type !== undefined || s.anyOf !== undefined, `${request}.${f} has no type`);
			assert.ok('default' in s, `${request}.${f} has no default`);
			assert.equal(typeof s.description, 'string', `${request}.${f} has no description`);
			assert.ok(s.description.length > 10 && !s.description.includes('\n'), `${request}.${f}: one-line description`);
		}
	}
	assert.deepEqual(dbg.configurationAttributes.launch.required, ['program']);
	const env = dbg.configurationAttributes.launch.properties.env;
	assert.deepEqual(env.anyOf.map((s: any) => s.type).sort(), ['array', 'object']);
});

test('initial configurations and snippets: launch the active C program, launch with args and env, attach', () => {
	assert.ok(dbg.initialConfigurations.some((c: any) => c.request === 'launch' && c.program.includes('${fileBasenameNoExtension}')));
	assert.ok(dbg.initialConfigurations.some((c: any) => c.request === 'attach' && c.pid === '${command:pickProcess}'));
	const bodies = dbg.configurationSnippets.map((s: any) => s.body);
	for (const s of dbg.configurationSnippets) {
		assert.equal(s.body.type, 'dap-ptrace');
		assert.ok(s.label.startsWith('dap-ptrace: '), s.label);
		assert.equal(typeof s.description, 'string');
	}
	assert.ok(bodies.some((b: any) => b.request === 'launch' && b.program.includes('fileBasenameNoExtension')));
	assert.ok(bodies.some((b: any) => b.request === 'launch' && Array.isArray(b.args) && typeof b.env === 'object'));
	assert.ok(bodies.some((b: any) => b.request === 'attach' && b.pid.includes('${command:pickProcess}')));
});

test('${command:pickProcess} is backed by a contributed command', () => {
	assert.equal(dbg.variables.pickProcess, 'dap-ptrace.pickProcess');
	assert.ok(manifest.contributes.commands.some((c: any) => c.command === 'dap-ptrace.pickProcess'));
	assert.ok(manifest.activationEvents.includes('onCommand:dap-ptrace.pickProcess'));
});

test('the adapterPath setting exists and the extension activates for the debug type', () => {
	const setting = manifest.contributes.configuration.properties['dap-ptrace.adapterPath'];
	assert.equal(setting.type, 'string');
	assert.equal(typeof setting.description, 'string');
	assert.ok(manifest.activationEvents.includes('onDebugResolve:dap-ptrace'));
	assert.ok(fs.existsSync(path.join(root, 'src', 'extension.ts')));
	assert.equal(manifest.main, './out/src/extension.js');
});
