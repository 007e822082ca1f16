/**
 * Installing the command and the client outside the clone, as the README says: `npm install -g`
 * of the clone, and `npm install <clone>` in another project. (npm links a local folder, so no
 * registry is involved.) And what a packed package would hold.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const CLONE = join(import.meta.dirname, '..', '..');

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mooncdn-install-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('installing outside the clone', () => {
  it('npm install -g puts a mooncdn command on the PATH that runs from any directory', async () => {
    const prefix = join(dir, 'global');
    await run('npm', ['install', '-g', '--prefix', prefix, '--no-audit', '--no-fund', CLONE], { cwd: dir });
    const version = await run(join(prefix, 'bin', 'mooncdn'), ['--version'], { cwd: dir });
    expect(version.stdout).toBe(`${(await import('../../package.json', { with: { type: 'json' } })).default.version}\n`);
    const help = await run(join(prefix, 'bin', 'mooncdn'), ['purge', '--help'], { cwd: dir });
    expect(help.stdout).toContain('Usage: mooncdn purge');
  });

  it('npm install of the clone in another project gives it mooncdn/client, mooncdn/signing and mooncdn/signing/web', async () => {
    const project = join(dir, 'app');
    await run('mkdir', ['-p', project]);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', type: 'module', private: true }));
    await run('npm', ['install', '--no-audit', '--no-fund', CLONE], { cwd: project });
    const script = "import { MooncdnClient, MooncdnError } from 'mooncdn/client'; import { signRequest } from 'mooncdn/signing'; " +
      "import { signRequestWithWebCrypto } from 'mooncdn/signing/web'; " +
      "const headers = signRequest('GET', 'http://127.0.0.1:7070/subscriptions/s/endpoints?apiVersion=1.0', { keyId: 'k', keyValue: 'v' }); " +
      "const web = await signRequestWithWebCrypto('GET', 'http://127.0.0.1:7070/subscriptions/s/endpoints?apiVersion=1.0', { keyId: 'k', keyValue: 'v' }, new Date(headers['x-azurecdn-request-date'].replace(' ', 'T') + 'Z')); " +
      "console.log(typeof MooncdnClient, typeof MooncdnError, Object.keys(headers).sort().join(), web.authorization === headers.authorization)";
    const imported = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: project });
    expect(imported.stdout).toBe('function function authorization,x-azurecdn-request-date true\n');
  });

  it('a packed package holds the built command, client and docs, and no tests', async () => {
    const { stdout } = await run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: CLONE });
    const files = (JSON.parse(stdout) as Array<{ files: Array<{ path: string }> }>)[0]!.files.map((f) => f.path);
    for (const file of ['dist/cli/main.js', 'dist/client/index.js', 'dist/client/index.d.ts', 'dist/signing/index.js', 'dist/signing/index.d.ts', 'dist/signing/sign-request-web.js', 'dist/console/index.html', 'dist/console/app.js', 'dist/console/app.css', 'README.md', 'LICENSE', 'docs/api.md', 'package.json']) {
      expect(files).toContain(file);
    }
    expect(files.filter((file) => file.startsWith('test/') || file.startsWith('src/'))).toEqual([]);
  });
});
