import type { ScalarKind, ScalarModel } from './model';

// The lexical forms of XSD's built-in kinds (values are whitespace-collapsed first, as XSD does).
const TZ = '(?:Z|[+-]\\d{2}:\\d{2})?';
const LEXICAL: Readonly<Record<Exclude<ScalarKind, 'string'>, { re: RegExp; name: string }>> = {
  integer: { re: /^[+-]?\d+$/, name: 'an integer' },
  decimal: { re: /^(?:[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|-?INF|NaN)$/, name: 'a decimal number' },
  boolean: { re: /^(?:true|false|1|0)$/, name: 'a boolean (true, false, 1 or 0)' },
  date: { re: new RegExp(`^-?\\d{4,}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\\d|3[01])${TZ}$`), name: 'a date (YYYY-MM-DD)' },
  dateTime: { re: new RegExp(`^-?\\d{4,}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\\d|3[01])T(?:[01]\\d|2[0-4]):[0-5]\\d:[0-5]\\d(?:\\.\\d+)?${TZ}$`), name: 'a dateTime (YYYY-MM-DDThh:mm:ss)' },
  time: { re: new RegExp(`^(?:[01]\\d|2[0-4]):[0-5]\\d:[0-5]\\d(?:\\.\\d+)?${TZ}$`), name: 'a time (hh:mm:ss)' },
  gYear: { re: new RegExp(`^-?\\d{4,}${TZ}$`), name: 'a year (YYYY)' },
  duration: { re: /^-?P(?=\d|T\d)(?:\d+Y)?(?:\d+M)?(?:\d+D)?(?:T(?=\d)(?:\d+H)?(?:\d+M)?(?:\d+(?:\.\d+)?S)?)?$/, name: 'a duration (PnYnMnDTnHnMnS)' },
};

/** Checks one text value: undefined when it is valid, else what is wrong with it. */
export type ScalarCheck = (value: string) => string | undefined;

/**
 * A check for values of one simple type, made once per type: its kind's lexical form, its
 * enumeration, lengths, bounds and patterns (a pattern JavaScript cannot read is left out).
 *
 * @example
 * scalarCheck({ kind: 'integer', minInclusive: '1' })('0'); // '"0" is below the minimum 1'
 */
export function scalarCheck(scalar: ScalarModel): ScalarCheck {
  const lexical = scalar.kind === 'string' ? undefined : LEXICAL[scalar.kind];
  const values = scalar.enum ? new Set(scalar.enum) : undefined;
  const patterns = (scalar.pattern ?? []).flatMap((p) => {
    try {
      return [new RegExp(`^(?:${p})$`, 'u')];
    } catch {
      return [];
    }
  });
  const min = scalar.minInclusive === undefined ? undefined : Number(scalar.minInclusive);
  const max = scalar.maxInclusive === undefined ? undefined : Number(scalar.maxInclusive);
  return (raw) => {
    const value = scalar.kind === 'string' && !values ? raw : raw.trim();
    const shown = JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
    if (lexical && !lexical.re.test(value)) return `${shown} is not ${lexical.name}`;
    if (values && !values.has(value)) {
      const list = scalar.enum!.slice(0, 12).join(', ');
      return `${shown} is not one of ${list}${scalar.enum!.length > 12 ? `, … (${scalar.enum!.length} values)` : ''}`;
    }
    if (scalar.minLength !== undefined && [...value].length < scalar.minLength) return `${shown} is shorter than ${scalar.minLength} characters`;
    if (scalar.maxLength !== undefined && [...value].length > scalar.maxLength) return `${shown} is longer than ${scalar.maxLength} characters`;
    if (min !== undefined && Number(value) < min) return `${shown} is below the minimum ${scalar.minInclusive}`;
    if (max !== undefined && Number(value) > max) return `${shown} is above the maximum ${scalar.maxInclusive}`;
    for (const re of patterns) if (!re.test(value)) return `${shown} does not match the pattern ${re.source.slice(4, -2).slice(0, 60)}`;
    return undefined;
  };
}
