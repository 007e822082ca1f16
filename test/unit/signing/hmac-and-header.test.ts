import { describe, expect, it } from 'vitest';
import {
  formatAuthorizationHeader,
  matchesAnyCandidate,
  parseAuthorizationHeader,
  sign,
} from '../../../src/signing/index.js';

const MESSAGE = '/subscriptions/S/endpoints/E/operations/O\r\napiVersion:1.0\r\n2017-05-02 06:34:07\r\nGET';
// Both computed with: printf '<MESSAGE>' | openssl dgst -sha256 -hmac '<key>'
const ASCII_KEY = 'XP2yZfZKbT8Hl6gQ0vN7cW1rM5sJ9dE3';
const ASCII_SIGNATURE = '835FCF4418ACC985FCC7DE1F8C8070C06626F748025CFC8A9004338C50F3C3A3';
const UTF8_KEY = 'clé-秘密';
const UTF8_SIGNATURE = '5F036596A0E62AA0375760D9E0BF13EE7C04D4DC1AA5B2BCCCC1B09002AB8817';

describe('sign', () => {
  it('is the upper-case hex HMAC-SHA256 of the string', () => {
    expect(sign(ASCII_KEY, MESSAGE)).toBe(ASCII_SIGNATURE);
    expect(sign(ASCII_KEY, MESSAGE)).toMatch(/^[0-9A-F]{64}$/);
  });

  it('keys with the UTF-8 bytes of the key value', () => {
    expect(sign(UTF8_KEY, MESSAGE)).toBe(UTF8_SIGNATURE);
  });

  it('changes with any change to the string or the key', () => {
    expect(sign(ASCII_KEY, MESSAGE.replace('GET', 'PUT'))).not.toBe(ASCII_SIGNATURE);
    expect(sign(ASCII_KEY.slice(0, -1), MESSAGE)).not.toBe(ASCII_SIGNATURE);
  });
});

describe('matchesAnyCandidate', () => {
  const others = ['/a\r\n\r\n2017-05-02 06:34:07\r\nGET', '/b\r\n\r\n2017-05-02 06:34:07\r\nGET'];

  it('accepts a signature of any one of the candidates, wherever it is in the list', () => {
    expect(matchesAnyCandidate(ASCII_KEY, [MESSAGE], ASCII_SIGNATURE)).toBe(true);
    expect(matchesAnyCandidate(ASCII_KEY, [...others, MESSAGE], ASCII_SIGNATURE)).toBe(true);
    expect(matchesAnyCandidate(ASCII_KEY, [MESSAGE, ...others], ASCII_SIGNATURE)).toBe(true);
  });

  it('accepts the hex digest in lower case too', () => {
    expect(matchesAnyCandidate(ASCII_KEY, [MESSAGE], ASCII_SIGNATURE.toLowerCase())).toBe(true);
  });

  it('refuses a signature of none of the candidates, or made with another key', () => {
    expect(matchesAnyCandidate(ASCII_KEY, others, ASCII_SIGNATURE)).toBe(false);
    expect(matchesAnyCandidate(ASCII_KEY, [], ASCII_SIGNATURE)).toBe(false);
    expect(matchesAnyCandidate(UTF8_KEY, [MESSAGE], ASCII_SIGNATURE)).toBe(false);
  });

  it.each([
    ['empty', ''],
    ['one digit short', ASCII_SIGNATURE.slice(0, 63)],
    ['one digit long', `${ASCII_SIGNATURE}0`],
    ['not hex', `${ASCII_SIGNATURE.slice(0, 63)}G`],
    ['base64', Buffer.from(ASCII_SIGNATURE, 'hex').toString('base64')],
    ['with spaces', ` ${ASCII_SIGNATURE}`],
  ])('refuses a malformed signature (%s) without throwing', (_name, signature) => {
    expect(matchesAnyCandidate(ASCII_KEY, [MESSAGE], signature)).toBe(false);
  });
});

describe('Authorization header', () => {
  const KEY_ID = '0b4ac6b1-3f7e-4d35-9a57-2c1e8d9f6a10';

  it('is formatted as AzureCDN {keyId}:{signature} and parses back', () => {
    const header = formatAuthorizationHeader(KEY_ID, ASCII_SIGNATURE);
    expect(header).toBe(`AzureCDN ${KEY_ID}:${ASCII_SIGNATURE}`);
    expect(parseAuthorizationHeader(header)).toEqual({ keyId: KEY_ID, signature: ASCII_SIGNATURE });
  });

  it.each([
    ['lower-case hex', `AzureCDN ${KEY_ID}:${ASCII_SIGNATURE.toLowerCase()}`, ASCII_SIGNATURE.toLowerCase()],
    ['scheme in another case', `azurecdn ${KEY_ID}:${ASCII_SIGNATURE}`, ASCII_SIGNATURE],
    ['surrounding whitespace', `  AzureCDN ${KEY_ID}:${ASCII_SIGNATURE}\t`, ASCII_SIGNATURE],
    ['several spaces after the scheme', `AzureCDN   ${KEY_ID}:${ASCII_SIGNATURE}`, ASCII_SIGNATURE],
  ])('parses a good header (%s)', (_name, header, signature) => {
    expect(parseAuthorizationHeader(header)).toEqual({ keyId: KEY_ID, signature });
  });

  it.each([
    ['empty', ''],
    ['scheme only', 'AzureCDN'],
    ['no scheme', `${KEY_ID}:${ASCII_SIGNATURE}`],
    ['another scheme', `Bearer ${KEY_ID}:${ASCII_SIGNATURE}`],
    ['no space after the scheme', `AzureCDN${KEY_ID}:${ASCII_SIGNATURE}`],
    ['no colon', `AzureCDN ${KEY_ID}${ASCII_SIGNATURE}`],
    ['no key id', `AzureCDN :${ASCII_SIGNATURE}`],
    ['no signature', `AzureCDN ${KEY_ID}:`],
    ['short signature', `AzureCDN ${KEY_ID}:${ASCII_SIGNATURE.slice(1)}`],
    ['long signature', `AzureCDN ${KEY_ID}:${ASCII_SIGNATURE}A`],
    ['non-hex signature', `AzureCDN ${KEY_ID}:${ASCII_SIGNATURE.slice(1)}Z`],
    ['base64 signature', `AzureCDN ${KEY_ID}:${Buffer.from(ASCII_SIGNATURE, 'hex').toString('base64')}`],
    ['space in key id', `AzureCDN key id:${ASCII_SIGNATURE}`],
    ['colon in key id', `AzureCDN a:b:${ASCII_SIGNATURE}`],
    ['trailing garbage', `AzureCDN ${KEY_ID}:${ASCII_SIGNATURE} extra`],
  ])('refuses a bad header (%s)', (_name, header) => {
    expect(parseAuthorizationHeader(header)).toBeUndefined();
  });
});
