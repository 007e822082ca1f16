/**
 * Text clients send that the store keeps and the edge uses: names, paths, patterns. JSON can
 * carry a lone UTF-16 surrogate ("\ud800"), which no UTF-8 text can hold, so it breaks whatever
 * encodes it later (encodeURIComponent throws; PostgreSQL refuses it); control characters make
 * no sense in any of these fields.
 */

import { Errors } from '../contract/errors.js';

export const LONE_SURROGATE = 'contains a lone UTF-16 surrogate (an unpaired \\ud800-\\udfff escape); send valid Unicode text';

const CONTROL = /[\u0000-\u001f\u007f]/;

/** What makes `value` unusable as a name, path or pattern, or undefined when it is fine. */
function textProblem(value: string): string | undefined {
  if (!value.isWellFormed()) return LONE_SURROGATE;
  if (CONTROL.test(value)) return 'contains a control character (NUL, CR, LF, tab or another)';
  return undefined;
}

/** Throws ParameterInvalid naming `field` when `value` has a textProblem. */
export function checkText(value: string, field: string): void {
  const problem = textProblem(value);
  if (problem) throw Errors.parameterInvalid(`${field} "${shorten(value)}" ${problem}.`);
}

/** `value` with control characters and lone surrogates spelled as escapes, for messages. */
export function printable(value: string): string {
  return value.replace(/[\u0000-\u001f\u007f]|\p{Cs}/gu, (c) => {
    const code = c.charCodeAt(0);
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16)}`;
  });
}

/** `value` printable and at most about 120 characters, for messages. */
export function shorten(value: string): string {
  const text = printable(value);
  return text.length > 120 ? `${text.slice(0, 120)}...` : text;
}
