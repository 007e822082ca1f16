/** Files a command reads (`--file`, `--cert`): "-" is stdin; a problem is one line, exit 1. */
import { readFileSync } from 'node:fs';
import { CommandError } from './connection.js';

export function readText(file: string, flag: string): string {
  try {
    return readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (error) {
    throw new CommandError(`${flag}: cannot read "${file}" (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}).`);
  }
}

export function readJson<T>(file: string, flag = '--file'): T {
  const text = readText(file, flag);
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new CommandError(`${flag}: "${file}" is not valid JSON (${(error as Error).message}).`);
  }
}
