/**
 * The disk tier's purge records, kept in a file so that a restart never serves an object that
 * was purged before it (disk-tier.ts): one JSON line per record, appended when the purge is
 * made, before the purge returns. A process that dies right after still has the line (it is in
 * the kernel's hands); the data is flushed to the device on the next turn of the event loop, one
 * flush for a whole operation's purges.
 *
 * The file is rewritten with the records still kept once records are pruned (compact): written
 * to a temporary name and renamed over it, so it is always the old list or the new one. A last
 * line cut short by a crash is ignored: its purge had not returned.
 */
import { closeSync, fdatasync, openSync, readFileSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import type { PurgeRecord } from './purge-records.js';

export class PurgeJournal {
  private fd: number;
  private flushDue = false;

  constructor(private readonly file: string) {
    this.fd = openSync(file, 'a');
  }

  /** The records in the file, oldest first; lines that do not parse are left out. */
  static read(file: string): PurgeRecord[] {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const records: PurgeRecord[] = [];
    for (const line of text.split('\n')) {
      if (line === '') continue;
      const record = parseRecord(line);
      if (record) records.push(record);
    }
    return records;
  }

  append(record: PurgeRecord): void {
    writeSync(this.fd, `${JSON.stringify(record)}\n`);
    this.flushSoon();
  }

  /** Replaces the file's content with `records`. */
  compact(records: readonly PurgeRecord[]): void {
    const temporary = `${this.file}.tmp`;
    writeFileSync(temporary, records.map((record) => `${JSON.stringify(record)}\n`).join(''));
    renameSync(temporary, this.file);
    closeSync(this.fd);
    this.fd = openSync(this.file, 'a');
  }

  close(): void {
    closeSync(this.fd);
  }

  private flushSoon(): void {
    if (this.flushDue) return;
    this.flushDue = true;
    const fd = this.fd;
    setImmediate(() => {
      this.flushDue = false;
      // Closed meanwhile (compacted or shut): the data went with the close or the rename.
      fdatasync(fd, () => undefined);
    });
  }
}

function parseRecord(line: string): PurgeRecord | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const record = value as Record<string, unknown>;
  if (typeof record['generation'] !== 'number' || !Number.isSafeInteger(record['generation'])) return undefined;
  const generation = record['generation'];
  const endpointId = record['endpointId'];
  const path = record['path'];
  const tag = record['tag'];
  const softAt = record['softAt'];
  if (softAt !== undefined && (typeof softAt !== 'number' || !Number.isFinite(softAt))) return undefined;
  const soft = softAt === undefined ? {} : { softAt };
  switch (record['kind']) {
    case 'all':
      return { kind: 'all', generation };
    case 'endpoint':
      return typeof endpointId === 'string' ? { kind: 'endpoint', endpointId, generation } : undefined;
    case 'file':
    case 'directory':
    case 'pattern':
      return typeof endpointId === 'string' && typeof path === 'string' ? { kind: record['kind'], endpointId, path, generation, ...soft } : undefined;
    case 'tag':
      return typeof endpointId === 'string' && typeof tag === 'string' ? { kind: 'tag', endpointId, tag, generation, ...soft } : undefined;
    default:
      return undefined;
  }
}
