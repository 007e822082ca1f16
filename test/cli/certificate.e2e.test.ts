/** `mooncdn certificate`: upload PEM files, list and show them, bind one so the edge serves HTTPS. */
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certificateFor } from '../support/edge-client.js';
import { CliWorld, parseJson, UUID } from './cli-world.js';

const CERTS = join(import.meta.dirname, '..', 'fixtures', 'certs');

let world: CliWorld;
beforeAll(async () => {
  world = await CliWorld.start();
});
afterAll(async () => {
  await world?.stop();
});

describe('certificate', () => {
  it('upload, list, show and bind: the edge then presents it for the domain', async () => {
    const upload = await world.cli(['certificate', 'upload', '--name', 'www', '--cert', join(CERTS, 'rsa.crt'), '--key', join(CERTS, 'rsa.key')]);
    expect(upload.code, upload.stderr).toBe(0);
    const certificateId = new RegExp(`^Certificate (${UUID.source})$`, 'm').exec(upload.stdout)![1]!;
    expect(upload.stdout).toContain('  Covers         cdn.example.com, *.img.example.com\n');
    expect(upload.stdout).toContain(`Bind it with: mooncdn certificate bind ${certificateId} ENDPOINT_ID --wait`);
    expect(upload.stdout).not.toContain('PRIVATE KEY');

    const listed = parseJson(await world.cli(['certificate', 'list', '--json']));
    expect(listed).toEqual([expect.objectContaining({ CertificateId: certificateId, CertificateName: 'www', DnsNames: ['cdn.example.com', '*.img.example.com'] })]);
    expect((await world.cli(['certificate', 'show', certificateId, '--json'])).stdout).toBe(`${JSON.stringify(listed[0], null, 2)}\n`);

    const endpointId = await world.endpoint('cdn.example.com');
    const bind = await world.cli(['certificate', 'bind', certificateId, endpointId, '--wait']);
    expect(bind.code, bind.stderr).toBe(0);
    expect(bind.stdout).toMatch(/^Operation \S+ \(CreateHttpsBinding\) Succeeded\n/);
    const port = Number(/and https:\/\/[^:]+:(\d+)/.exec(world.server.output())![1]);
    expect((await certificateFor(port, 'cdn.example.com')).fingerprint).toBe(new X509Certificate(readFileSync(join(CERTS, 'rsa.crt'))).fingerprint);
  });

  it('a key file that cannot be read is one line, exit 1, and nothing is uploaded', async () => {
    const result = await world.cli(['certificate', 'upload', '--name', 'x', '--cert', join(CERTS, 'rsa.crt'), '--key', join(CERTS, 'absent.key')]);
    expect(result).toEqual({ code: 1, stdout: '', stderr: `--key: cannot read "${join(CERTS, 'absent.key')}" (ENOENT).\n` });
  });

  it('a certificate that does not cover the domain is refused by the API, exit 1', async () => {
    const upload = parseJson(await world.cli(['certificate', 'upload', '--name', 'other', '--cert', join(CERTS, 'ec.crt'), '--key', join(CERTS, 'ec.key'), '--json']));
    const endpointId = await world.endpoint('elsewhere.example.org');
    const bind = await world.cli(['certificate', 'bind', upload.CertificateId, endpointId]);
    expect(bind.code).toBe(1);
    expect(bind.stderr).toMatch(/^ParameterInvalid: Certificate .* covers .*, not the endpoint's domain "elsewhere\.example\.org"/);
  });
});
