#!/usr/bin/env node
/** The `mooncdn` command. Usage errors exit 2 with the command's help; failures exit 1. */
import { Command, CommanderError } from 'commander';
import { AdminError, adminCommand } from './admin-commands.js';
import { serveCommand } from './serve-command.js';

const program = new Command('mooncdn')
  .description('A self-hosted CDN with the Azure China CDN management API (v1.0).')
  .version('0.1.0')
  .showHelpAfterError()
  .exitOverride()
  .configureOutput({ outputError: (text, write) => write(text) });

program.addCommand(serveCommand());
program.addCommand(adminCommand());
program.addHelpText('after', '\nExample:\n  mooncdn serve              # API on :7070, edge on :8080, SQLite in ./.mooncdn');

// Subcommands inherit exit handling so usage errors anywhere exit 2.
for (const command of program.commands) applyToTree(command);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    process.exit(error.exitCode === 0 ? 0 : 2);
  }
  if (error instanceof AdminError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(1);
}

function applyToTree(command: Command): void {
  command.showHelpAfterError().exitOverride();
  for (const sub of command.commands) applyToTree(sub);
}
