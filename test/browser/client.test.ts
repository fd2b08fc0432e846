import { build, stop } from 'esbuild';
import express from 'express';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { AuthMethod, Format } from 'sif3-direct/client';
import { listen, startExample } from '../helpers/example';
import type { RunningBrowser } from './chromium';
import { chromiumTarget, launchChromium } from './chromium';
import type { ScenarioInput, ScenarioResult, SyncScenarioResult } from './page';

// The consumer client as a web app runs it: bundled for the browser, loaded by a page of one origin
// (a small static server), calling the example SIS on another origin (another port) with the `cors`
// option on, in Debian's headless Chromium. The browser enforces CORS here, not the test: a header
// left out of the provider's lists would fail the preflight or hide the paging headers.

const executable = chromiumTarget('browser client test (test/browser)');
const describeBrowser = executable ? describe : describe.skip;

/** What the page puts on globalThis (test/browser/page.ts). */
interface Scenario {
  sifScenario: {
    registerPageReadClose(input: ScenarioInput): Promise<ScenarioResult>;
    syncDistrict(input: ScenarioInput): Promise<SyncScenarioResult>;
    tryConnect(input: ScenarioInput): Promise<{ status: number; message: string } | 'connected'>;
  };
}

/** One request the provider saw: enough to tell that the browser sent preflights and what they got. */
interface Seen {
  method: string;
  path: string;
  origin: string | undefined;
  status: number;
}

/** The client and the page's scenario in one ES module, for the browser. */
async function bundle(): Promise<string> {
  const result = await build({
    entryPoints: [join(__dirname, 'page.ts')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}

/** A static origin serving the page and the bundle. */
async function pageServer(script: string): Promise<{ base: string; close(): Promise<void> }> {
  const app = express();
  app.get('/', (_req, res) => {
    res.type('html').send('<!doctype html><meta charset="utf-8"><title>sif3 client</title><script type="module" src="/sif3-client.js"></script>');
  });
  app.get('/sif3-client.js', (_req, res) => {
    res.type('text/javascript').send(script);
  });
  return listen(app);
}

async function openPage(browser: RunningBrowser, base: string): Promise<Page> {
  const page = await browser.context.newPage();
  page.on('pageerror', (error) => console.error(`page error: ${error.message}`));
  await page.goto(`${base}/`);
  await page.waitForFunction('globalThis.sifScenario !== undefined');
  return page;
}

describeBrowser('the client in headless Chromium, against the example SIS on another origin', () => {
  let browser: RunningBrowser;
  let allowedPage: { base: string; close(): Promise<void> };
  let otherPage: { base: string; close(): Promise<void> };
  let example: ReturnType<typeof startExample>;
  let sif: { base: string; close(): Promise<void> };
  const seen: Seen[] = [];

  beforeAll(async () => {
    const script = await bundle();
    await stop();
    allowedPage = await pageServer(script);
    otherPage = await pageServer(script);
    example = startExample({
      seed: { students: 23, rostersPerSchool: 1, rosterSize: 5 },
      provider: { cors: { origins: [allowedPage.base] } },
    });
    // In front of the example: records what reached the provider, after it answered.
    const front = express();
    front.use((req, res, next) => {
      res.on('finish', () => seen.push({ method: req.method, path: req.originalUrl, origin: req.headers.origin, status: res.statusCode }));
      next();
    });
    front.use(example.app);
    sif = await listen(front);
    browser = await launchChromium(executable!);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await sif?.close();
    await example?.close();
    await allowedPage?.close();
    await otherPage?.close();
  });

  const combinations: Array<[AuthMethod, Format]> = [
    ['Basic', 'xml'],
    ['SIF_HMACSHA256', 'json'],
  ];

  test.each(combinations)('registers, pages through, reads one and closes (%s, %s)', async (authMethod, format) => {
    const page = await openPage(browser, allowedPage.base);
    const input: ScenarioInput = {
      url: `${sif.base}/sif3`,
      applicationKey: 'DemoApp',
      secret: 'DemoSecret',
      authMethod,
      format,
      instanceId: `browser-${authMethod}-${format}`,
      pageSize: 5,
    };
    const from = seen.length;
    const result = await page.evaluate((i) => (globalThis as unknown as Scenario).sifScenario.registerPageReadClose(i), input);
    await page.close();

    // Paging headers read by the page: only there if the provider exposed them.
    const count = result.pages[0]!.count!;
    const lastPage = Math.ceil(count / input.pageSize);
    expect(count).toBeGreaterThan(input.pageSize);
    expect(result.pages.map((p) => p.page)).toEqual(Array.from({ length: lastPage }, (_, i) => i + 1));
    expect(result.pages.every((p) => p.lastPage === lastPage && p.count === count)).toBe(true);
    const ids = result.pages.flatMap((p) => p.ids);
    expect(ids).toHaveLength(count);
    expect(new Set(ids).size).toBe(count);
    expect(result.readId).toBe(ids[0]);
    expect(result.readEqualsListed).toBe(true);
    expect(result.closed).toBe(true);
    expect(await example.provider.store.getEnvironment(result.environmentId)).toBeUndefined();

    // The browser asked first (preflights, answered 204 without credentials), then sent each request from the page's origin.
    const requests = seen.slice(from);
    expect(requests.every((r) => r.origin === allowedPage.base)).toBe(true);
    const preflights = requests.filter((r) => r.method === 'OPTIONS');
    expect(preflights.length).toBeGreaterThan(0);
    expect(preflights.every((r) => r.status === 204)).toBe(true);
    const actual = requests.filter((r) => r.method !== 'OPTIONS').map((r) => `${r.method} ${r.status}`);
    expect(actual[0]).toBe('POST 201');
    expect(actual.filter((r) => r === 'GET 200')).toHaveLength(lastPage + 1);
    expect(actual[actual.length - 1]).toBe('DELETE 204');
  }, 60_000);

  test('syncs the whole district into a copy, then fetches nothing more from its marker', async () => {
    const page = await openPage(browser, allowedPage.base);
    const input: ScenarioInput = {
      url: `${sif.base}/sif3`,
      applicationKey: 'DemoApp',
      secret: 'DemoSecret',
      authMethod: 'SIF_HMACSHA256',
      format: 'json',
      instanceId: 'browser-sync',
      pageSize: 5,
    };
    const result = await page.evaluate((i) => (globalThis as unknown as Scenario).sifScenario.syncDistrict(i), input);
    await page.close();
    const students = (example.sis.prepare('SELECT count(*) AS n FROM students').get() as { n: number }).n;
    expect(result).toEqual({ copied: students, full: true, again: { full: false, objects: 0 } });
  });

  test('a page of an origin not in cors.origins gets no answer: its preflight is refused', async () => {
    const page = await openPage(browser, otherPage.base);
    const from = seen.length;
    const input: ScenarioInput = { url: `${sif.base}/sif3`, applicationKey: 'DemoApp', secret: 'DemoSecret', authMethod: 'Basic', format: 'xml', instanceId: 'browser-refused', pageSize: 5 };
    const outcome = await page.evaluate((i) => (globalThis as unknown as Scenario).sifScenario.tryConnect(i), input);
    await page.close();
    expect(outcome).toEqual({ status: 0, message: expect.stringContaining('no answer') });
    const requests = seen.slice(from);
    expect(requests.map((r) => `${r.method} ${r.status}`)).toEqual(['OPTIONS 403']);
    expect(requests[0]!.origin).toBe(otherPage.base);
  }, 60_000);
});
