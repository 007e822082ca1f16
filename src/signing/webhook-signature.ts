/**
 * The signature of webhook deliveries (extension), shared by the server that signs them and the
 * receivers that check them: `Mooncdn-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of
 * "<t>.<body>" keyed with the webhook's secret>` (Stripe's scheme).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const WEBHOOK_SIGNATURE_HEADER = 'mooncdn-signature';

export function webhookSignatureHeader(secret: string, unixSeconds: number, body: string): string {
  return `t=${unixSeconds},v1=${webhookDigest(secret, unixSeconds, body)}`;
}

/**
 * Whether `header` signs `body` with `secret`, made within `toleranceSeconds` of `nowMs` (a
 * delivery sent again is signed anew, so an old signature is a replay). Constant-time compare.
 */
export function verifyWebhookSignature(secret: string, header: string | undefined, body: string, options: { toleranceSeconds?: number; nowMs?: number } = {}): boolean {
  const match = /^t=(\d{1,12}),v1=([0-9a-f]{64})$/.exec(header?.trim() ?? '');
  if (!match) return false;
  const t = Number(match[1]);
  const now = Math.floor((options.nowMs ?? Date.now()) / 1000);
  if (Math.abs(now - t) > (options.toleranceSeconds ?? 300)) return false;
  return timingSafeEqual(Buffer.from(webhookDigest(secret, t, body), 'hex'), Buffer.from(match[2]!, 'hex'));
}

function webhookDigest(secret: string, unixSeconds: number, body: string): string {
  return createHmac('sha256', Buffer.from(secret, 'utf8')).update(`${unixSeconds}.${body}`, 'utf8').digest('hex');
}
