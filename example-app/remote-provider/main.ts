import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Format } from 'sif3-direct/client';
import { SifClient } from 'sif3-direct/client';
import { xpressArrays } from '../handlers/xpress';
import { openStaffDirectory } from './staff';

// The Springfield staff directory: a second process that serves xStaffs to the district's
// consumers through the SIS without opening any port (SIF 3.5 asynchronous provider, pull mode).
// It registers with the SIS as StaffDirectory, pulls requests from its queue and posts the answers.
// SIF_URL (default http://127.0.0.1:3000/sif3), SIF_APPLICATION_KEY / SIF_SECRET (default
// StaffDirectory / StaffSecret), SIF_FORMAT (xml or json, default xml), DATA_DIR (default
// example-app/data: the directory keeps staff.db there), STAFF_PAGE_DELAY_MS (slow pages down).

const url = process.env.SIF_URL ?? 'http://127.0.0.1:3000/sif3';
const dataDir = process.env.DATA_DIR ?? join(__dirname, '..', 'data');
const format = (process.env.SIF_FORMAT ?? 'xml') as Format;
const pageDelayMs = Number(process.env.STAFF_PAGE_DELAY_MS ?? 0);

async function main(): Promise<void> {
  if (format !== 'xml' && format !== 'json') throw new Error('SIF_FORMAT must be xml or json');
  mkdirSync(dataDir, { recursive: true });
  const staff = openStaffDirectory(join(dataDir, 'staff.db'), { pageDelayMs });
  const client = await SifClient.connect({
    url,
    applicationKey: process.env.SIF_APPLICATION_KEY ?? 'StaffDirectory',
    secret: process.env.SIF_SECRET ?? 'StaffSecret',
    authMethod: 'SIF_HMACSHA256',
    format,
    instanceId: 'staff-directory',
  });
  const provision = await client.provide('xStaffs', staff.handlers, {
    repeatable: xpressArrays('xStaff'),
    onError: (error) => console.error(`[staff] ${error instanceof Error ? error.message : String(error)}; retrying`),
  });
  console.log(`Staff directory providing xStaffs (${staff.count()} staff) through ${url}, queue ${provision.queueId}; no port opened`);
  const shutdown = (): void => {
    // The environment stays: requests keep arriving in its queue while this process is away.
    void provision.stop().then(() => {
      staff.close();
      process.exit(0);
    });
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
  await provision.done;
}

main().catch((err: unknown) => {
  console.error(`Cannot start the staff directory: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
