/**
 * A hostname the suite's client can send to the edge on loopback. The client is the suite's,
 * run as it is, so the name must resolve through the system: /etc/hosts.
 */
import { appendFileSync } from 'node:fs';
import { lookup } from 'node:dns/promises';

const HOSTS = '/etc/hosts';

async function resolvesToLoopback(name: string): Promise<boolean | string> {
  try {
    const addresses = await lookup(name, { all: true });
    return addresses.some((entry) => entry.address === '127.0.0.1') || addresses.map((entry) => entry.address).join(', ');
  } catch {
    return false;
  }
}

/** Makes `name` resolve to 127.0.0.1 (adding a line to /etc/hosts as root), or says what to do. */
export async function ensureLoopbackName(name: string): Promise<void> {
  const found = await resolvesToLoopback(name);
  if (found === true) return;
  if (typeof found === 'string') throw new Error(`${name} resolves to ${found}, not 127.0.0.1: choose another --host or fix ${HOSTS}.`);
  const line = `127.0.0.1 ${name}`;
  if (process.getuid?.() !== 0) throw new Error(`${name} does not resolve: add the line "${line}" to ${HOSTS} (or run as root, which adds it).`);
  appendFileSync(HOSTS, `\n${line}\n`);
  console.error(`cache-tests: added "${line}" to ${HOSTS}`);
  if ((await resolvesToLoopback(name)) !== true) throw new Error(`${name} still does not resolve to 127.0.0.1 after adding "${line}" to ${HOSTS}.`);
}
