// Listing processes from /proc for the attach picker.

import * as fs from 'fs';
import * as path from 'path';

export interface ProcessInfo {
	pid: number;
	/** Short name (/proc/PID/comm). */
	name: string;
	/** Full command line, arguments separated by spaces. */
	commandLine: string;
}

function readText(file: string): string | undefined {
	try {
		return fs.readFileSync(file, 'utf8');
	} catch {
		return undefined;
	}
}

/**
 * Lists the processes under procDir (/proc), newest (highest pid) first.
 * Kernel threads (empty command line) and processes that vanish while being
 * read are left out; so is `excludePid` (the caller itself).
 */
export function listProcesses(procDir = '/proc', excludePid?: number): ProcessInfo[] {
	let entries: string[];
	try {
		entries = fs.readdirSync(procDir);
	} catch {
		return [];
	}
	const out: ProcessInfo[] = [];
	for (const entry of entries) {
		if (!/^\d+$/.test(entry)) {
			continue;
		}
		const pid = Number(entry);
		if (pid === excludePid) {
			continue;
		}
		const raw = readText(path.join(procDir, entry, 'cmdline'));
		if (raw === undefined || raw === '') {
			continue;
		}
		const commandLine = raw.replace(/\0+$/, '').split('\0').join(' ');
		const comm = (readText(path.join(procDir, entry, 'comm')) ?? '').trim();
		const name = comm || path.basename(raw.split('\0')[0]);
		out.push({ pid, name, commandLine });
	}
	out.sort((a, b) => b.pid - a.pid);
	return out;
}

/** The quick-pick entry for one process. */
export function processItem(p: ProcessInfo): { label: string; description: string; detail: string; pid: string } {
	return { label: p.name, description: String(p.pid), detail: p.commandLine, pid: String(p.pid) };
}
