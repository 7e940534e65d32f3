// The real-editor end-to-end test: code-server (VS Code in the browser) in
// headless Debian Chromium, driven by playwright-core. It installs the .vsix,
// opens sum.c, sets a breakpoint with F9, starts debugging with F5, checks the
// Call Stack (and Variables) views at the stop, saves a screenshot, and stops
// the session with Shift+F5.
import { test, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import * as http from 'node:http';
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chromium, BrowserContext, Page } from 'playwright-core';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import { DebugProtocol } from '@vscode/debugprotocol';
import { LINES, adapterBinary, buildFixture, extRoot, outputDir, within } from './helpers';

const CODE_SERVER_VERSION = '4.100.3';
const out = path.join(outputDir, 'code-server');
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

function codeServerBinary(): string {
	const tools = process.env.DAP_PTRACE_TOOLS_DIR ?? path.join(os.homedir(), '.cache', 'dap-ptrace-vscode-ext');
	const bin = process.env.CODE_SERVER_BIN ?? path.join(tools, `code-server-${CODE_SERVER_VERSION}`, 'node_modules', '.bin', 'code-server');
	if (!fs.existsSync(bin)) {
		throw new Error(`no code-server at ${bin}: run scripts/install-code-server.sh (or set CODE_SERVER_BIN)`);
	}
	return bin;
}

function vsixPath(): string {
	if (process.env.DAP_PTRACE_VSIX) {
		return path.resolve(process.env.DAP_PTRACE_VSIX);
	}
	const found = fs.readdirSync(extRoot).filter((f) => /^dap-ptrace-.*\.vsix$/.test(f)).sort();
	if (found.length === 0) {
		throw new Error('no dap-ptrace-*.vsix in vscode-ext/: run scripts/package.sh (or set DAP_PTRACE_VSIX)');
	}
	return path.join(extRoot, found[found.length - 1]);
}

/** A port the OS says is free right now. */
function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const srv = net.createServer();
		srv.once('error', reject);
		srv.listen(0, '127.0.0.1', () => {
			const port = (srv.address() as net.AddressInfo).port;
			srv.close(() => resolve(port));
		});
	});
}

async function waitForHttp(url: string, ms: number, server: ChildProcess): Promise<void> {
	const deadline = Date.now() + ms;
	while (Date.now() < deadline) {
		if (server.exitCode !== null) {
			throw new Error(`code-server exited with ${server.exitCode} before answering`);
		}
		const ok = await new Promise<boolean>((resolve) => {
			const req = http.get(url, { timeout: 2_000 }, (res) => {
				res.resume();
				resolve((res.statusCode ?? 500) < 500);
			});
			req.on('error', () => resolve(false));
			req.on('timeout', () => {
				req.destroy();
				resolve(false);
			});
		});
		if (ok) {
			return;
		}
		await new Promise((r) => setTimeout(r, 250));
	}
	throw new Error(`${url} did not answer within ${ms} ms`);
}

/**
 * Asks the adapter itself whether it answers scopes: VS Code would only show
 * an empty Variables view otherwise.
 */
async function adapterHasVariables(program: string): Promise<{ ok: boolean; why: string }> {
	const dc = new DebugClient(adapterBinary(), `--log=${path.join(out, 'probe.trace.jsonl')}`, 'dap-ptrace');
	dc.defaultTimeout = 10_000;
	await dc.start();
	try {
		await dc.initializeRequest({ adapterID: 'dap-ptrace', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path' });
		const [, , stopped] = await Promise.all([
			dc.waitForEvent('initialized').then(() => dc.configurationDoneRequest()),
			dc.launchRequest({ program, stopOnEntry: true } as DebugProtocol.LaunchRequestArguments),
			dc.waitForEvent('stopped') as Promise<DebugProtocol.StoppedEvent>,
		]);
		const st = await dc.stackTraceRequest({ threadId: stopped.body.threadId! });
		try {
			const sc = await dc.scopesRequest({ frameId: st.body.stackFrames[0].id });
			if (!sc.body.scopes.some((s) => s.presentationHint === 'locals' || s.name === 'Locals')) {
				return { ok: false, why: 'no Locals scope' };
			}
			return { ok: true, why: 'scopes answered with Locals' };
		} catch (err) {
			return { ok: false, why: (err as Error).message };
		}
	} finally {
		await dc.stop().catch(() => {});
	}
}

let server: ChildProcess | undefined;
let context: BrowserContext | undefined;

function killGroup(child: ChildProcess | undefined, signal: NodeJS.Signals): void {
	if (child?.pid && child.exitCode === null && child.signalCode === null) {
		try {
			process.kill(-child.pid, signal);
		} catch {
			// already gone
		}
	}
}

after(async () => {
	await within(15_000, 'the browser to close', context?.close() ?? Promise.resolve()).catch(() => {});
	if (server) {
		const s = server;
		killGroup(s, 'SIGTERM');
		await within(10_000, 'code-server to exit', new Promise((r) => (s.exitCode !== null || s.signalCode !== null ? r(null) : s.once('exit', r)))).catch(() => {
			killGroup(s, 'SIGKILL');
		});
		killGroup(s, 'SIGKILL');
	}
});

test('VS Code (code-server): install the .vsix, F9, F5, stop at the breakpoint, Call Stack and Variables, Shift+F5', { timeout: 300_000 }, async (t) => {
	fs.rmSync(out, { recursive: true, force: true });
	const workspace = path.join(out, 'workspace');
	const userData = path.join(out, 'user-data');
	const extensions = path.join(out, 'extensions');
	const browserProfile = path.join(out, 'chromium-profile');
	for (const d of [workspace, userData, extensions, browserProfile]) {
		fs.mkdirSync(d, { recursive: true });
	}
	const fixture = buildFixture(workspace);
	fs.mkdirSync(path.join(workspace, '.vscode'));
	fs.writeFileSync(
		path.join(workspace, '.vscode', 'launch.json'),
		JSON.stringify(
			{
				version: '0.2.0',
				configurations: [
					{ type: 'dap-ptrace', request: 'launch', name: 'Debug sum (dap-ptrace)', program: '${workspaceFolder}/sum', args: ['one'], cwd: '${workspaceFolder}' },
				],
			},
			null,
			2,
		),
	);
	fs.mkdirSync(path.join(userData, 'User'), { recursive: true });
	fs.writeFileSync(
		path.join(userData, 'User', 'settings.json'),
		JSON.stringify({
			'workbench.startupEditor': 'none',
			'workbench.tips.enabled': false,
			'workbench.enableExperiments': false,
			'security.workspace.trust.enabled': false,
			'telemetry.telemetryLevel': 'off',
			'extensions.autoCheckUpdates': false,
			'extensions.autoUpdate': false,
			'extensions.ignoreRecommendations': true,
			'update.mode': 'none',
			'editor.minimap.enabled': false,
			'workbench.colorTheme': 'Default Light Modern',
			'window.zoomLevel': 0,
			'git.enabled': false,
			'git.openRepositoryInParentFolders': 'never',
		}),
	);

	const variables = await adapterHasVariables(fixture.program);
	t.diagnostic(`adapter variables support: ${variables.ok} (${variables.why})`);

	// Install the .vsix the way a person would (code-server's --install-extension).
	const codeServer = codeServerBinary();
	const vsix = vsixPath();
	const common = ['--user-data-dir', userData, '--extensions-dir', extensions];
	const installOut = execFileSync(codeServer, [...common, '--install-extension', vsix], { timeout: 120_000, encoding: 'utf8' });
	t.diagnostic(installOut.trim().split('\n').pop() ?? '');
	const listed = execFileSync(codeServer, [...common, '--list-extensions', '--show-versions'], { timeout: 60_000, encoding: 'utf8' });
	assert.match(listed, /dap-ptrace\.dap-ptrace@/, `installed extensions: ${listed}`);

	const port = await freePort();
	const log = fs.openSync(path.join(out, 'code-server.log'), 'w');
	server = spawn(
		codeServer,
		[
			...common,
			'--bind-addr', `127.0.0.1:${port}`,
			'--auth', 'none',
			'--disable-telemetry',
			'--disable-update-check',
			'--disable-workspace-trust',
			'--disable-getting-started-override',
			workspace,
		],
		// Its own process group: the whole group (extension host, adapter, debuggee) is ended at the end.
		{ detached: true, stdio: ['ignore', log, log], env: { ...process.env, DAP_PTRACE_CODE_SERVER_TEST: '1' } },
	);
	const base = `http://127.0.0.1:${port}`;
	await waitForHttp(`${base}/healthz`, 60_000, server);

	context = await within(60_000, 'Chromium to start', chromium.launchPersistentContext(browserProfile, {
		executablePath: chromiumPath,
		headless: true,
		viewport: { width: 1440, height: 900 },
		args: [
			'--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
			'--disable-background-networking', '--disable-component-update', '--disable-sync',
		],
	}));
	const page = context.pages()[0] ?? (await context.newPage());
	page.setDefaultTimeout(30_000);
	const shot = (name: string): Promise<unknown> => page.screenshot({ path: path.join(out, name), timeout: 15_000 }).catch(() => {});

	try {
		await page.goto(`${base}/?folder=${encodeURIComponent(workspace)}`, { timeout: 60_000 });
		await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 60_000 });
		// The explorer shows the workspace once the remote file system is up.
		await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'sum.c' }).first().waitFor({ timeout: 60_000 });

		// Open sum.c with Quick Open and go to the line of the call to add.
		await openFile(page, 'sum.c');
		await page.keyboard.press('Control+G');
		await page.locator('.quick-input-widget input').waitFor({ state: 'visible' });
		await page.keyboard.type(String(LINES.mainCall));
		await page.keyboard.press('Enter');
		await page.waitForTimeout(300);

		// F9: a breakpoint glyph appears on that line.
		await page.keyboard.press('F9');
		await page.locator('.monaco-editor .codicon-debug-breakpoint').first().waitFor({ timeout: 15_000 });

		// F5: start debugging with the launch.json configuration (type dap-ptrace).
		await page.keyboard.press('F5');
		const callStack = page.locator('.debug-call-stack');
		const topFrame = callStack.locator('.monaco-list-row .stack-frame').first();
		await topFrame.waitFor({ timeout: 60_000 }).catch(async (err) => {
			await shot('failure-waiting-for-stop.png');
			throw new Error(`no stop shown in the Call Stack view: ${(err as Error).message} (screenshot failure-waiting-for-stop.png, code-server.log)`);
		});
		// The current-line decoration is on the breakpoint line of sum.c.
		await page.locator('.debug-top-stack-frame-line').first().waitFor({ timeout: 15_000 });
		const frameName = (await topFrame.locator('.label').first().innerText()).trim();
		const frameFile = (await topFrame.locator('.file').first().innerText()).replace(/\s+/g, ' ').trim();
		t.diagnostic(`Call Stack top frame: ${frameName} ${frameFile}`);
		assert.equal(frameName, 'main');
		await page.locator('.pane-header').filter({ hasText: /call stack/i }).getByText(/paused on breakpoint/i).first().waitFor({ timeout: 10_000 });
		assert.match(frameFile, new RegExp(`sum\\.c\\s*${LINES.mainCall}(:\\d+)?`));
		const activeLine = await page.locator('.monaco-editor .current-line').first().boundingBox();
		assert.ok(activeLine, 'the editor shows the current line');
		const tab = (await page.locator('.tabs-container .tab.active').first().innerText()).trim();
		assert.match(tab, /sum\.c/);

		// Variables view: count = 42, if the adapter answers scopes/variables.
		const varsView = page.locator('.debug-variables');
		if (variables.ok) {
			const row = varsView.locator('.monaco-list-row', { hasText: 'count' }).first();
			await row.waitFor({ timeout: 15_000 });
			const text = (await row.innerText()).replace(/\s+/g, ' ');
			t.diagnostic(`Variables row: ${text}`);
			assert.match(text, /count\s*[:=]?\s*42/);
		} else {
			const note = `variables not supported by the adapter yet (${variables.why}): Variables view not asserted`;
			console.log(note);
			t.diagnostic(note);
		}

		await page.waitForTimeout(500);
		await page.screenshot({ path: path.join(out, 'stopped.png'), timeout: 15_000 });
		t.diagnostic(`screenshot: ${path.join(out, 'stopped.png')}`);

		// Shift+F5: the session ends and the Call Stack empties.
		await page.locator('.monaco-editor textarea').first().focus().catch(() => {});
		await page.keyboard.press('Shift+F5');
		await callStack.locator('.monaco-list-row .stack-frame').first().waitFor({ state: 'detached', timeout: 30_000 });
		await page.locator('.debug-toolbar').waitFor({ state: 'hidden', timeout: 30_000 });
		await shot('after-stop.png');

		// F5 again with no launch.json: the extension's configuration provider
		// launches the program built from the active sum.c.
		fs.rmSync(path.join(workspace, '.vscode'), { recursive: true, force: true });
		await page.waitForTimeout(1_000);
		await openFile(page, 'sum.c');
		await page.keyboard.press('F5');
		// VS Code may ask which debugger to use for the C file.
		const picker = page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: 'dap-ptrace (native)' }).first();
		const stoppedAgain = callStack.locator('.monaco-list-row .stack-frame').first();
		await Promise.race([
			picker.waitFor({ timeout: 30_000 }).then(() => picker.click()),
			stoppedAgain.waitFor({ timeout: 30_000 }),
		]);
		await stoppedAgain.waitFor({ timeout: 60_000 }).catch(async (err) => {
			await shot('failure-no-launch-json.png');
			throw new Error(`F5 without launch.json did not stop: ${(err as Error).message}`);
		});
		assert.equal((await stoppedAgain.locator('.label').first().innerText()).trim(), 'main');
		assert.match((await stoppedAgain.locator('.file').first().innerText()).replace(/\s+/g, ' '), new RegExp(`sum\\.c\\s*${LINES.mainCall}`));
		// The session is the provider's "Launch sum" (the Debug Console's session picker names it).
		const sessions = await page.locator('select').evaluateAll((els) =>
			els.map((e) => (e as unknown as { selectedOptions: ArrayLike<{ textContent: string | null }> }).selectedOptions[0]?.textContent ?? ''),
		);
		t.diagnostic(`session without launch.json: ${JSON.stringify(sessions.filter((x) => x))}`);
		assert.ok(sessions.some((x) => x.includes('Launch sum')), `sessions shown: ${JSON.stringify(sessions)}`);
		await shot('stopped-no-launch-json.png');
		await page.keyboard.press('Shift+F5');
		await callStack.locator('.monaco-list-row .stack-frame').first().waitFor({ state: 'detached', timeout: 30_000 });
	} catch (err) {
		await shot('failure.png');
		throw err;
	}
});

async function openFile(page: Page, name: string): Promise<void> {
	await page.locator('.monaco-workbench').click({ position: { x: 700, y: 400 } }).catch(() => {});
	await page.keyboard.press('Control+P');
	const input = page.locator('.quick-input-widget input');
	await input.waitFor({ state: 'visible' });
	await page.keyboard.type(name);
	await page.locator('.quick-input-list .monaco-list-row', { hasText: name }).first().waitFor();
	await page.keyboard.press('Enter');
	await page.locator('.tabs-container .tab.active', { hasText: name }).waitFor();
	await page.locator('.monaco-editor .view-lines').first().waitFor();
}
