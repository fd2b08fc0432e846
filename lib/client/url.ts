/**
 * A URL below `base`: path segments (each escaped), matrix parameters on the last segment (where
 * SIF puts `zoneId` and `contextId`), then query parameters. Undefined values are left out.
 *
 * @example
 * sifUrl('http://h/sif3/requests', ['xStudents'], { zoneId: 'District' }, { where: '[localId="1"]' });
 * // 'http://h/sif3/requests/xStudents;zoneId=District?where=%5BlocalId%3D%221%22%5D'
 */
export function sifUrl(
  base: string,
  segments: readonly string[],
  matrix: Readonly<Record<string, string | undefined>> = {},
  query: Readonly<Record<string, string | undefined>> = {},
): string {
  let url = base.replace(/\/+$/, '');
  for (const segment of segments) url += `/${encodeURIComponent(segment)}`;
  for (const [name, value] of Object.entries(matrix)) if (value !== undefined) url += `;${name}=${encodeURIComponent(value)}`;
  const params = Object.entries(query).filter((e): e is [string, string] => e[1] !== undefined);
  if (params.length > 0) url += `?${params.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&')}`;
  return url;
}
