import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { gzipSync } from 'node:zlib';
import type { TestHost } from '../helpers/host';
import { createTestHost, register } from '../helpers/host';
import { basicAuth } from '../helpers/consumer-auth';

// A body refused while it is still arriving (a gzip bomb past limits.maxBodyBytes) must be drained,
// so that the same keep-alive connection carries the consumer's next request. Before the fix the
// decoder's unpipe paused the request again: the third request on the connection hung until the
// server's keep-alive timeout and ended in a connection reset (found by bench/hostile.ts).

let host: TestHost;
let server: Server;
let base: string;

beforeAll(async () => {
  host = createTestHost(); // the default 10 MiB limit: the decoder is deep in backpressure when it is passed
  server = host.app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await host.close();
});

test('gzip bombs refused one after another on reused keep-alive connections are each answered 413', async () => {
  const env = await register(host);
  const auth = basicAuth(env.sessionToken, 'DemoSecret');
  const bomb = gzipSync(Buffer.concat([Buffer.from('<xStudent>'), Buffer.alloc(256 * 1024 * 1024, 0x61), Buffer.from('</xStudent>')]), { level: 9 });
  const statuses: number[] = [];
  for (let i = 0; i < 5; i++) {
    const res = await fetch(`${base}/sif3/requests/xStudents/xStudent`, {
      method: 'POST',
      headers: { Authorization: auth, 'Content-Type': 'application/xml', 'Content-Encoding': 'gzip' },
      body: bomb,
    });
    statuses.push(res.status);
    expect(await res.text()).toContain('limits.maxBodyBytes');
  }
  expect(statuses).toEqual([413, 413, 413, 413, 413]);
  expect((await fetch(`${base}/health`)).status).toBe(200);
}, 30_000);
