/** `mooncdn operation show ENDPOINT_ID OPERATION_ID` and `mooncdn operation list [ENDPOINT_ID]` */
import { Command, Option } from 'commander';
import type { Operation, OperationListOptions } from '../../client/index.js';
import { OPERATION_STATUSES, OPERATION_TYPES } from '../../contract/enums.js';
import { withClient, withConnection, UsageError, type ConnectionFlags } from './connection.js';
import { describeOperation, printJson, printLines, table } from './output.js';

interface ListFlags extends ConnectionFlags {
  readonly status?: Operation['Status'];
  readonly type?: Operation['Type'];
  readonly since?: string;
  readonly until?: string;
  readonly top?: string;
  readonly all?: boolean;
  readonly continuationToken?: string;
}

export function operationCommand(): Command {
  const operation = new Command('operation')
    .description('Read asynchronous operations')
    .addHelpText('after', '\nExample:\n  mooncdn operation show 46fecf3c-e874-49aa-891d-0d4dc93213e0 a97459bf-e4c4-4d4f-94e4-b775f0f09f31');
  withConnection(operation.command('show').description('Show an operation: NotSet, Processing, Succeeded or Failed').argument('<endpointId>', 'Endpoint id').argument('<operationId>', 'Operation id (the TaskTrackId)'))
    .addHelpText('after', '\nExample:\n  mooncdn operation show 46fecf3c-e874-49aa-891d-0d4dc93213e0 a97459bf-e4c4-4d4f-94e4-b775f0f09f31 --json | jq -r .Status')
    .action((endpointId: string, operationId: string, flags: ConnectionFlags) =>
      withClient(flags, async (client) => {
        const found = await client.getOperation(endpointId, operationId);
        if (flags.json) printJson(found);
        else printLines(describeOperation(found));
      }),
    );

  withConnection(
    operation
      .command('list')
      .description('List operations, newest first: of the subscription, or of one endpoint (a mooncdn extension)')
      .argument('[endpointId]', 'Only this endpoint\'s operations')
      .addOption(new Option('--status <status>', 'Only operations in this status').choices([...OPERATION_STATUSES]))
      .addOption(new Option('--type <type>', 'Only operations of this type').choices([...OPERATION_TYPES]))
      .option('--since <time>', 'Accepted at or after, yyyy-MM-ddTHH:mm:ssZ')
      .option('--until <time>', 'Accepted at or before, yyyy-MM-ddTHH:mm:ssZ')
      .option('--top <n>', 'How many (1 to 500; 50 by default)')
      .option('--all', 'Every page, not only the newest')
      .option('--continuation-token <token>', 'The page after the one that gave this ContinuationToken (same filters)'),
  )
    .addHelpText(
      'after',
      '\nExamples:\n  mooncdn operation list --status Failed\n  mooncdn operation list 46fecf3c-e874-49aa-891d-0d4dc93213e0 --type Purge --all --json | jq length' +
        '\n  mooncdn operation list --top 100 --json | jq -r .ContinuationToken   # then: --top 100 --continuation-token TOKEN',
    )
    .action((endpointId: string | undefined, flags: ListFlags) =>
      withClient(flags, async (client) => {
        const top = flags.top === undefined ? undefined : Number(flags.top);
        if (top !== undefined && !(Number.isInteger(top) && top >= 1 && top <= 500)) throw new UsageError(`--top "${flags.top}" must be a whole number from 1 to 500.`);
        const query: OperationListOptions = {
          ...(endpointId !== undefined && { endpointId }),
          ...(flags.status && { status: flags.status }),
          ...(flags.type && { type: flags.type }),
          ...(flags.since && { startTime: flags.since }),
          ...(flags.until && { endTime: flags.until }),
          ...(top !== undefined && { top }),
        };
        const operations: Operation[] = [];
        let page = await client.listOperations({ ...query, ...(flags.continuationToken && { continuationToken: flags.continuationToken }) });
        operations.push(...page.Operations);
        while (flags.all && page.ContinuationToken) {
          page = await client.listOperations({ ...query, continuationToken: page.ContinuationToken });
          operations.push(...page.Operations);
        }
        if (flags.json) printJson(flags.all ? operations : page);
        else printLines(operationTable(operations, flags.all ? null : page.ContinuationToken));
      }),
    );
  return operation;
}

/** The operations, and how to ask for the next page when there is one (`next`: its token). */
function operationTable(operations: readonly Operation[], next: string | null): string[] {
  if (operations.length === 0) return ['No operations.'];
  const rows = operations.map((o) => [o.Id, o.Type, o.Status, o.Start, o.EndpointId]);
  const more = next === null ? [] : [`More: --continuation-token ${next} shows the next page; --all lists every page.`];
  return [...table(['ID', 'TYPE', 'STATUS', 'START', 'ENDPOINT'], rows), ...more];
}
