import type { AuthMethod, Format } from '../../lib/client/index';
import { SifClient, SifClientError } from '../../lib/client/index';

// What the browser page runs: bundled by esbuild together with the client (client.test.ts), served
// from an origin other than the provider's, and called from the test through `globalThis.sifScenario`.
// Only the client's public surface is used, as a web app would.

/** Who connects, and how. */
export interface ScenarioInput {
  url: string;
  applicationKey: string;
  secret: string;
  authMethod: AuthMethod;
  format: Format;
  instanceId: string;
  pageSize: number;
}

/** What the page saw, in plain data (it crosses from the page to the test as JSON). */
export interface ScenarioResult {
  environmentId: string;
  /** Each page's number, last page, count and object ids: the paging headers the page could read. */
  pages: { page: number; lastPage: number | undefined; count: number | undefined; ids: string[] }[];
  readId: string | undefined;
  readEqualsListed: boolean;
  closed: boolean;
}

/** Registers, pages through every student, reads the first one back, and closes the environment. */
async function registerPageReadClose(input: ScenarioInput): Promise<ScenarioResult> {
  const client = await SifClient.connect({
    url: input.url,
    applicationKey: input.applicationKey,
    secret: input.secret,
    authMethod: input.authMethod,
    format: input.format,
    instanceId: input.instanceId,
  });
  const environmentId = client.environment.id;
  const students = client.service('xStudents');
  const pages: ScenarioResult['pages'] = [];
  let first: Record<string, unknown> | undefined;
  for await (const page of students.pages({ pageSize: input.pageSize })) {
    first ??= page.objects[0];
    pages.push({ page: page.navigationPage, lastPage: page.navigationLastPage, count: page.navigationCount, ids: page.objects.map((o) => String(o['@refId'])) });
  }
  const readId = first ? String(first['@refId']) : undefined;
  const read = readId ? await students.read(readId) : null;
  await client.close();
  return { environmentId, pages, readId, readEqualsListed: JSON.stringify(read) === JSON.stringify(first), closed: true };
}

/** What a sync of the district saw: the copy's size, then what a second sync fetched. */
export interface SyncScenarioResult {
  copied: number;
  full: boolean;
  again: { full: boolean; objects: number };
}

/**
 * The "a browser page syncs the district in a dozen lines": a full sync into a Map, then a
 * second sync from its marker, which fetches only what changed (nothing here).
 */
async function syncDistrict(input: ScenarioInput): Promise<SyncScenarioResult> {
  const client = await SifClient.connect({ url: input.url, applicationKey: input.applicationKey, secret: input.secret, authMethod: input.authMethod, format: input.format, instanceId: input.instanceId });
  const students = client.service('xStudents');
  const copy = new Map<string, unknown>();
  const keep = (s: Record<string, unknown>, change: { id: string | undefined; deleted: boolean }) => {
    if (change.deleted) copy.delete(change.id!);
    else copy.set(String(s['@refId']), s);
  };
  const first = await students.sync({ pageSize: input.pageSize, onReset: () => copy.clear(), onObject: keep });
  const again = await students.sync({ marker: first.marker, pageSize: input.pageSize, onObject: keep });
  await client.close();
  return { copied: copy.size, full: first.full, again: { full: again.full, objects: again.objects } };
}

/** Tries to register; resolves with the client error's status and message (0: the browser gave no answer). */
async function tryConnect(input: ScenarioInput): Promise<{ status: number; message: string } | 'connected'> {
  try {
    const client = await SifClient.connect({ url: input.url, applicationKey: input.applicationKey, secret: input.secret, instanceId: input.instanceId });
    await client.close();
    return 'connected';
  } catch (error) {
    if (error instanceof SifClientError) return { status: error.status, message: error.message };
    throw error;
  }
}

(globalThis as { sifScenario?: unknown }).sifScenario = { registerPageReadClose, syncDistrict, tryConnect };
