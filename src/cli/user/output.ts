/**
 * What user commands print: with --json the API's own shapes, one document on stdout;
 * otherwise lines for people. Progress goes to stderr, and only on a terminal.
 */
import type { Endpoint, Operation } from '../../client/index.js';

export function printJson(document: unknown): void {
  process.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
}

export function printLines(lines: readonly string[]): void {
  process.stdout.write(`${lines.join('\n')}\n`);
}

/** Whether the endpoint got past creation; before that, Enabled says nothing a person needs. */
function created(endpoint: Endpoint): boolean {
  return endpoint.Status.LifetimeStatus !== 'Creating' && endpoint.Status.LifetimeStatus !== 'CreationFailed';
}

function enabledWord(endpoint: Endpoint): string {
  return endpoint.Status.Enabled ? 'enabled' : 'disabled';
}

export function describeEndpoint(endpoint: Endpoint): string[] {
  return [
    `Endpoint ${endpoint.EndpointID}`,
    `  Domain         ${endpoint.Setting.CustomDomain}`,
    `  Origin         ${endpoint.Setting.Origin.Addresses.join(', ')}`,
    `  Host header    ${endpoint.Setting.Host}`,
    `  Service type   ${endpoint.Setting.ServiceType}`,
    ...(endpoint.Setting.ICP ? [`  ICP            ${endpoint.Setting.ICP}`] : []),
    `  Status         ${endpoint.Status.LifetimeStatus}${created(endpoint) ? `, ${enabledWord(endpoint)}` : ''}`,
    `  Last updated   ${endpoint.Status.TimeLastUpdated}`,
  ];
}

export function endpointTable(endpoints: readonly Endpoint[]): string[] {
  if (endpoints.length === 0) return ['No endpoints. Create one with: mooncdn endpoint create --domain cdn.example.com --origin origin.example.com'];
  const rows = endpoints.map((e) => [
    e.EndpointID,
    e.Setting.CustomDomain,
    e.Status.LifetimeStatus,
    created(e) ? enabledWord(e) : '-',
    e.Setting.Origin.Addresses.join(','),
  ]);
  return table(['ID', 'DOMAIN', 'STATUS', 'ENABLED', 'ORIGIN'], rows);
}

export function describeOperation(operation: Operation): string[] {
  return [
    `Operation ${operation.Id} (${operation.Type}) ${operation.Status}`,
    `  Endpoint   ${operation.EndpointId}`,
    `  Start      ${operation.Start}`,
    `  End        ${operation.End ?? '-'}`,
    ...(operation.Message ? [`  Message    ${operation.Message}`] : []),
  ];
}

export function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: readonly string[]) => cells.map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ');
  return [line(header), ...rows.map(line)];
}

/** A one-line progress display on stderr, redrawn in place; silent when stderr is not a terminal. */
export class Progress {
  private readonly frames = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
  private frame = 0;
  private active = Boolean(process.stderr.isTTY);

  update(text: string): void {
    if (!this.active) return;
    process.stderr.write(`\r\u001b[2K${this.frames[this.frame++ % this.frames.length]} ${text}`);
  }

  /** Clears the line; later updates draw nothing. */
  done(): void {
    if (this.active) process.stderr.write('\r\u001b[2K');
    this.active = false;
  }
}
