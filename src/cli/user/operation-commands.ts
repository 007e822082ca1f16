/** `mooncdn operation show ENDPOINT_ID OPERATION_ID` */
import { Command } from 'commander';
import { withClient, withConnection, type ConnectionFlags } from './connection.js';
import { describeOperation, printJson, printLines } from './output.js';

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
  return operation;
}
