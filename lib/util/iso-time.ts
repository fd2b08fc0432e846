/**
 * Parses the ISO-8601 date-time forms SIF consumers send in the `timestamp` header:
 * `2014-01-14T09:48:42.942Z`, `2014-01-14T09:48:42Z`, seven-digit .NET fractions, offsets such as
 * `+10:00`, `+1000` or `-07`, and minute precision. A time without a zone is taken as UTC, since SIF
 * says timestamps are UTC. Returns epoch milliseconds, or undefined when the text is not such a form.
 *
 * @example
 * parseIsoTimestamp('2013-06-22T23:52-07'); // Date.UTC(2013, 5, 23, 6, 52)
 */
export function parseIsoTimestamp(text: string): number | undefined {
  const m = ISO.exec(text.trim());
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s = '0', frac = '', zone = 'Z'] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 24 || minute > 59 || second > 60) {
    return undefined;
  }
  const millis = frac ? Math.floor(Number(`0.${frac}`) * 1000) : 0;
  let t = Date.UTC(year, month - 1, day, hour, minute, second, millis);
  if (new Date(Date.UTC(year, month - 1, day)).getUTCDate() !== day) return undefined;
  if (zone !== 'Z' && zone !== 'z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const offH = Number(digits.slice(0, 2));
    const offM = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
    if (offH > 14 || offM > 59) return undefined;
    t -= sign * (offH * 60 + offM) * 60_000;
  }
  return t;
}

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?([Zz]|[+-]\d{2}(?::?\d{2})?)?$/;
