import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AdapterNotFoundError, expandPath, findAdapter, isExecutableFile } from '../../src/adapterPath';

// A fake file system: the set of paths that are executables.
function execs(...paths: string[]): (p: string) => boolean {
	const set = new Set(paths);
	return (p) => set.has(p);
}

const base = {
	extensionPath: '/ext',
	envPath: ['/usr/local/bin', '/usr/bin'].join(path.delimiter),
	home: '/home/me',
};

test('the launch configuration adapterPath wins over everything', () => {
	const found = findAdapter({
		...base,
		configPath: '/opt/a/dap-ptrace',
		settingPath: '/opt/b/dap-ptrace',
		isExecutable: execs('/opt/a/dap-ptrace', '/opt/b/dap-ptrace', '/ext/bin/dap-ptrace', '/usr/bin/dap-ptrace'),
	});
	assert.deepEqual(found, { path: '/opt/a/dap-ptrace', source: 'launch.json adapterPath' });
});

test('the setting comes next', () => {
	const found = findAdapter({
		...base,
		configPath: '',
		settingPath: '/opt/b/dap-ptrace',
		isExecutable: execs('/opt/b/dap-ptrace', '/ext/bin/dap-ptrace'),
	});
	assert.deepEqual(found, { path: '/opt/b/dap-ptrace', source: 'dap-ptrace.adapterPath setting' });
});

test('then the binary bundled in the extension', () => {
	const found = findAdapter({ ...base, isExecutable: execs('/ext/bin/dap-ptrace', '/usr/bin/dap-ptrace') });
	assert.deepEqual(found, { path: '/ext/bin/dap-ptrace', source: 'bundled' });
});

test('then PATH, in PATH order', () => {
	const found = findAdapter({
		...base,
		isExecutable: execs('/usr/bin/dap-ptrace', '/usr/local/bin/dap-ptrace'),
	});
	assert.deepEqual(found, { path: '/usr/local/bin/dap-ptrace', source: 'PATH' });
	const second = findAdapter({ ...base, isExecutable: execs('/usr/bin/dap-ptrace') });
	assert.equal(second.path, '/usr/bin/dap-ptrace');
});

test('an explicit path that is not executable is an error, not a fall-through', () => {
	assert.throws(
		() => findAdapter({ ...base, settingPath: '/typo/dap-ptrace', isExecutable: execs('/ext/bin/dap-ptrace') }),
		(err: unknown) =>
			err instanceof AdapterNotFoundError &&
			err.message.includes('dap-ptrace.adapterPath setting') &&
			err.message.includes('/typo/dap-ptrace'),
	);
	assert.throws(
		() => findAdapter({ ...base, configPath: 42, isExecutable: execs('/ext/bin/dap-ptrace') }),
		/must be a string/,
	);
});

test('nothing found: the error says how to fix it and lists what was tried', () => {
	try {
		findAdapter({ ...base, isExecutable: execs() });
		assert.fail('expected an error');
	} catch (err) {
		assert.ok(err instanceof AdapterNotFoundError);
		assert.match(err.message, /dap-ptrace\.adapterPath/);
		assert.deepEqual(err.tried, ['/ext/bin/dap-ptrace', '/usr/local/bin/dap-ptrace', '/usr/bin/dap-ptrace']);
	}
});

test('~ and relative explicit paths are expanded', () => {
	assert.equal(expandPath('~/bin/dap-ptrace', '/home/me'), '/home/me/bin/dap-ptrace');
	assert.equal(expandPath('~', '/home/me'), '/home/me');
	assert.equal(expandPath('build/dap-ptrace', '/home/me', '/ws'), '/ws/build/dap-ptrace');
	assert.equal(expandPath('build/dap-ptrace', '/home/me'), 'build/dap-ptrace');
	const found = findAdapter({ ...base, configPath: '~/dap-ptrace', isExecutable: execs('/home/me/dap-ptrace') });
	assert.equal(found.path, '/home/me/dap-ptrace');
});

test('isExecutableFile checks the real file system', () => {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dap-ptrace-ext-'));
	try {
		const exe = path.join(dir, 'dap-ptrace');
		const plain = path.join(dir, 'plain');
		fs.writeFileSync(exe, '#!/bin/sh\n', { mode: 0o755 });
		fs.writeFileSync(plain, 'x', { mode: 0o644 });
		assert.equal(isExecutableFile(exe), true);
		assert.equal(isExecutableFile(dir), false, 'a directory is not an adapter');
		assert.equal(isExecutableFile(path.join(dir, 'missing')), false);
		// root may execute any file with an x bit; a file with none is refused even for root.
		assert.equal(isExecutableFile(plain), false);
		const found = findAdapter({ extensionPath: '/nonexistent', envPath: dir });
		assert.deepEqual(found, { path: exe, source: 'PATH' });
	} finally {
		fs.rmSync(dir, { recursive: true, force: true });
	}
});
