import type { ConnectOptions } from '../transport';
import type { AuthMethod, Format } from '../types';
import { UsageError } from './usage-error';

/**
 * The flags every command shares, with the environment variables they fall back to.
 *
 * @example
 * sif3 query xStudents --url http://localhost:3000/sif3 --key DemoApp --secret DemoSecret --auth SIF_HMACSHA256
 */
export const CONNECTION_FLAGS = {
  url: { type: 'string', env: 'SIF_URL', help: 'the provider\'s SIF mount point, e.g. http://localhost:3000/sif3' },
  key: { type: 'string', env: 'SIF_APPLICATION_KEY', help: 'application key' },
  secret: { type: 'string', env: 'SIF_SECRET', help: 'shared secret' },
  auth: { type: 'string', env: 'SIF_AUTH', help: 'Basic (default) or SIF_HMACSHA256' },
  format: { type: 'string', env: 'SIF_FORMAT', help: 'xml (default) or json' },
  json: { type: 'string', env: 'SIF_JSON', help: 'JSON notation: goessner (default) or pesc (SIF 3.3 profiles; implies --format json)' },
  'instance-id': { type: 'string', env: 'SIF_INSTANCE_ID', help: 'instanceId of the environment (default sif3-cli)' },
} as const;

/**
 * Connection options from flags, else the environment; a missing or unknown value is a usage error.
 *
 * @example
 * const options = connectOptions(values, process.env);
 */
export function connectOptions(values: Record<string, unknown>, env: Record<string, string | undefined>): ConnectOptions {
  const pick = (flag: keyof typeof CONNECTION_FLAGS): string | undefined => {
    const value = values[flag];
    return typeof value === 'string' && value !== '' ? value : env[CONNECTION_FLAGS[flag].env] || undefined;
  };
  const url = pick('url');
  const applicationKey = pick('key');
  const secret = pick('secret');
  if (!url) throw new UsageError('no provider URL: give --url or set SIF_URL');
  if (!applicationKey) throw new UsageError('no application key: give --key or set SIF_APPLICATION_KEY');
  if (!secret) throw new UsageError('no secret: give --secret or set SIF_SECRET');
  const auth = pick('auth') ?? 'Basic';
  const authMethod = (['Basic', 'SIF_HMACSHA256'] as const).find((m) => m.toLowerCase() === auth.toLowerCase());
  if (!authMethod) throw new UsageError(`--auth must be Basic or SIF_HMACSHA256, not ${auth}`);
  const json = (pick('json') ?? 'goessner').toLowerCase();
  if (json !== 'goessner' && json !== 'pesc') throw new UsageError(`--json must be goessner or pesc, not ${json}`);
  const format = (pick('format') ?? (json === 'pesc' ? 'json' : 'xml')).toLowerCase();
  if (format !== 'xml' && format !== 'json') throw new UsageError(`--format must be xml or json, not ${format}`);
  if (json === 'pesc' && format === 'xml') throw new UsageError('--json pesc is a JSON notation: it needs --format json');
  return { url, applicationKey, secret, authMethod: authMethod as AuthMethod, format: format as Format, json, instanceId: pick('instance-id') ?? 'sif3-cli' };
}
