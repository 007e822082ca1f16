/**
 * `mooncdn purge URL...` and `mooncdn preload URL...`: each URL's host names its endpoint (no
 * endpoint id needed); URLs ending in "/" are directories; more URLs than one request takes are
 * sent as several requests. A host with no endpoint stops everything before anything is sent.
 */
import { positiveInteger } from '../arguments.js';
import { Command, Option } from 'commander';
import type { MooncdnClient } from '../../client/index.js';
import { CommandError, withClient, withConnection, UsageError, type ConnectionFlags } from './connection.js';
import { printJson, printLines } from './output.js';
import { waitAndReport, withWait, type Started, type WaitFlags } from './wait.js';

type Flags = ConnectionFlags & WaitFlags & { batchSize: number };

export function purgeCommand(setExitCode: (code: number) => void): Command {
  return contentCommand('purge', 'Purge URLs from the cache (a URL ending in "/" purges the directory)', setExitCode).addHelpText(
    'after',
    '\nExamples:\n  mooncdn purge https://cdn.example.com/app.js https://cdn.example.com/img/ --wait\n  mooncdn purge $(cat changed-urls.txt) --json | jq -r \'.[] | "\\(.EndpointId) \\(.AsyncInfo.TaskTrackId)"\'',
  );
}

export function preloadCommand(setExitCode: (code: number) => void): Command {
  return contentCommand('preload', 'Fetch URLs from the origin into the cache', setExitCode).addHelpText(
    'after',
    '\nExample:\n  mooncdn preload https://cdn.example.com/video/intro.mp4 --wait',
  );
}

function contentCommand(kind: 'purge' | 'preload', description: string, setExitCode: (code: number) => void): Command {
  return withWait(
    withConnection(
      new Command(kind)
        .description(description)
        .argument('<urls...>', 'Absolute http(s) URLs on the domains of your endpoints')
        .addOption(new Option('--batch-size <n>', 'URLs per request (the server takes 100)').default(100).argParser(positiveInteger)),
    ),
  ).action((urls: string[], flags: Flags) =>
    withClient(flags, async (client) => {
      const batches = await plan(client, kind, urls, flags.batchSize);
      const started: Started[] = [];
      const bodies = [];
      for (const batch of batches) {
        const accepted =
          kind === 'purge'
            ? await client.purge(batch.endpointId, { Files: batch.files, Directories: batch.directories })
            : await client.preload(batch.endpointId, { Files: batch.files });
        started.push({ endpointId: batch.endpointId, operationId: accepted.operationId, kind });
        // The API's 202 body, with the endpoint it was sent to: a purge spans several endpoints.
        bodies.push({ EndpointId: batch.endpointId, ...accepted.body });
        if (!flags.wait && !flags.json) {
          printLines([`${kind === 'purge' ? 'Purge' : 'Preload'} of ${batch.files.length + batch.directories.length} URL(s) on ${batch.domain} accepted: operation ${accepted.operationId}`]);
        }
      }
      if (flags.wait) return setExitCode(await waitAndReport(client, started, Boolean(flags.json), true, flags.timeout!));
      if (flags.json) printJson(bodies);
    }),
  );
}

interface Batch {
  readonly endpointId: string;
  readonly domain: string;
  readonly files: string[];
  readonly directories: string[];
}

/** Groups URLs by the endpoint of their host, in batches of at most `size` URLs. */
async function plan(client: MooncdnClient, kind: 'purge' | 'preload', urls: readonly string[], size: number): Promise<Batch[]> {
  const parsed = urls.map((url) => {
    let parts: URL;
    try {
      parts = new URL(url);
    } catch {
      throw new UsageError(`"${url}" is not an absolute URL; write it as https://cdn.example.com/path.`);
    }
    if (parts.protocol !== 'http:' && parts.protocol !== 'https:') throw new UsageError(`"${url}" is not an http or https URL.`);
    const directory = parts.pathname.endsWith('/');
    if (kind === 'preload' && directory) throw new UsageError(`"${url}" is a directory; preload takes files only.`);
    return { url, host: parts.hostname.toLowerCase(), directory };
  });
  const hosts = parsed.map((p) => p.host);
  const byDomain = new Map((await client.listEndpoints()).map((e) => [e.Setting.CustomDomain, e.EndpointID]));
  const unknown = [...new Set(hosts.filter((host) => !byDomain.has(host)))];
  if (unknown.length > 0) {
    throw new CommandError(`No endpoint serves ${unknown.join(', ')}; nothing was sent. Create one with: mooncdn endpoint create --domain ${unknown[0]} --origin ORIGIN`);
  }
  const batches: Batch[] = [];
  const current = new Map<string, Batch>();
  for (const { url, host: domain, directory } of parsed) {
    let batch = current.get(domain);
    if (!batch || batch.files.length + batch.directories.length >= size) {
      batch = { endpointId: byDomain.get(domain)!, domain, files: [], directories: [] };
      current.set(domain, batch);
      batches.push(batch);
    }
    (directory ? batch.directories : batch.files).push(url);
  }
  return batches;
}
