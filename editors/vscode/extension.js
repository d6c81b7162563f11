// zhidu for VS Code: starts `zhidu lsp` and connects it to `.zd` files and the org data
// (TOML/CSV files of a directory with a zhidu.toml). Plain JavaScript, no build step.
'use strict';

const vscode = require('vscode');
const { LanguageClient, TransportKind } = require('vscode-languageclient/node');

let client;

function activate(context) {
  const config = vscode.workspace.getConfiguration('zhidu');
  const command = config.get('path') || 'zhidu';
  const args = ['lsp'];
  const policy = config.get('policy');
  if (policy) {
    args.push('--policy', policy);
  }
  const folder = vscode.workspace.workspaceFolders && vscode.workspace.workspaceFolders[0];
  const options = folder ? { cwd: folder.uri.fsPath } : {};
  const server = { command, args, options, transport: TransportKind.stdio };
  const clientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'zhidu' },
      // Org data: zhidu answers only for files under a directory holding zhidu.toml.
      { scheme: 'file', pattern: '**/*.toml' },
      { scheme: 'file', pattern: '**/*.csv' },
    ],
    synchronize: { fileEvents: vscode.workspace.createFileSystemWatcher('**/{*.zd,zhidu.toml}') },
  };
  client = new LanguageClient('zhidu', 'zhidu', server, clientOptions);
  client.start();
  context.subscriptions.push({ dispose: () => client && client.stop() });
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
