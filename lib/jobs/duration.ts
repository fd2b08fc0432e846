/** An `xs:duration` (`PnYnMnDTnHnMnS`, no sign), e.g. `P30D` or `PT12H`. */
const DURATION = /^P(?!$)(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?(?:T(?!$)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

/**
 * True for a positive `xs:duration` without a sign.
 *
 * @example
 * isDuration('P30D'); // true
 * isDuration('30 days'); // false
 */
export function isDuration(text: string): boolean {
  return DURATION.test(text);
}

/**
 * The time `duration` after `from` (ISO-8601), calendar-wise for years, months and days, as ISO-8601;
 * undefined for text that is not a duration.
 *
 * @example
 * addDuration('2026-01-31T10:00:00.000Z', 'P1DT2H'); // '2026-02-01T12:00:00.000Z'
 */
export function addDuration(from: string, duration: string): string | undefined {
  const m = DURATION.exec(duration);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1).map((v) => (v === undefined ? 0 : Number(v))) as [number, number, number, number, number, number];
  const t = new Date(from);
  t.setUTCFullYear(t.getUTCFullYear() + y, t.getUTCMonth() + mo, t.getUTCDate() + d);
  return new Date(t.getTime() + ((h * 60 + mi) * 60 + s) * 1000).toISOString();
}
