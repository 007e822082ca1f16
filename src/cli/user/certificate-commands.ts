/** `mooncdn certificate upload|list|show|bind`: HTTPS certificates and their binding to endpoints. */
import { Command } from 'commander';
import type { Certificate } from '../../client/index.js';
import { withClient, withConnection, type ConnectionFlags } from './connection.js';
import { changeOptions, withChange, type IdempotencyFlags } from './idempotency-key.js';
import { reportAccepted } from './endpoint-commands.js';
import { readText } from './input-file.js';
import { printJson, printLines, table } from './output.js';
import { withWait, type WaitFlags } from './wait.js';

export function certificateCommand(setExitCode: (code: number) => void): Command {
  const certificate = new Command('certificate')
    .description('Upload HTTPS certificates and bind them to endpoints')
    .addHelpText(
      'after',
      '\nExamples:\n  mooncdn certificate upload --name www --cert fullchain.pem --key privkey.pem\n  mooncdn certificate bind CERTIFICATE_ID ENDPOINT_ID --wait',
    );

  withChange(
    certificate
      .command('upload')
      .description('Upload a certificate (PEM, the chain after the leaf) and its private key; the key is stored, never shown again')
      .requiredOption('--name <name>', 'A name to know it by')
      .requiredOption('--cert <file>', 'Certificate PEM file ("-" for stdin)')
      .requiredOption('--key <file>', 'Private key PEM file, unencrypted'),
  )
    .addHelpText('after', '\nExample:\n  mooncdn certificate upload --name www --cert /etc/letsencrypt/live/cdn.example.com/fullchain.pem --key privkey.pem')
    .action((flags: ConnectionFlags & IdempotencyFlags & { name: string; cert: string; key: string }) =>
      withClient(flags, async (client) => {
        const uploaded = await client.uploadCertificate({ Name: flags.name, PublicCertificate: readText(flags.cert, '--cert'), PrivateKey: readText(flags.key, '--key') }, changeOptions(flags));
        if (flags.json) printJson(uploaded);
        else printLines([...describeCertificate(uploaded), `Bind it with: mooncdn certificate bind ${uploaded.CertificateId} ENDPOINT_ID --wait`]);
      }),
    );

  withConnection(certificate.command('list').description('List the uploaded certificates'))
    .addHelpText('after', '\nExample:\n  mooncdn certificate list --json | jq -r \'.[] | "\\(.CertificateId) \\(.NotAfter)"\'')
    .action((flags: ConnectionFlags) =>
      withClient(flags, async (client) => {
        const certificates = await client.listCertificates();
        if (flags.json) return printJson(certificates);
        if (certificates.length === 0) return printLines(['No certificates. Upload one with: mooncdn certificate upload --name NAME --cert FILE --key FILE']);
        printLines(table(['ID', 'NAME', 'NAMES COVERED', 'EXPIRES'], certificates.map((c) => [c.CertificateId, c.Name, c.DnsNames.join(','), c.NotAfter])));
      }),
    );

  withConnection(certificate.command('show').description('Show one certificate').argument('<id>', 'Certificate id'))
    .addHelpText('after', '\nExample:\n  mooncdn certificate show 5dd0413d-a2f9-442a-b836-128d87753fa9')
    .action((id: string, flags: ConnectionFlags) =>
      withClient(flags, async (client) => {
        const found = await client.getCertificate(id);
        if (flags.json) printJson(found);
        else printLines(describeCertificate(found));
      }),
    );

  withWait(
    withChange(
      certificate
        .command('bind')
        .description("Serve an endpoint's domain over HTTPS with a certificate that covers it")
        .argument('<certificateId>', 'Certificate id')
        .argument('<endpointId>', 'Endpoint id'),
    ),
  )
    .addHelpText('after', '\nExample:\n  mooncdn certificate bind 5dd0413d-a2f9-442a-b836-128d87753fa9 46fecf3c-e874-49aa-891d-0d4dc93213e0 --wait')
    .action((certificateId: string, endpointId: string, flags: ConnectionFlags & WaitFlags & IdempotencyFlags) =>
      withClient(flags, async (client) => reportAccepted(client, endpointId, await client.createHttpsBinding(certificateId, endpointId, changeOptions(flags)), flags, setExitCode)),
    );
  return certificate;
}

function describeCertificate(certificate: Certificate): string[] {
  return [
    `Certificate ${certificate.CertificateId}`,
    `  Name           ${certificate.Name}`,
    `  Covers         ${certificate.DnsNames.join(', ') || '(no DNS names)'}`,
    `  Subject        ${certificate.Subject}`,
    `  Issuer         ${certificate.Issuer}`,
    `  Valid          ${certificate.NotBefore} to ${certificate.NotAfter}`,
    `  Thumbprint     ${certificate.Thumbprint}`,
  ];
}
