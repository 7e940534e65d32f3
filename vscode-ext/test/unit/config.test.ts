import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { defaultLaunchConfig, finalizeConfiguration, programForSource, resolveConfiguration } from '../../src/config';

const cFile = { activeFile: { path: '/ws/src/hello.c', languageId: 'c' } };

test('the program of a source file is the file without its extension', () => {
	assert.equal(programForSource('/ws/src/hello.c'), '/ws/src/hello');
	assert.equal(programForSource('/ws/main.cpp'), '/ws/main');
	assert.equal(programForSource('/ws/noext'), '/ws/noext');
});

test('F5 without launch.json launches the active C program', () => {
	const r = resolveConfiguration({}, cFile);
	assert.ok('config' in r);
	assert.deepEqual(r.config, {
		type: 'dap-ptrace',
		request: 'launch',
		name: 'Launch hello',
		program: '/ws/src/hello',
		args: [],
		cwd: '/ws/src',
		stopOnEntry: false,
	});
});

test('F5 without launch.json and no source file open is refused with a message', () => {
	const none = resolveConfiguration({}, {});
	assert.ok('error' in none);
	assert.match(none.error, /launch\.json/);
	const python = defaultLaunchConfig({ activeFile: { path: '/ws/x.py', languageId: 'python' } });
	assert.ok('error' in python);
});

test('a launch configuration without program gets the active program', () => {
	const r = resolveConfiguration({ type: 'dap-ptrace', request: 'launch', name: 'x', args: ['1'] }, cFile);
	assert.ok('config' in r);
	assert.equal(r.config.program, '/ws/src/hello');
	assert.equal(r.config.cwd, '/ws/src');
	assert.deepEqual(r.config.args, ['1']);
	const keep = resolveConfiguration({ type: 'dap-ptrace', request: 'launch', name: 'x', cwd: '/elsewhere' }, cFile);
	assert.ok('config' in keep);
	assert.equal(keep.config.cwd, '/elsewhere');
	const nothing = resolveConfiguration({ type: 'dap-ptrace', request: 'launch', name: 'x' }, {});
	assert.ok('error' in nothing);
});

test('a complete configuration passes through unchanged', () => {
	const config = {
		type: 'dap-ptrace',
		request: 'launch',
		name: 'Debug hello',
		program: '${workspaceFolder}/hello',
		args: ['7'],
		env: { GREETING: 'hi' },
		stopOnEntry: true,
	};
	const r = resolveConfiguration(config, cFile);
	assert.ok('config' in r);
	assert.deepEqual(r.config, config);
});

test('a bad request kind is refused', () => {
	const r = resolveConfiguration({ type: 'dap-ptrace', request: 'run', name: 'x' }, cFile);
	assert.ok('error' in r);
	assert.match(r.error, /"launch" or "attach"/);
});

test('attach without a pid asks for one with the process picker', () => {
	const r = resolveConfiguration({ type: 'dap-ptrace', request: 'attach', name: 'a' }, {});
	assert.ok('config' in r);
	assert.equal(r.config.pid, '${command:pickProcess}');
	const given = resolveConfiguration({ type: 'dap-ptrace', request: 'attach', name: 'a', processId: 9 }, {});
	assert.ok('config' in given);
	assert.equal(given.config.pid, undefined);
});

test('after substitution a picked pid string becomes a number', () => {
	const r = finalizeConfiguration({ type: 'dap-ptrace', request: 'attach', name: 'a', pid: '1234' });
	assert.ok('config' in r);
	assert.equal(r.config.pid, 1234);
	const p = finalizeConfiguration({ type: 'dap-ptrace', request: 'attach', name: 'a', processId: ' 77 ' });
	assert.ok('config' in p);
	assert.equal(p.config.processId, 77);
	const n = finalizeConfiguration({ type: 'dap-ptrace', request: 'attach', name: 'a', pid: 5 });
	assert.ok('config' in n);
	assert.equal(n.config.pid, 5);
});

test('a pid that is not a process id is refused', () => {
	for (const pid of ['abc', '', '0', -3, 1.5, '${command:pickProcess}']) {
		const r = finalizeConfiguration({ type: 'dap-ptrace', request: 'attach', name: 'a', pid });
		assert.ok('error' in r, `pid ${JSON.stringify(pid)} should be refused`);
	}
	const none = finalizeConfiguration({ type: 'dap-ptrace', request: 'attach', name: 'a' });
	assert.ok('error' in none);
	assert.match(none.error, /"pid"/);
});

test('a launch whose program did not resolve to a string is refused', () => {
	const r = finalizeConfiguration({ type: 'dap-ptrace', request: 'launch', name: 'l', program: 3 });
	assert.ok('error' in r);
	const ok = finalizeConfiguration({ type: 'dap-ptrace', request: 'launch', name: 'l', program: '/bin/true' });
	assert.ok('config' in ok);
});
