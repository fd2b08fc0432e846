/**
 * Parses the ISO-8601 date-time forms SIF consumers send in the `timestamp` header:
 * `2014-01-14T09:48:42.942Z`, `2014-01-14T09:48:42Z`, fractions of any length (.NET sends seven
 * digits), `±hh:mm` offsets, and minute precision. The zone is required and is `Z` or `±hh:mm`, as
 * in xs:dateTime: a time without one could be any of 27 hours, so it is not guessed to be UTC
 * (`lacksZone` tells that case apart). Returns epoch milliseconds, or undefined when the text is
 * not such a form.
 *
 * @example
 * parseIsoTimestamp('2013-06-22T23:52-07:00'); // Date.UTC(2013, 5, 23, 6, 52)
 * parseIsoTimestamp('2013-06-22T23:52:00');    // undefined: no zone
 */
export function parseIsoTimestamp(text: string): number | undefined {
  const m = ISO.exec(text.trim());
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s = '0', frac = '', zone] = m;
  if (zone === undefined) return undefined;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 24 || minute > 59 || second > 60) {
    return undefined;
  }
  // Only the first three digits count: any further ones are below a millisecond.
  const millis = frac ? Number(frac.slice(0, 3).padEnd(3, '0')) : 0;
  let t = Date.UTC(year, month - 1, day, hour, minute, second, millis);
  if (new Date(Date.UTC(year, month - 1, day)).getUTCDate() !== day) return undefined;
  if (zone !== 'Z' && zone !== 'z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const offH = Number(zone.slice(1, 3));
    const offM = Number(zone.slice(4, 6));
    if (offH > 14 || offM > 59) return undefined;
    t -= sign * (offH * 60 + offM) * 60_000;
  }
  return t;
}

/**
 * True when `text` is a date-time of the accepted shape that lacks only its zone: so that a
 * consumer can be told why its timestamp was refused.
 *
 * @example
 * lacksZone('2014-01-14T09:48:42.942');  // true
 * lacksZone('2014-01-14T09:48:42.942Z'); // false
 */
export function lacksZone(text: string): boolean {
  const m = ISO.exec(text.trim());
  return m !== null && m[8] === undefined;
}

// Fractions are unbounded (`\d+` cannot backtrack against its neighbours, so length costs only a scan).
const ISO = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?([Zz]|[+-]\d{2}:\d{2})?$/;
