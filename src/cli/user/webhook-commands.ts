/**
 * `mooncdn webhook add|list|remove|deliveries` (extension): URLs that get every operation of the
 * subscription POSTed, signed, when it ends. The secret comes from MOONCDN_WEBHOOK_SECRET or a
 * file, never from the command line (where `ps` shows it).
 */
import { Command } from 'commander';
import type { Webhook } from '../../contract/schemas/webhook.js';
import { UsageError, withClient, withConnection, type ConnectionFlags } from './connection.js';
import { changeOptions, withChange, type IdempotencyFlags } from './idempotency-key.js';
import { readText } from './input-file.js';
import { printJson, printLines, table } from './output.js';

export function webhookCommand(): Command {
  const webhook = new Command('webhook')
    .description('Webhooks (mooncdn extension): get each operation POSTed, signed, when it ends')
    .addHelpText(
      'after',
      '\nEach delivery carries Mooncdn-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">; verify it with verifyWebhookSignature from mooncdn/signing.\n\nExamples:\n  MOONCDN_WEBHOOK_SECRET=$(openssl rand -hex 24) mooncdn webhook add deploys --url https://ci.example.com/hooks/cdn\n  mooncdn webhook deliveries deploys',
    );

  withChange(
    webhook
      .command('add')
      .description('Register (or change) a webhook; its secret is never shown again')
      .argument('<name>', 'A name for it: letters, digits, - and _')
      .requiredOption('--url <url>', 'Where operations are POSTed (http or https)')
      .option('--secret-file <file>', 'A file holding the secret ("-" for stdin); default: MOONCDN_WEBHOOK_SECRET'),
  )
    .addHelpText('after', '\nExample:\n  MOONCDN_WEBHOOK_SECRET=... mooncdn webhook add deploys --url https://ci.example.com/hooks/cdn')
    .action((name: string, flags: ConnectionFlags & IdempotencyFlags & { url: string; secretFile?: string }) =>
      withClient(flags, async (client) => {
        const secret = flags.secretFile !== undefined ? readText(flags.secretFile, '--secret-file').trim() : process.env.MOONCDN_WEBHOOK_SECRET;
        if (!secret) throw new UsageError('Give the secret in MOONCDN_WEBHOOK_SECRET or with --secret-file FILE (16 to 256 printable characters).');
        const saved = await client.putWebhook(name, flags.url, secret, changeOptions(flags));
        if (flags.json) printJson(saved);
        else printLines([`Webhook ${saved.Name} posts to ${saved.Url}`, `See its deliveries with: mooncdn webhook deliveries ${saved.Name}`]);
      }),
    );

  withConnection(webhook.command('list').description("List the subscription's webhooks (never their secrets)"))
    .addHelpText('after', '\nExample:\n  mooncdn webhook list')
    .action((flags: ConnectionFlags) =>
      withClient(flags, async (client) => {
        const webhooks: Webhook[] = await client.listWebhooks();
        if (flags.json) return printJson(webhooks);
        if (webhooks.length === 0) return printLines(['No webhooks. Add one with: mooncdn webhook add NAME --url URL']);
        printLines(table(['NAME', 'URL', 'CREATED'], webhooks.map((w) => [w.Name, w.Url, w.CreatedAt])));
      }),
    );

  withChange(webhook.command('remove').description('Remove a webhook (deliveries still pending are dropped)').argument('<name>', 'Its name'))
    .addHelpText('after', '\nExample:\n  mooncdn webhook remove deploys')
    .action((name: string, flags: ConnectionFlags & IdempotencyFlags) =>
      withClient(flags, async (client) => {
        await client.deleteWebhook(name, changeOptions(flags));
        if (flags.json) printJson({ Name: name, Removed: true });
        else printLines([`Webhook ${name} removed`]);
      }),
    );

  withConnection(webhook.command('deliveries').description("A webhook's last 100 deliveries, newest first").argument('<name>', 'Its name'))
    .addHelpText('after', '\nExample:\n  mooncdn webhook deliveries deploys --json')
    .action((name: string, flags: ConnectionFlags) =>
      withClient(flags, async (client) => {
        const deliveries = await client.listWebhookDeliveries(name);
        if (flags.json) return printJson(deliveries);
        if (deliveries.length === 0) return printLines([`No deliveries to ${name} yet.`]);
        printLines(
          table(
            ['OPERATION', 'STATUS', 'ATTEMPTS', 'LAST ANSWER', 'CREATED'],
            deliveries.map((d) => [d.OperationId, d.Status, String(d.Attempts), d.LastStatusCode !== null ? String(d.LastStatusCode) : (d.LastError ?? '-'), d.CreatedAt]),
          ),
        );
      }),
    );
  return webhook;
}
