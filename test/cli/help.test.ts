/**
 * The help of every command, read from the command tree the binary runs (src/cli/program.ts),
 * without a process per command; help-and-errors.e2e.test.ts checks the binary prints it.
 */
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/program.js';

/** The help a user gets for `mooncdn WORDS --help`, with the text added after it. */
function helpOf(words: readonly string[]): string {
  let command: Command = buildProgram(() => undefined);
  for (const word of words) command = command.commands.find((c) => c.name() === word)!;
  let text = '';
  command.configureOutput({ writeOut: (chunk) => (text += chunk), writeErr: (chunk) => (text += chunk) });
  command.outputHelp();
  return text;
}

const groups: Record<string, string[]> = {
  endpoint: ['list', 'show', 'create', 'update', 'delete', 'enable', 'disable'],
  'cache-rules': ['show', 'set'],
  'access-control': ['show', 'set'],
  operation: ['show'],
  traffic: ['volume', 'bandwidth'],
  certificate: ['upload', 'list', 'show', 'bind'],
};

const connection = ['--api-url', '--subscription-id', '--key-id', '--key-value', '--ca', '--tls-servername', '--insecure', '--json'];
const wait = ['--wait', '--timeout'];
/** Every command that changes something takes --idempotency-key. */
const change = ['--idempotency-key'];
const commands: Record<string, string[]> = {
  'endpoint list': [],
  'endpoint show': [],
  'endpoint create': ['--domain', '--origin', '--host', '--icp', '--service-type', ...wait, ...change],
  'endpoint update': ['--origin', '--host', ...wait, ...change],
  'endpoint delete': [...wait, ...change],
  'endpoint enable': [...wait, ...change],
  'endpoint disable': [...wait, ...change],
  'cache-rules show': [],
  'cache-rules set': ['--file', ...wait, ...change],
  'access-control show': [],
  'access-control set': ['--file', ...wait, ...change],
  purge: ['--batch-size', '--tag', '--endpoint', '--soft', ...wait, ...change],
  preload: ['--batch-size', ...wait, ...change],
  'operation show': [],
  'traffic volume': ['--from', '--to', '--granularity'],
  'traffic bandwidth': ['--from', '--to', '--granularity'],
  'certificate upload': ['--name', '--cert', '--key', ...change],
  'certificate list': [],
  'certificate show': [],
  'certificate bind': [...wait, ...change],
};

describe('help', () => {
  it.each(Object.entries(groups))('mooncdn %s --help lists its commands with an example', (group, subcommands) => {
    const help = helpOf([group]);
    for (const sub of subcommands) expect(help).toMatch(new RegExp(`^  ${sub} `, 'm'));
    expect(help).toMatch(new RegExp(`Examples?:\\n  mooncdn ${group} `));
  });

  it.each(Object.entries(commands))('mooncdn %s --help lists every flag with an example', (command, flags) => {
    const help = helpOf(command.split(' '));
    expect(help).toContain(`Usage: mooncdn ${command} [options]`);
    const options = /Options:\n([\s\S]*?)\n\n/.exec(help)![1]!;
    const listed = [...options.matchAll(/^  (?:-\w, )?(--[\w-]+)/gm)].map((match) => match[1]);
    expect([...listed].sort()).toEqual([...connection, ...flags, '--help'].sort());
    const examples = /\nExamples?:\n([\s\S]*)$/.exec(help)?.[1];
    expect(examples).toContain(`mooncdn ${command} `);
  });

  it('mooncdn serve --help lists every flag with an example', () => {
    const help = helpOf(['serve']);
    for (const flag of ['--host', '--port', '--edge-port', '--data-dir', '--database-url', '--tls-cert', '--tls-key', '--log-format', '--cname-suffix']) expect(help).toContain(flag);
    expect(help).toContain('Example:');
  });

  it("the scaled processes describe serve's flags by what they do there", () => {
    /** The description of one flag in a help text (commander wraps long ones onto more lines). */
    const describedAs = (help: string, flag: string) => new RegExp(`^  ${flag} <value>\\s+([\\s\\S]*?)\\n  -`, 'm').exec(help)![1]!.replace(/\s+/g, ' ');
    const edge = helpOf(['edge']);
    // An edge has no database: --data-dir only places the disk tier.
    expect(describedAs(edge, '--data-dir')).not.toContain('SQLite');
    expect(describedAs(edge, '--data-dir')).toContain('disk tier');
    expect(describedAs(edge, '--edge-status-port')).toContain('/healthz, /readyz and /metrics');
    // A worker connects to webhooks, not to origins.
    expect(describedAs(helpOf(['worker']), '--edge-origin-deny')).toContain('webhook URLs');
    expect(describedAs(helpOf(['serve']), '--data-dir')).toContain('SQLite');
  });
});
