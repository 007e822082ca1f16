/**
 * --tls-cert and --tls-key are checked at start like every setting: a file that is not what its
 * flag says is named with the flag (exit 2), not left to fail as an OpenSSL stack trace.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadServeConfig } from '../../../src/config/serve-config.js';
import { problemsOf } from './config-problems.js';

const certs = join(import.meta.dirname, '../../fixtures/certs');
const RSA_CERT = join(certs, 'rsa.crt');
const RSA_KEY = join(certs, 'rsa.key');
const EC_KEY = join(certs, 'ec.key');
/** A readable file that holds no PEM at all. */
const NOT_PEM = join(certs, 'generate.sh');

const load = (tlsCert: string, tlsKey: string) => loadServeConfig({ tlsCert, tlsKey }, {});

describe('--tls-cert and --tls-key', () => {
  it('a certificate and its key serve the API over HTTPS', () => {
    expect(load(RSA_CERT, RSA_KEY).apiTls?.cert.toString()).toContain('BEGIN CERTIFICATE');
  });

  it('a certificate file that is not PEM is named with its flag', () => {
    expect(problemsOf(() => load(NOT_PEM, RSA_KEY))).toEqual([expect.stringMatching(new RegExp(`^--tls-cert \\(MOONCDN_TLS_CERT\\): "${NOT_PEM}" is not a PEM certificate \\(.+\\)\\.$`))]);
  });

  it('a key file that is not PEM is named with its flag', () => {
    expect(problemsOf(() => load(RSA_CERT, NOT_PEM))).toEqual([expect.stringMatching(/^--tls-key \(MOONCDN_TLS_KEY\): ".*generate\.sh" is not a PEM private key \(.+\)\.$/)]);
  });

  it('the key and the certificate given the other way round: both are named', () => {
    const problems = problemsOf(() => load(RSA_KEY, RSA_CERT));
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/^--tls-cert \(MOONCDN_TLS_CERT\): ".*rsa\.key" is not a PEM certificate/);
    expect(problems[1]).toMatch(/^--tls-key \(MOONCDN_TLS_KEY\): ".*rsa\.crt" is not a PEM private key/);
  });

  it("a key that is not the certificate's", () => {
    expect(problemsOf(() => load(RSA_CERT, EC_KEY))).toEqual([expect.stringMatching(/^--tls-key \(MOONCDN_TLS_KEY\) is not the private key of the certificate in --tls-cert \(MOONCDN_TLS_CERT\): give the key the certificate was made for\.$/)]);
  });
});
