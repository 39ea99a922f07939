// HTTP/2 limits as a real HTTP/2 client (node:http2) sees them: idle
// connections are closed after idle_timeout_ms, and requests beyond
// max_concurrent_streams on one connection are queued, not refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import { startServer } from './lib.mjs';

test('HTTP/2: requests past the stream limit queue; idle connections are closed', async () => {
  const s = await startServer({ env: { BFF_MAX_CONCURRENT_STREAMS: '7', BFF_IDLE_TIMEOUT_MS: '400' }, threads: 1 });
  try {
    const client = http2.connect(s.url);
    const one = () =>
      new Promise((resolve, reject) => {
        const req = client.request({ ':method': 'POST', ':path': '/graphql', 'content-type': 'application/json' });
        let data = '';
        req.setEncoding('utf8');
        req.on('data', (d) => (data += d));
        req.on('end', () => resolve(data));
        req.on('error', reject);
        req.end(JSON.stringify({ query: '{ __typename }' }));
      });
    // 30 at once on one connection, over a limit of 7: all answered
    const bodies = await Promise.all(Array.from({ length: 30 }, one));
    for (const b of bodies) assert.deepEqual(JSON.parse(b).data, { __typename: 'Query' });
    // then silence
    const t0 = Date.now();
    await new Promise((resolve, reject) => {
      client.on('close', resolve);
      setTimeout(() => reject(new Error('idle connection not closed')), 5000).unref();
    });
    const idle = Date.now() - t0;
    assert.ok(idle >= 200 && idle < 4000, `closed after ${idle} ms idle`);
  } finally {
    assert.equal((await s.stop()).code, 0);
  }
});
