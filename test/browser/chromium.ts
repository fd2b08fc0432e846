import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { chromium } from 'playwright-core';

/** Debian's Chromium (`apt-get install chromium`): the only browser these tests use; none is downloaded. */
export const CHROMIUM = '/usr/bin/chromium';

/**
 * The flags every launch gets: headless, no sandbox (CI runs as root, where Chromium's sandbox
 * refuses to start), and nothing that reaches the network on its own (updates, sync, QUIC probes),
 * so the only traffic is the test's.
 */
const FLAGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

/**
 * The Chromium to run, or undefined (with a printed line saying why) when there is none here.
 * Throws when SIF_REQUIRE_BROWSER forbids skipping, as CI sets it.
 *
 * @example
 * const executable = chromiumTarget('browser client test');
 * const describeBrowser = executable ? describe : describe.skip;
 */
export function chromiumTarget(suite: string): string | undefined {
  if (existsSync(CHROMIUM)) return CHROMIUM;
  const why = `${CHROMIUM} is not installed (apt-get install chromium)`;
  if (process.env.SIF_REQUIRE_BROWSER) {
    throw new Error(`the browser tests are required here (SIF_REQUIRE_BROWSER) but cannot run: ${why}`);
  }
  console.warn(`SKIPPED ${suite}: ${why}`);
  return undefined;
}

/** A running headless Chromium with a profile of its own; `close()` also removes the profile. */
export interface RunningBrowser {
  context: BrowserContext;
  close(): Promise<void>;
}

/**
 * Launches Chromium headless in a fresh user-data directory, so no state of an earlier run (cached
 * preflights, storage) can make a test pass.
 *
 * @example
 * const browser = await launchChromium(CHROMIUM);
 * const page = await browser.context.newPage();
 */
export async function launchChromium(executablePath: string): Promise<RunningBrowser> {
  const profile = mkdtempSync(join(tmpdir(), 'sif3-chromium-'));
  try {
    // launchPersistentContext is Playwright's way to give the profile folder (it refuses a
    // --user-data-dir among the arguments of launch()).
    const context = await chromium.launchPersistentContext(profile, { executablePath, headless: true, args: FLAGS });
    return {
      context,
      close: async () => {
        await context.close();
        rmSync(profile, { recursive: true, force: true });
      },
    };
  } catch (error) {
    rmSync(profile, { recursive: true, force: true });
    throw error;
  }
}
