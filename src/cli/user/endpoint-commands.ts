/** `mooncdn endpoint ...`: list, show, create, update, delete, enable, disable. */
import { Command, InvalidArgumentError, Option } from 'commander';
import { SERVICE_TYPES } from '../../contract/enums.js';
import type { Accepted, ChangeOptions, MooncdnClient } from '../../client/index.js';
import { withClient, withConnection, UsageError, type ConnectionFlags } from './connection.js';
import { changeOptions, withChange, type IdempotencyFlags } from './idempotency-key.js';
import { describeEndpoint, endpointTable, printJson, printLines } from './output.js';
import { waitAndReport, withWait, type WaitFlags } from './wait.js';

type Flags = ConnectionFlags & WaitFlags & IdempotencyFlags;

export function endpointCommand(setExitCode: (code: number) => void): Command {
  const endpoint = new Command('endpoint')
    .description('Manage endpoints (the domains the CDN serves)')
    .addHelpText(
      'after',
      '\nExamples:\n  mooncdn endpoint create --domain cdn.example.com --origin origin.example.com --wait\n  mooncdn endpoint list\n  mooncdn endpoint COMMAND --help   # every flag of a command, with an example',
    );

  withConnection(endpoint.command('list').description('List the endpoints of the subscription'))
    .addHelpText('after', '\nExample:\n  mooncdn endpoint list --json | jq -r \'.[].Setting.CustomDomain\'')
    .action((flags: Flags) =>
      withClient(flags, async (client) => {
        const endpoints = await client.listEndpoints();
        if (flags.json) printJson(endpoints);
        else printLines(endpointTable(endpoints));
      }),
    );

  withConnection(endpoint.command('show').description('Show one endpoint').argument('<id>', 'Endpoint id'))
    .addHelpText('after', '\nExample:\n  mooncdn endpoint show 46fecf3c-e874-49aa-891d-0d4dc93213e0')
    .action((id: string, flags: Flags) =>
      withClient(flags, async (client) => {
        const found = await client.getEndpoint(id);
        if (flags.json) printJson(found);
        else printLines(describeEndpoint(found));
      }),
    );

  withWait(
    withChange(
      endpoint
        .command('create')
        .description('Create an endpoint serving --domain from --origin')
        .requiredOption('--domain <domain>', 'The domain the CDN serves (CustomDomain)')
        .requiredOption('--origin <addresses>', 'Origin addresses, comma-separated: host, host:port, IPv4 or [IPv6]:port', list)
        .option('--host <host>', "Host header sent to the origin (default: the first origin's host name, or the domain when that origin is an IP address)")
        .option('--icp <number>', 'ICP filing number')
        .addOption(new Option('--service-type <type>', 'Acceleration type').choices(SERVICE_TYPES).default('Web')),
    ),
  )
    .addHelpText('after', '\nExample:\n  mooncdn endpoint create --domain cdn.example.com --origin origin.example.com:8081 --wait')
    .action((flags: Flags & { domain: string; origin: string[]; host?: string; icp?: string; serviceType: string }) =>
      withClient(flags, async (client) => {
        const created = await client.createEndpoint({
          CustomDomain: flags.domain,
          Origin: { Addresses: flags.origin },
          ServiceType: flags.serviceType,
          ...(flags.host !== undefined ? { Host: flags.host } : {}),
          ...(flags.icp !== undefined ? { ICP: flags.icp } : {}),
        }, changeOptions(flags));
        if (flags.wait) return setExitCode(await waitAndReport(client, [{ endpointId: created.body.EndpointID, operationId: created.operationId, kind: 'other' }], Boolean(flags.json), false, flags.timeout!));
        if (flags.json) printJson(created.body);
        else printLines([...describeEndpoint(created.body), `  Operation      ${created.operationId} (follow it with: mooncdn operation show ${created.body.EndpointID} ${created.operationId})`]);
      }),
    );

  withWait(
    withChange(
      endpoint
        .command('update')
        .description('Change the origin addresses or the Host header the origin gets (one at a time)')
        .argument('<id>', 'Endpoint id')
        .option('--origin <addresses>', 'New origin addresses, comma-separated', list)
        .option('--host <host>', 'New Host header for the origin'),
    ),
  )
    .addHelpText('after', '\nExamples:\n  mooncdn endpoint update 46fecf3c-e874-49aa-891d-0d4dc93213e0 --origin a.example.com,b.example.com --wait\n  mooncdn endpoint update 46fecf3c-e874-49aa-891d-0d4dc93213e0 --host www.example.com')
    .action((id: string, flags: Flags & { origin?: string[]; host?: string }) => {
      if ((flags.origin === undefined) === (flags.host === undefined)) throw new UsageError('Give exactly one of --origin or --host.');
      return withClient(flags, async (client) => {
        const update = flags.origin
          ? ({ EndpointSettings: { Origin: { Addresses: flags.origin } }, UpdateFlag: 'Origin' } as const)
          : ({ EndpointSettings: { Host: flags.host! }, UpdateFlag: 'HostHeader' } as const);
        await reportAccepted(client, id, await client.updateEndpoint(id, update, changeOptions(flags)), flags, setExitCode);
      });
    });

  const simple: Array<[string, string, (client: MooncdnClient, id: string, options: ChangeOptions) => Promise<Accepted>]> = [
    ['delete', 'Delete an endpoint (its domain stops being served)', (client, id, options) => client.deleteEndpoint(id, options)],
    ['enable', 'Enable an endpoint', (client, id, options) => client.enableEndpoint(id, options)],
    ['disable', 'Disable an endpoint (the edge answers 403)', (client, id, options) => client.disableEndpoint(id, options)],
  ];
  for (const [name, description, call] of simple) {
    withWait(withChange(endpoint.command(name).description(description).argument('<id>', 'Endpoint id')))
      .addHelpText('after', `\nExample:\n  mooncdn endpoint ${name} 46fecf3c-e874-49aa-891d-0d4dc93213e0 --wait`)
      .action((id: string, flags: Flags) => withClient(flags, async (client) => reportAccepted(client, id, await call(client, id, changeOptions(flags)), flags, setExitCode)));
  }
  return endpoint;
}

/** After an asynchronous call: wait and report, or say it was accepted. */
export async function reportAccepted(client: MooncdnClient, endpointId: string, accepted: Accepted, flags: Flags, setExitCode: (code: number) => void): Promise<void> {
  if (flags.wait) {
    setExitCode(await waitAndReport(client, [{ endpointId, operationId: accepted.operationId, kind: 'other' }], Boolean(flags.json), false, flags.timeout!));
    return;
  }
  if (flags.json) printJson(accepted.body);
  else printLines([`Accepted: operation ${accepted.operationId} (${accepted.body.AsyncInfo.TaskStatus}). Follow it with: mooncdn operation show ${endpointId} ${accepted.operationId}`]);
}

function list(value: string): string[] {
  const items = value.split(',').map((item) => item.trim()).filter(Boolean);
  if (items.length === 0) throw new InvalidArgumentError('give at least one address.');
  return items;
}
