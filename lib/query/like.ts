/**
 * True when `text` matches the `like` pattern of a query by example, as SQLite's LIKE with `%` as the
 * only wildcard: `%` matches any run of characters (the empty one included), every other character
 * matches itself, A-Z and a-z match each other (and no other letters fold), and the whole text must
 * match. Runs in O(pattern × text) at worst and never recurses or backtracks more than that, so a
 * consumer's pattern cannot stall the event loop (a regular expression could: `%a%a…%b` is
 * exponential in the number of wildcards for a backtracking engine).
 *
 * @example
 * likeMatches('sm%h', 'Smith'); // true
 * likeMatches('%MIT', 'Smith'); // false: the text must end with "mit"
 */
export function likeMatches(pattern: string, text: string): boolean {
  const segments = foldAscii(pattern).split('%');
  const subject = foldAscii(text);
  if (segments.length === 1) return subject === segments[0];
  // Without a wildcard at its ends the pattern pins the text's start and end; in between, taking each
  // literal segment at its leftmost place is never worse than a later one (it leaves the most text
  // for the rest), so one forward scan decides: no backtracking is ever needed.
  const head = segments[0]!;
  const tail = segments[segments.length - 1]!;
  if (head.length + tail.length > subject.length) return false;
  if (!subject.startsWith(head) || !subject.endsWith(tail)) return false;
  const end = subject.length - tail.length;
  let at = head.length;
  for (let i = 1; i < segments.length - 1; i++) {
    const segment = segments[i]!;
    if (segment === '') continue;
    const found = subject.indexOf(segment, at);
    if (found < 0 || found + segment.length > end) return false;
    at = found + segment.length;
  }
  return true;
}

/**
 * A-Z to a-z, and nothing else: how `like` compares (SQLite's LIKE folds only ASCII letters).
 *
 * @example
 * foldAscii('ÉCOLE Smith'); // 'École smith'
 */
export function foldAscii(text: string): string {
  return text.replace(/[A-Z]+/g, (run) => run.toLowerCase());
}
