import { UnsupportedMediaTypeError } from '../errors';
import type { Format } from '../payload/codec';

/**
 * The response format: the `Accept` header when it names JSON or XML, otherwise the URL suffix,
 * otherwise XML. `Accept: *\/*` (what curl and browsers send) states no preference.
 *
 * @example
 * responseFormat('application/json', undefined); // 'json'
 * responseFormat('*\/*', 'json');                // 'json'
 */
export function responseFormat(accept: string | undefined, suffix: Format | undefined): Format {
  if (accept) {
    let best: { format: Format; q: number } | undefined;
    for (const range of accept.split(',')) {
      const [type = '', ...params] = range.split(';').map((p) => p.trim().toLowerCase());
      const format = formatOfMediaType(type);
      if (!format) continue;
      const qParam = params.find((p) => p.startsWith('q='));
      const q = qParam ? Number(qParam.slice(2)) : 1;
      if (!(q > 0)) continue;
      if (!best || q > best.q) best = { format, q };
    }
    if (best) return best.format;
  }
  return suffix ?? 'xml';
}

/**
 * The format of a request body: its `Content-Type`, otherwise the URL suffix, otherwise XML.
 * A content type that is neither JSON nor XML is a 415.
 */
export function requestFormat(contentType: string | undefined, suffix: Format | undefined): Format {
  if (!contentType) return suffix ?? 'xml';
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  const format = formatOfMediaType(type);
  if (!format) {
    throw new UnsupportedMediaTypeError(`Unsupported content type "${type.slice(0, 80)}"`, {
      description: 'Send application/xml or application/json',
    });
  }
  return format;
}

function formatOfMediaType(type: string): Format | undefined {
  if (type === 'application/json' || type === 'text/json' || /^application\/[\w.+-]+\+json$/.test(type)) return 'json';
  if (type === 'application/xml' || type === 'text/xml' || /^application\/[\w.+-]+\+xml$/.test(type)) return 'xml';
  return undefined;
}
