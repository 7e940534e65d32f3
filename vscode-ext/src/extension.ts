// The dap-ptrace extension: it finds the adapter binary and starts it, helps
// write launch configurations, and lists processes for attach. Everything a
// debug session does is the adapter's business.

import * as vscode from 'vscode';
import { AdapterNotFoundError, findAdapter } from './adapterPath';
import { DEBUG_TYPE, DebugConfig, EditorContext, finalizeConfiguration, resolveConfiguration } from './config';
import { listProcesses, processItem } from './processes';

function editorContext(): EditorContext {
	const doc = vscode.window.activeTextEditor?.document;
	if (!doc || doc.uri.scheme !== 'file') {
		return {};
	}
	return { activeFile: { path: doc.uri.fsPath, languageId: doc.languageId } };
}

class AdapterFactory implements vscode.DebugAdapterDescriptorFactory {
	constructor(private readonly context: vscode.ExtensionContext, private readonly log: vscode.OutputChannel) {}

	createDebugAdapterDescriptor(session: vscode.DebugSession): vscode.ProviderResult<vscode.DebugAdapterDescriptor> {
		const setting = vscode.workspace.getConfiguration('dap-ptrace', session.workspaceFolder).get<string>('adapterPath');
		try {
			const found = findAdapter({
				configPath: session.configuration.adapterPath,
				settingPath: setting,
				extensionPath: this.context.extensionPath,
				envPath: process.env.PATH,
				baseDir: session.workspaceFolder?.uri.fsPath,
			});
			this.log.appendLine(`starting ${found.path} (${found.source}) for "${session.name}"`);
			return new vscode.DebugAdapterExecutable(found.path, []);
		} catch (err) {
			if (err instanceof AdapterNotFoundError) {
				this.log.appendLine(`${err.message}\n  tried: ${err.tried.join(', ') || '(nothing)'}`);
			}
			throw err;
		}
	}
}

// The launch.json written by "create a launch.json file" comes from
// initialConfigurations in package.json; this provider fills and checks
// configurations as they start.
class ConfigurationProvider implements vscode.DebugConfigurationProvider {
	resolveDebugConfiguration(
		_folder: vscode.WorkspaceFolder | undefined,
		config: vscode.DebugConfiguration,
	): vscode.ProviderResult<vscode.DebugConfiguration> {
		return settle(resolveConfiguration(config as DebugConfig, editorContext()));
	}

	resolveDebugConfigurationWithSubstitutedVariables(
		_folder: vscode.WorkspaceFolder | undefined,
		config: vscode.DebugConfiguration,
	): vscode.ProviderResult<vscode.DebugConfiguration> {
		return settle(finalizeConfiguration(config as DebugConfig));
	}
}

// An error is shown to the person and the start is abandoned (undefined).
function settle(r: { config: DebugConfig } | { error: string }): vscode.DebugConfiguration | undefined {
	if ('error' in r) {
		void vscode.window.showErrorMessage(r.error);
		return undefined;
	}
	return r.config as vscode.DebugConfiguration;
}

function dynamicConfigurations(): vscode.DebugConfiguration[] {
	const configs: vscode.DebugConfiguration[] = [];
	const launch = resolveConfiguration({}, editorContext());
	if ('config' in launch) {
		configs.push(launch.config as vscode.DebugConfiguration);
	}
	configs.push({ type: DEBUG_TYPE, request: 'attach', name: 'Attach to a process (dap-ptrace)', pid: '${command:pickProcess}' });
	return configs;
}

async function pickProcess(): Promise<string | undefined> {
	const items = listProcesses('/proc', process.pid).map(processItem);
	const picked = await vscode.window.showQuickPick(items, {
		title: 'Attach to process (dap-ptrace)',
		placeHolder: 'Type a name, pid or command line',
		matchOnDescription: true,
		matchOnDetail: true,
	});
	return picked?.pid;
}

export function activate(context: vscode.ExtensionContext): void {
	const log = vscode.window.createOutputChannel('dap-ptrace');
	const provider = new ConfigurationProvider();
	context.subscriptions.push(
		log,
		vscode.debug.registerDebugAdapterDescriptorFactory(DEBUG_TYPE, new AdapterFactory(context, log)),
		vscode.debug.registerDebugConfigurationProvider(DEBUG_TYPE, provider),
		// Offered in the Run and Debug view's list without any launch.json.
		vscode.debug.registerDebugConfigurationProvider(
			DEBUG_TYPE,
			{ provideDebugConfigurations: dynamicConfigurations },
			vscode.DebugConfigurationProviderTriggerKind.Dynamic,
		),
		vscode.commands.registerCommand('dap-ptrace.pickProcess', pickProcess),
	);
}

export function deactivate(): void {}
