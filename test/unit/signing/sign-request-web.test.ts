/** The WebCrypto signer (what the web console runs in the browser) signs exactly as the Node one. */
import { describe, expect, it } from 'vitest';
import { sign, signRequest, signRequestWithWebCrypto, signWithWebCrypto } from '../../../src/signing/index.js';

const KEY = { keyId: '0b4ac6b1-3f7e-4d35-9a57-2c1e8d9f6a10', keyValue: 'XP2yZfZKbT8Hl6gQ0vN7cW1rM5sJ9dE3' };
const WHEN = new Date('2017-05-02T06:34:07.869Z');
// The CONTRACT §2 worked example, as in sign-request.test.ts (computed with openssl).
const EXAMPLE_SIGNATURE = '835FCF4418ACC985FCC7DE1F8C8070C06626F748025CFC8A9004338C50F3C3A3';

describe('signRequestWithWebCrypto', () => {
  it('gives the worked example its known signature', async () => {
    const headers = await signRequestWithWebCrypto('GET', 'https://api-preview.cdn.azure.cn/subscriptions/S/endpoints/E/operations/O?apiVersion=1.0', KEY, WHEN);
    expect(headers).toEqual({
      authorization: `AzureCDN ${KEY.keyId}:${EXAMPLE_SIGNATURE}`,
      'x-azurecdn-request-date': '2017-05-02 06:34:07',
    });
  });

  it('matches the Node signer for other methods, queries, non-ASCII keys and paths', async () => {
    const cases: Array<[string, string, string]> = [
      ['POST', '/subscriptions/S/endpoints/E/purges?apiVersion=1.0', KEY.keyValue],
      ['get', '/subscriptions/S/operations?type=Purge&apiVersion=1.0&top=5&startTime=2017-05-02T00%3A00%3A00Z', KEY.keyValue],
      ['PUT', '/subscriptions/S/endpoints/%C3%A9?apiVersion=1.0', 'clé-ünïcode-😀'],
    ];
    for (const [method, url, keyValue] of cases) {
      const key = { keyId: 'k', keyValue };
      expect(await signRequestWithWebCrypto(method, url, key, WHEN)).toEqual(signRequest(method, url, key, WHEN));
    }
    // A key longer than SHA-256's block is hashed first, by both.
    expect(await signWithWebCrypto('k'.repeat(100), 'x')).toBe(sign('k'.repeat(100), 'x'));
  });
});
