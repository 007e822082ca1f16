/**
 * HMAC-SHA256 through WebCrypto (`globalThis.crypto.subtle`), which browsers and Node 20 both
 * have: the same upper-case hex signature as hmac.ts's `sign`, without importing node:crypto.
 */

export async function signWithWebCrypto(keyValue: string, canonical: string): Promise<string> {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) throw new Error('WebCrypto is not available here (a browser needs a secure context: https:// or localhost).');
  const encoder = new TextEncoder();
  const key = await subtle.importKey('raw', encoder.encode(keyValue), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const mac = new Uint8Array(await subtle.sign('HMAC', key, encoder.encode(canonical)));
  let hex = '';
  for (const byte of mac) hex += byte.toString(16).padStart(2, '0');
  return hex.toUpperCase();
}
