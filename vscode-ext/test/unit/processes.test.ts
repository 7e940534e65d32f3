import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { listProcesses, processItem } from '../../src/processes';

function fakeProc(entries: Record<string, { cmdline?: string; comm?: string }>): string {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dap-ptrace-proc-'));
	for (const [name, files] of Object.entries(entries)) {
		fs.mkdirSync(path.join(dir, name));
		if (files.cmdline !== undefined) {
			fs.writeFileSync(path.join(dir, name, 'cmdline'), files.cmdline);
		}
		if (files.comm !== undefined) {
			fs.writeFileSync(path.join(dir, name, 'comm'), files.comm);
		}
	}
	return dir;
}

test('lists pid, name and command line, highest pid first', () => {
	const dir = fakeProc({
		'1': { cmdline: '/sbin/init\0splash\0', comm: 'systemd\n' },
		'250': { cmdline: './hello\0--count\x003\0', comm: 'hello\n' },
		'31': { cmdline: 'bash\0', comm: 'bash\n' },
	});
	try {
		assert.deepEqual(listProcesses(dir), [
			{ pid: 250, name: 'hello', commandLine: './hello --count 3' },
			{ pid: 31, name: 'bash', commandLine: 'bash' },
			{ pid: 1, name: 'systemd', commandLine: '/sbin/init splash' },
		]);
	} finally {
		fs.rmSync(dir, { recursive: true, force: true });
	}
});

test('skips kernel threads, non-pid entries, vanished processes and the excluded pid', () => {
	const dir = fakeProc({
		'2': { cmdline: '', comm: 'kthreadd\n' },
		self: { cmdline: 'x\0' },
		'7': {},
		'8': { cmdline: '/usr/bin/me\0', comm: 'me\n' },
		'9': { cmdline: '/usr/bin/prog\0' },
	});
	try {
		const list = listProcesses(dir, 8);
		assert.deepEqual(list, [{ pid: 9, name: 'prog', commandLine: '/usr/bin/prog' }]);
	} finally {
		fs.rmSync(dir, { recursive: true, force: true });
	}
});

test('a missing proc directory gives an empty list', () => {
	assert.deepEqual(listProcesses('/nonexistent/proc'), []);
});

test('the real /proc lists a child process with its command line', async () => {
	const child = spawn('sleep', ['30'], { stdio: 'ignore' });
	try {
		await new Promise((resolve) => child.once('spawn', resolve));
		const list = listProcesses('/proc', process.pid);
		const me = list.find((p) => p.pid === child.pid);
		assert.ok(me, `pid ${child.pid} not listed`);
		assert.equal(me.name, 'sleep');
		assert.equal(me.commandLine, 'sleep 30');
		assert.equal(list.find((p) => p.pid === process.pid), undefined, 'the caller is excluded');
	} finally {
		child.kill('SIGKILL');
	}
});

test('quick-pick items carry the pid as the value to substitute', () => {
	const item = processItem({ pid: 42, name: 'hello', commandLine: './hello 1' });
	assert.deepEqual(item, { label: 'hello', description: '42', detail: './hello 1', pid: '42' });
});
