import { lacksZone, parseIsoTimestamp } from '../../lib/util/iso-time';

describe('parseIsoTimestamp', () => {
  const base = Date.UTC(2014, 0, 14, 9, 48, 42, 942);
  test.each([
    ['2014-01-14T09:48:42.942Z', base],
    ['2014-01-14T09:48:42.9420000Z', base],
    ['2014-01-14T09:48:42Z', base - 942],
    ['2014-01-14T19:48:42.942+10:00', base],
    ['2014-01-14T02:48:42.942-07:00', base],
    ['2014-01-14T09:48:42.942000000000001Z', base],
    ['2014-01-14T09:48Z', Date.UTC(2014, 0, 14, 9, 48)],
  ])('%s', (text, expected) => {
    expect(parseIsoTimestamp(text)).toBe(expected);
  });

  // A zone is Z or ±hh:mm (xs:dateTime); a time without one is refused, not guessed to be UTC.
  test.each(['', 'now', '2014-01-14T09:48:42.942', '2014-01-14T19:48:42.942+1000', '2014-01-14T02:48:42.942-07', '2014-13-01T00:00:00Z', '2014-02-30T00:00:00Z', '2014-01-14', '2014-01-14T25:00:00Z', '1389692922942'])(
    '%j is not a timestamp',
    (text) => {
      expect(parseIsoTimestamp(text)).toBeUndefined();
    },
  );
});

describe('lacksZone', () => {
  test.each([
    ['2014-01-14T09:48:42.942', true],
    ['2014-01-14T09:48', true],
    ['2014-01-14T09:48:42.942Z', false],
    ['2014-01-14T09:48:42+10:00', false],
    ['2014-01-14T09:48:42+1000', false],
    ['now', false],
  ])('%s: %s', (text, expected) => {
    expect(lacksZone(text)).toBe(expected);
  });
});
