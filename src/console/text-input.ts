/** Lists typed in a text area. */

/** One item per line, without blanks (URLs, which may hold commas). */
export function lines(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
}

/** Items one per line or separated by commas, without blanks (addresses, suffixes, referers). */
export function items(text: string): string[] {
  return lines(text.replace(/,/g, '\n'));
}
