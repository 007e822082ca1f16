/** The `mooncdn` command tree: every command, its flags and help, in the order `--help` lists them. */
import { Command } from 'commander';
import { adminCommand } from './admin-commands.js';
import { scaledCommand } from './scaled-commands.js';
import { serveCommand } from './serve-command.js';
import { purgeCommand, preloadCommand } from './user/content-commands.js';
import { certificateCommand } from './user/certificate-commands.js';
import { endpointCommand } from './user/endpoint-commands.js';
import { operationCommand } from './user/operation-commands.js';
import { accessControlCommand, cacheRulesCommand } from './user/policy-commands.js';
import { trafficCommand } from './user/traffic-commands.js';
import { webhookCommand } from './user/webhook-commands.js';

/** `setExitCode` receives the exit code of commands that wait for operations. */
export function buildProgram(setExitCode: (code: number) => void): Command {
  const program = new Command('mooncdn')
    .description('A self-hosted CDN with the Azure China CDN management API (v1.0).')
    .version('0.1.0')
    .configureOutput({ outputError: (text, write) => write(text) });

  program.addCommand(serveCommand());
  program.addCommand(scaledCommand('api'));
  program.addCommand(scaledCommand('worker'));
  program.addCommand(scaledCommand('edge'));
  program.addCommand(adminCommand());
  program.addCommand(endpointCommand(setExitCode));
  program.addCommand(cacheRulesCommand(setExitCode));
  program.addCommand(accessControlCommand(setExitCode));
  program.addCommand(purgeCommand(setExitCode));
  program.addCommand(preloadCommand(setExitCode));
  program.addCommand(operationCommand());
  program.addCommand(trafficCommand());
  program.addCommand(certificateCommand(setExitCode));
  program.addCommand(webhookCommand());
  program.addHelpText(
    'after',
    `
Commands that call the API read MOONCDN_API_URL, MOONCDN_SUBSCRIPTION_ID, MOONCDN_KEY_ID and
MOONCDN_KEY_VALUE (or --api-url, --subscription-id, --key-id, --key-value); --json prints the
API's own JSON. Every command that starts an operation takes --wait.

Examples:
  mooncdn serve                                   # API on :7070, edge on :8080, SQLite in ./.mooncdn
  mooncdn endpoint create --domain cdn.example.com --origin origin.example.com --wait
  mooncdn purge https://cdn.example.com/app.js https://cdn.example.com/img/ --wait
  mooncdn COMMAND --help                          # every flag of a command, with an example`,
  );
  return program;
}
