/**
 * `mooncdn purge URL...` and `mooncdn preload URL...`: each URL's host names its endpoint (no
 * endpoint id needed); URLs ending in "/" are directories; more URLs than one request takes are
 * sent as several requests. A host with no endpoint stops everything before anything is sent.
 *
 * Extensions: `purge --tag T --endpoint DOMAIN` purges by cache tag (a tag has no host, so the
 * endpoint is named by its domain, as URLs name it); `--soft` marks stale instead of dropping.
 */
import { positiveInteger } from '../arguments.js';
import { Command, Option } from 'commander';
import type { MooncdnClient } from '../../client/index.js';
import { CommandError, withClient, UsageError, type ConnectionFlags } from './connection.js';
import { changeOptions, withChange, type IdempotencyFlags } from './idempotency-key.js';
import { printJson, printLines } from './output.js';
import { waitAndReport, withWait, type Started, type WaitFlags } from './wait.js';

type Flags = ConnectionFlags & WaitFlags & IdempotencyFlags & { batchSize: number; tag?: string[]; endpoint?: string; soft?: boolean };

export function purgeCommand(setExitCode: (code: number) => void): Command {
  return contentCommand('purge', 'Purge URLs from the cache (a URL ending in "/" purges the directory), or cache tags', setExitCode)
    .addOption(new Option('--tag <tag>', 'Extension: purge every object whose response carried this cache tag (Cache-Tag or Surrogate-Key); repeat for more; needs --endpoint').argParser(collect))
    .addOption(new Option('--endpoint <domain>', "The endpoint (its custom domain) whose cache --tag purges"))
    .addOption(new Option('--soft', 'Extension: mark what is purged stale instead of dropping it; the next request revalidates it with the origin'))
    .addHelpText(
      'after',
      '\nExamples:\n  mooncdn purge https://cdn.example.com/app.js https://cdn.example.com/img/ --wait\n  mooncdn purge --tag product-42 --tag home --endpoint cdn.example.com --soft --wait\n  mooncdn purge https://cdn.example.com/app.js --idempotency-key "deploy-$CI_PIPELINE_ID-purge" --wait   # a rerun gets the same operation\n  mooncdn purge $(cat changed-urls.txt) --json | jq -r \'.[] | "\\(.EndpointId) \\(.AsyncInfo.TaskTrackId)"\'',
    );
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

export function preloadCommand(setExitCode: (code: number) => void): Command {
  return contentCommand('preload', 'Fetch URLs from the origin into the cache', setExitCode).addHelpText(
    'after',
    '\nExample:\n  mooncdn preload https://cdn.example.com/video/intro.mp4 --wait',
  );
}

function contentCommand(kind: 'purge' | 'preload', description: string, setExitCode: (code: number) => void): Command {
  return withWait(
    withChange(
      new Command(kind)
        .description(description)
        .argument(kind === 'purge' ? '[urls...]' : '<urls...>', 'Absolute http(s) URLs on the domains of your endpoints')
        .addOption(new Option('--batch-size <n>', 'URLs per request (the server takes 100)').default(100).argParser(positiveInteger)),
    ),
  ).action((urls: string[], flags: Flags) =>
    withClient(flags, async (client) => {
      const tags = flags.tag ?? [];
      if (kind === 'purge') checkPurgeFlags(urls, tags, flags.endpoint);
      const batches = await plan(client, kind, urls, flags.batchSize, tags, flags.endpoint);
      const started: Started[] = [];
      const bodies = [];
      for (const [index, batch] of batches.entries()) {
        const options = changeOptions(flags, index, batches.length);
        const accepted =
          kind === 'purge'
            ? await client.purge(batch.endpointId, {
                ...(batch.files.length > 0 && { Files: batch.files }),
                ...(batch.directories.length > 0 && { Directories: batch.directories }),
                ...(batch.tags.length > 0 && { Tags: batch.tags }),
                ...(flags.soft && { Soft: true }),
              }, options)
            : await client.preload(batch.endpointId, { Files: batch.files }, options);
        started.push({ endpointId: batch.endpointId, operationId: accepted.operationId, kind });
        // The API's 202 body, with the endpoint it was sent to: a purge spans several endpoints.
        bodies.push({ EndpointId: batch.endpointId, ...accepted.body });
        if (!flags.wait && !flags.json) {
          const what = batch.tags.length > 0 ? `${batch.tags.length} tag(s)` : `${batch.files.length + batch.directories.length} URL(s)`;
          const verb = kind === 'preload' ? 'Preload' : flags.soft ? 'Soft purge' : 'Purge';
          printLines([`${verb} of ${what} on ${batch.domain} accepted: operation ${accepted.operationId}`]);
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
  readonly tags: string[];
}

/** What a purge needs before anything is asked of the API: something to purge, and an endpoint for tags. */
function checkPurgeFlags(urls: readonly string[], tags: readonly string[], endpoint: string | undefined): void {
  if (urls.length === 0 && tags.length === 0) throw new UsageError('Give URLs to purge, or cache tags with --tag and --endpoint.');
  if (tags.length > 0 && endpoint === undefined) {
    throw new UsageError('--tag needs --endpoint <domain>: a tag names no host, so say whose cache it purges (e.g. --endpoint cdn.example.com).');
  }
  if (tags.length === 0 && endpoint !== undefined) throw new UsageError('--endpoint goes with --tag; URLs name their endpoint by their host.');
}

/**
 * Groups URLs by the endpoint of their host, in batches of at most `size` URLs; tags go to the
 * endpoint of `tagDomain` in batches of their own.
 */
async function plan(client: MooncdnClient, kind: 'purge' | 'preload', urls: readonly string[], size: number, tags: readonly string[] = [], tagDomain?: string): Promise<Batch[]> {
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
  const domainOfTags = tagDomain?.toLowerCase().replace(/\.$/, '');
  const hosts = [...parsed.map((p) => p.host), ...(domainOfTags === undefined ? [] : [domainOfTags])];
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
      batch = { endpointId: byDomain.get(domain)!, domain, files: [], directories: [], tags: [] };
      current.set(domain, batch);
      batches.push(batch);
    }
    (directory ? batch.directories : batch.files).push(url);
  }
  for (let i = 0; i < tags.length; i += size) {
    batches.push({ endpointId: byDomain.get(domainOfTags!)!, domain: domainOfTags!, files: [], directories: [], tags: tags.slice(i, i + size) });
  }
  return batches;
}
