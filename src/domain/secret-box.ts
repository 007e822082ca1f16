/**
 * Secrets at rest (API key values, certificate private keys): AES-256-GCM under a key derived
 * from MOONCDN_MASTER_KEY when one is set, otherwise stored as they are (marked "plain:"), so
 * a store written without a master key still opens after one is configured.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

const PLAIN = 'plain:';
const SEALED = 'v1:';

export class SecretBox {
  private readonly key: Buffer | undefined;

  constructor(masterKey: string | undefined) {
    this.key = masterKey
      ? Buffer.from(hkdfSync('sha256', Buffer.from(masterKey, 'utf8'), Buffer.alloc(0), 'mooncdn secrets v1', 32))
      : undefined;
  }

  get encrypts(): boolean {
    return this.key !== undefined;
  }

  seal(secret: string): string {
    if (!this.key) return PLAIN + secret;
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
    return SEALED + Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
  }

  open(stored: string): string {
    if (stored.startsWith(PLAIN)) return stored.slice(PLAIN.length);
    if (!stored.startsWith(SEALED)) throw new Error('A stored secret has an unknown format.');
    if (!this.key) throw new Error('A stored secret is encrypted; set MOONCDN_MASTER_KEY to the master key it was stored with.');
    const raw = Buffer.from(stored.slice(SEALED.length), 'base64');
    // 12 bytes of IV and a full 16-byte tag; a shorter value is damaged (and a short tag would
    // be accepted by GCM, weakening the check).
    if (raw.length < 28) throw new Error('A stored secret is damaged: it is too short to be an encrypted value.');
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, 12), { authTagLength: 16 });
      decipher.setAuthTag(raw.subarray(12, 28));
      return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
    } catch {
      throw new Error('A stored secret does not decrypt; MOONCDN_MASTER_KEY is not the key it was stored with.');
    }
  }
}
