import { describe, expect, it } from 'vitest';
import { SecretBox } from '../../../src/domain/secret-box.js';

const SECRET = 'kV9+Xq2/api-key-value==';

describe('SecretBox with a master key', () => {
  const box = new SecretBox('master key one');

  it('encrypts', () => {
    expect(box.encrypts).toBe(true);
  });

  it.each([SECRET, '', 'ü密钥🔑', '-----BEGIN PRIVATE KEY-----\nMIIE...\n-----END PRIVATE KEY-----\n'])('round-trips %j', (secret) => {
    expect(box.open(box.seal(secret))).toBe(secret);
  });

  it('does not contain the secret, as text or base64', () => {
    const sealed = box.seal(SECRET);
    expect(sealed.startsWith('v1:')).toBe(true);
    expect(sealed).not.toContain(SECRET);
    expect(sealed).not.toContain(Buffer.from(SECRET).toString('base64').slice(0, 12));
    expect(Buffer.from(sealed.slice(3), 'base64').toString('latin1')).not.toContain(SECRET);
  });

  it('seals the same secret differently each time', () => {
    expect(box.seal(SECRET)).not.toBe(box.seal(SECRET));
  });

  it('opens with another box made from the same master key', () => {
    expect(new SecretBox('master key one').open(box.seal(SECRET))).toBe(SECRET);
  });

  it('refuses a wrong master key with a clear error', () => {
    expect(() => new SecretBox('master key two').open(box.seal(SECRET))).toThrow(
      'A stored secret does not decrypt; MOONCDN_MASTER_KEY is not the key it was stored with.',
    );
  });

  it('refuses a tampered value', () => {
    const raw = Buffer.from(box.seal(SECRET).slice(3), 'base64');
    raw[raw.length - 1]! ^= 1;
    expect(() => box.open(`v1:${raw.toString('base64')}`)).toThrow(/does not decrypt/);
  });

  it.each(['v1:', 'v1:AAAA', `v1:${Buffer.alloc(20).toString('base64')}`, 'v1:!!!'])('refuses the damaged value %j with a clear error', (stored) => {
    expect(() => box.open(stored)).toThrow(/^A stored secret (is damaged|does not decrypt)/);
  });

  it('opens a value stored before the master key was set', () => {
    expect(box.open(new SecretBox(undefined).seal(SECRET))).toBe(SECRET);
  });

  it('refuses an unknown format', () => {
    expect(() => box.open(SECRET)).toThrow('A stored secret has an unknown format.');
  });
});

describe('SecretBox without a master key', () => {
  it.each([[undefined], ['']])('stores plainly, marked "plain:" (master key %j)', (masterKey) => {
    const box = new SecretBox(masterKey);
    expect(box.encrypts).toBe(false);
    expect(box.seal(SECRET)).toBe(`plain:${SECRET}`);
    expect(box.open(box.seal(SECRET))).toBe(SECRET);
  });

  it('says to set MOONCDN_MASTER_KEY when it meets an encrypted value', () => {
    const sealed = new SecretBox('master key one').seal(SECRET);
    expect(() => new SecretBox(undefined).open(sealed)).toThrow(/encrypted; set MOONCDN_MASTER_KEY/);
  });
});
