/** `mooncdn cache-rules` and `mooncdn access-control`: show, or set from a JSON file. */
import { Command } from 'commander';
import type { AccessControl, CachePolicy } from '../../client/index.js';
import { withClient, withConnection, type ConnectionFlags } from './connection.js';
import { changeOptions, withChange, type IdempotencyFlags } from './idempotency-key.js';
import { readJson } from './input-file.js';
import { printJson, printLines, table } from './output.js';
import { reportAccepted } from './endpoint-commands.js';
import { withWait, type WaitFlags } from './wait.js';

type Flags = ConnectionFlags & WaitFlags & IdempotencyFlags & { file?: string };

export function cacheRulesCommand(setExitCode: (code: number) => void): Command {
  const command = new Command('cache-rules')
    .description('Show or set the cache rules of an endpoint')
    .addHelpText('after', '\nExamples:\n  mooncdn cache-rules show 46fecf3c-e874-49aa-891d-0d4dc93213e0 --json > rules.json\n  mooncdn cache-rules set 46fecf3c-e874-49aa-891d-0d4dc93213e0 --file rules.json --wait');
  withConnection(command.command('show').description('Show the cache rules').argument('<id>', 'Endpoint id'))
    .addHelpText('after', '\nExample:\n  mooncdn cache-rules show 46fecf3c-e874-49aa-891d-0d4dc93213e0 --json > rules.json')
    .action((id: string, flags: Flags) =>
      withClient(flags, async (client) => {
        const policy = await client.getCacheRules(id);
        if (flags.json) printJson(policy);
        else printLines(describeCachePolicy(policy));
      }),
    );
  withWait(withChange(command.command('set').description('Replace the cache rules with a CachePolicy JSON file').argument('<id>', 'Endpoint id').requiredOption('--file <file>', 'CachePolicy JSON ("-" for stdin)')))
    .addHelpText(
      'after',
      '\nExample:\n  echo \'{"Rules":[{"Type":"Suffix","Items":[".jpg",".png"],"TTL":86400}],"IgnoreQueryString":true}\' | mooncdn cache-rules set 46fecf3c-e874-49aa-891d-0d4dc93213e0 --file - --wait',
    )
    .action((id: string, flags: Flags) =>
      withClient(flags, async (client) => reportAccepted(client, id, await client.updateCacheRules(id, readJson(flags.file!), changeOptions(flags)), flags, setExitCode)),
    );
  return command;
}

export function accessControlCommand(setExitCode: (code: number) => void): Command {
  const command = new Command('access-control')
    .description('Show or set the access control of an endpoint')
    .addHelpText('after', '\nExamples:\n  mooncdn access-control show 46fecf3c-e874-49aa-891d-0d4dc93213e0 --json > acl.json\n  mooncdn access-control set 46fecf3c-e874-49aa-891d-0d4dc93213e0 --file acl.json --wait');
  withConnection(command.command('show').description('Show forbidden IPs and referer control').argument('<id>', 'Endpoint id'))
    .addHelpText('after', '\nExample:\n  mooncdn access-control show 46fecf3c-e874-49aa-891d-0d4dc93213e0')
    .action((id: string, flags: Flags) =>
      withClient(flags, async (client) => {
        const policy = await client.getAccessControl(id);
        if (flags.json) printJson(policy);
        else printLines(describeAccessControl(policy));
      }),
    );
  withWait(withChange(command.command('set').description('Replace the access control with an AccessControl JSON file').argument('<id>', 'Endpoint id').requiredOption('--file <file>', 'AccessControl JSON ("-" for stdin)')))
    .addHelpText(
      'after',
      '\nExample:\n  echo \'{"ForbiddenIps":["203.0.113.0/24"],"RefererControl":{"Enabled":true,"PathPatterns":["/img/*"],"Referers":["*.example.com"],"RefererControlType":"AllowList"}}\' \\\n    | mooncdn access-control set 46fecf3c-e874-49aa-891d-0d4dc93213e0 --file - --wait',
    )
    .action((id: string, flags: Flags) =>
      withClient(flags, async (client) => reportAccepted(client, id, await client.updateAccessControl(id, readJson(flags.file!), changeOptions(flags)), flags, setExitCode)),
    );
  return command;
}

function describeCachePolicy(policy: CachePolicy): string[] {
  const rules = policy.Rules.length === 0 ? ['No rules: the origin\'s Cache-Control decides.'] : table(['TYPE', 'TTL (s)', 'ITEMS'], policy.Rules.map((r) => [r.Type, String(r.TTL), r.Items.join(' ')]));
  return [...rules, `IgnoreCacheControl ${policy.IgnoreCacheControl}, IgnoreQueryString ${policy.IgnoreQueryString}, IgnoreCookie ${policy.IgnoreCookie}`];
}

function describeAccessControl(policy: AccessControl): string[] {
  const referer = policy.RefererControl;
  return [
    `Forbidden IPs   ${policy.ForbiddenIps.length ? policy.ForbiddenIps.join(', ') : 'none'}`,
    `Referer control ${referer.Enabled ? `${referer.RefererControlType} of ${referer.Referers.join(', ') || 'no referers'} on ${referer.PathPatterns.join(', ') || 'every path'}` : 'off'}`,
  ];
}
