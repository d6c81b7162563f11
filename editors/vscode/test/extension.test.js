// Tests of the extension without VS Code: `vscode` and `vscode-languageclient/node` are stubs
// that record what the extension asks of them. Run with `node --test editors/vscode/test/`
// (Node 18+, no npm install); tests/vscode.rs runs it when node is on PATH.
'use strict';

const test = require('node:test');
const assert = require('node:assert');
const fs = require('node:fs');
const path = require('node:path');
const Module = require('node:module');

const root = path.join(__dirname, '..');
const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));

// What the stubs saw, reset by `load`.
let seen;
let settings;

const stubs = {
  vscode: {
    workspace: {
      getConfiguration: (section) => {
        seen.sections.push(section);
        return { get: (key) => settings[key] };
      },
      get workspaceFolders() {
        return settings.folder ? [{ uri: { fsPath: settings.folder } }] : undefined;
      },
      createFileSystemWatcher: (glob) => ({ glob }),
    },
  },
  'vscode-languageclient/node': {
    TransportKind: { stdio: 0, ipc: 1, pipe: 2, socket: 3 },
    LanguageClient: class {
      constructor(id, name, server, clientOptions) {
        Object.assign(this, { id, name, server, clientOptions, started: false, stopped: false });
        seen.clients.push(this);
      }
      start() {
        this.started = true;
        return Promise.resolve();
      }
      stop() {
        this.stopped = true;
        return Promise.resolve();
      }
    },
  },
};

const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  return request in stubs ? request : resolve.call(this, request, ...rest);
};
for (const [name, exports] of Object.entries(stubs)) {
  require.cache[name] = { id: name, filename: name, loaded: true, exports };
}

/** A fresh copy of the extension with these settings. */
function load(s) {
  settings = s;
  seen = { sections: [], clients: [] };
  const main = path.join(root, manifest.main);
  delete require.cache[require.resolve(main)];
  return require(main);
}

test('activate starts `zhidu lsp` over stdio with the settings', () => {
  const ext = load({ path: '/opt/bin/zhidu', policy: '/srv/pack', folder: '/srv/org' });
  const context = { subscriptions: [] };
  ext.activate(context);
  assert.deepStrictEqual(seen.sections, ['zhidu']);
  assert.strictEqual(seen.clients.length, 1);
  const c = seen.clients[0];
  assert.strictEqual(c.server.command, '/opt/bin/zhidu');
  assert.deepStrictEqual(c.server.args, ['lsp', '--policy', '/srv/pack']);
  assert.deepStrictEqual(c.server.options, { cwd: '/srv/org' });
  assert.strictEqual(c.server.transport, stubs['vscode-languageclient/node'].TransportKind.stdio);
  assert.ok(c.started, 'the client is started');
  assert.strictEqual(context.subscriptions.length, 1, 'stopped with the extension');
});

test('defaults: `zhidu` on PATH, no --policy, no folder', () => {
  const ext = load({ path: '', policy: '' });
  ext.activate({ subscriptions: [] });
  const c = seen.clients[0];
  assert.strictEqual(c.server.command, 'zhidu');
  assert.deepStrictEqual(c.server.args, ['lsp']);
  assert.deepStrictEqual(c.server.options, {});
});

test('the documents served are .zd files and org data (TOML, CSV)', () => {
  const ext = load({});
  ext.activate({ subscriptions: [] });
  const selector = seen.clients[0].clientOptions.documentSelector;
  const language = manifest.contributes.languages[0].id;
  assert.ok(selector.some((s) => s.language === language && s.scheme === 'file'), JSON.stringify(selector));
  for (const ext of ['toml', 'csv']) {
    assert.ok(selector.some((s) => s.pattern === `**/*.${ext}`), `${ext}: ${JSON.stringify(selector)}`);
  }
});

test('deactivate stops the client, and is safe before activate', async () => {
  let ext = load({});
  assert.strictEqual(ext.deactivate(), undefined);
  ext = load({});
  ext.activate({ subscriptions: [] });
  await ext.deactivate();
  assert.ok(seen.clients[0].stopped);
});

test('package.json: every setting the extension reads is declared, with a default', () => {
  const js = fs.readFileSync(path.join(root, manifest.main), 'utf8');
  const read = [...js.matchAll(/config\.get\('([^']+)'\)/g)].map((m) => m[1]);
  assert.ok(read.length >= 2, `settings read: ${read}`);
  const props = manifest.contributes.configuration.properties;
  for (const key of read) {
    const p = props[`zhidu.${key}`];
    assert.ok(p, `zhidu.${key} is not declared in package.json`);
    assert.ok('default' in p && typeof p.description === 'string', `zhidu.${key}`);
  }
});

test('package.json: a loadable extension manifest', () => {
  for (const key of ['name', 'publisher', 'version', 'main', 'engines']) {
    assert.ok(manifest[key], `missing ${key}`);
  }
  assert.match(manifest.version, /^\d+\.\d+\.\d+$/);
  assert.match(manifest.engines.vscode, /^\^\d+\.\d+\.\d+$/);
  assert.ok(fs.existsSync(path.join(root, manifest.main)), manifest.main);
  assert.ok(manifest.dependencies['vscode-languageclient'], 'the client library is a dependency');
  const lang = manifest.contributes.languages[0];
  assert.deepStrictEqual(lang.extensions, ['.zd']);
  const config = JSON.parse(fs.readFileSync(path.join(root, lang.configuration), 'utf8'));
  assert.strictEqual(config.comments.lineComment, '#');
  const grammar = manifest.contributes.grammars[0];
  assert.strictEqual(grammar.language, lang.id);
  const tm = JSON.parse(fs.readFileSync(path.join(root, grammar.path), 'utf8'));
  assert.strictEqual(tm.scopeName, grammar.scopeName);
  // Activation: a workspace with an org or a pack; opening a .zd file activates through the
  // language contribution (implicit `onLanguage` since VS Code 1.74).
  assert.ok(manifest.activationEvents.includes('workspaceContains:**/zhidu.toml'));
  const [major, minor] = manifest.engines.vscode.slice(1).split('.').map(Number);
  assert.ok(major > 1 || minor >= 74, 'implicit onLanguage activation needs VS Code 1.74');
});
