/**
 * HTTP dates, strictly (RFC 9110 §5.6.7): IMF-fixdate and the two obsolete formats a recipient
 * must still accept, nothing else. `Date.parse` is not used: it reads "0" as the year 2000 and
 * "-1" as 2001, and guesses at anything that looks like a date, while RFC 9111 §5.3 says an
 * Expires that is not a valid date means "already expired".
 */

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAY = '(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)';
const DAY_LONG = '(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)';
const MONTH = `(${MONTHS.join('|')})`;
const TIME = '(\\d{2}):(\\d{2}):(\\d{2})';

/** "Sun, 06 Nov 1994 08:49:37 GMT" */
const IMF_FIXDATE = new RegExp(`^${DAY}, (\\d{2}) ${MONTH} (\\d{4}) ${TIME} GMT$`);
/** "Sunday, 06-Nov-94 08:49:37 GMT" */
const RFC850 = new RegExp(`^${DAY_LONG}, (\\d{2})-${MONTH}-(\\d{2}) ${TIME} GMT$`);
/** "Sun Nov  6 08:49:37 1994" */
const ASCTIME = new RegExp(`^${DAY} ${MONTH} ([ \\d]\\d) ${TIME} (\\d{4})$`);

/**
 * Epoch milliseconds of an HTTP date, or undefined when it is not one. `now` places the
 * two-digit years of rfc850-date: one that would be more than 50 years ahead is in the past
 * century (RFC 9110 §5.6.7).
 */
export function parseHttpDate(text: string, now: number = Date.now()): number | undefined {
  const value = text.trim();
  let match = IMF_FIXDATE.exec(value);
  if (match) return utc(+match[3]!, match[2]!, +match[1]!, +match[4]!, +match[5]!, +match[6]!);
  match = RFC850.exec(value);
  if (match) {
    const thisYear = new Date(now).getUTCFullYear();
    let year = Math.floor(thisYear / 100) * 100 + Number(match[3]);
    if (year > thisYear + 50) year -= 100;
    return utc(year, match[2]!, +match[1]!, +match[4]!, +match[5]!, +match[6]!);
  }
  match = ASCTIME.exec(value);
  if (match) return utc(+match[6]!, match[1]!, Number(match[2]!.trim()), +match[3]!, +match[4]!, +match[5]!);
  return undefined;
}

/** A header's HTTP date (the first line when repeated), or undefined. */
export function dateHeader(value: string | string[] | undefined, now?: number): number | undefined {
  if (value === undefined) return undefined;
  return parseHttpDate(Array.isArray(value) ? (value[0] ?? '') : value, now);
}

function utc(year: number, month: string, day: number, hour: number, minute: number, second: number): number | undefined {
  // second 60 is a leap second (RFC 9110 §5.6.7 allows it); it counts as the next second.
  if (hour > 23 || minute > 59 || second > 60 || day < 1) return undefined;
  const monthIndex = MONTHS.indexOf(month);
  const time = Date.UTC(year, monthIndex, day, hour, minute, second);
  // Refuse days the month does not have (31 Feb), which Date.UTC would roll over.
  if (new Date(time - (second === 60 ? 1000 : 0)).getUTCDate() !== day) return undefined;
  return time;
}
