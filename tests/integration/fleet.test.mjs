// Two instances sharing a real redis-server (started here, on a free port, in its own temp
// dir): a client alternating between them is throttled at the same point as against one
// instance; with Redis killed the instances keep answering, decide budgets alone (fail
// open, counted) and /readyz says so; when Redis is back they share again.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { redisServer, sleep, startServer } from './lib.mjs';

let dir, redis, a, b;
const ADMIN = 'fleet-admin';

// bucket 10 points, refilling 1 point in 1,000 s: `{ shop { name } }` costs 1
const TIERS = JSON.stringify({ anonymous: { bucket: 10, restore_per_second: 0.001 } });

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'bff-redis-'));
  redis = await redisServer(dir);
  const keys = { [createHash('sha256').update('apq-key').digest('hex')]: { client: 'apq', channel: 'web', tier: 'storefront', scopes: [] } };
  // redis.url names localhost, not an address: resolved off the loop, each of its addresses tried in turn
  const env = { BFF_ADMIN_KEY_SHA256: createHash('sha256').update(ADMIN).digest('hex'), BFF_REDIS_URL: redis.url, BFF_TIERS: TIERS, BFF_REDIS_TIMEOUT_MS: '200', BFF_API_KEYS: JSON.stringify(keys) };
  a = await startServer({ threads: 2, env });
  b = await startServer({ threads: 2, env });
  for (let i = 0; i < 100; i++) {
    const ra = await (await fetch(`${a.url}/readyz`)).json();
    const rb = await (await fetch(`${b.url}/readyz`)).json();
    if (ra.store === 'up' && rb.store === 'up') break;
    await sleep(20);
  }
});
after(async () => {
  for (const s of [a, b]) if (s) assert.equal((await s.stop()).code, 0);
  if (redis) await redis.kill();
  rmSync(dir, { recursive: true, force: true });
});

const ask = async (s, who) => {
  const r = await fetch(`${s.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': who }, body: '{"query":"{ shop { name } }"}' });
  return { status: r.status, body: await r.json() };
};

test('a client alternating between two instances is throttled where one instance would throttle it', async () => {
  const statuses = [];
  for (let i = 0; i < 14; i++) statuses.push((await ask(i % 2 ? b : a, 'ignored')).status);
  // 10 points, 1 point a request: the 11th is throttled, on whichever instance it lands
  assert.deepEqual(statuses, [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 429, 429, 429, 429]);
  const m = await (await fetch(`${a.url}/metrics`)).text();
  assert.match(m, /bff_store_up 1/);
  assert.match(m, /bff_store_fallbacks_total 0/);
});

test('a document registered by APQ on one instance is served by hash on the other', async () => {
  const query = '{ shop { name } }  # registered on A';
  const hash = createHash('sha256').update(query).digest('hex');
  const ext = { persistedQuery: { version: 1, sha256Hash: hash } };
  const post = (s, body) =>
    fetch(`${s.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': 'apq-key' }, body: JSON.stringify(body) }).then((r) => r.json());
  const before = await post(b, { extensions: ext });
  assert.equal(before.errors[0].extensions.code, 'PERSISTED_QUERY_NOT_FOUND');
  const registered = await post(a, { query, extensions: ext });
  assert.ok(registered.data.shop.name);
  const onB = await post(b, { extensions: ext });
  assert.equal(onB.errors, undefined, JSON.stringify(onB));
  assert.equal(onB.data.shop.name, registered.data.shop.name);
});

test('deprecation usage from both instances appears in /admin/deprecations of either', async () => {
  const use = (s, name, version) =>
    fetch(`${s.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': 'apq-key', 'x-client-name': name, 'x-client-version': version }, body: '{"query":"{ shop { currency } }"}' }).then((r) => r.json());
  for (let i = 0; i < 2; i++) assert.ok((await use(a, 'web-shop', '1.0')).data);
  for (let i = 0; i < 3; i++) assert.ok((await use(b, 'ios-app', '2.0')).data);
  await sleep(100); // the shares are not waited for
  for (const s of [a, b]) {
    const r = await (await fetch(`${s.url}/admin/deprecations`, { headers: { 'x-admin-key': ADMIN } })).json();
    assert.equal(r.source, 'fleet');
    const cur = r.deprecations.find((d) => d.coordinate === 'Shop.currency');
    assert.equal(cur.count, 5, JSON.stringify(cur));
    assert.deepEqual(cur.clients.map((c) => `${c.name}@${c.version}:${c.count}`).sort(), ['ios-app@2.0:3', 'web-shop@1.0:2']);
    for (const c of cur.clients) assert.ok(Date.now() - Date.parse(c.lastSeen) < 60000);
  }
});

test("the fleet's usage records stay bounded: past usage_max_clients pairs the least recently seen go, counted", async () => {
  const env = { BFF_ADMIN_KEY_SHA256: createHash('sha256').update(ADMIN).digest('hex'), BFF_REDIS_URL: redis.url, BFF_USAGE_MAX_CLIENTS: '3' };
  const c = await startServer({ threads: 1, env });
  try {
    for (let i = 0; i < 100; i++) {
      if ((await (await fetch(`${c.url}/readyz`)).json()).store === 'up') break;
      await sleep(20);
    }
    for (let i = 0; i < 6; i++)
      await fetch(`${c.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-client-name': `bot-${i}` }, body: '{"query":"{ shop { currency } }"}' });
    await sleep(100);
    const r = await (await fetch(`${c.url}/admin/deprecations`, { headers: { 'x-admin-key': ADMIN } })).json();
    assert.equal(r.source, 'fleet');
    const cur = r.deprecations.find((d) => d.coordinate === 'Shop.currency');
    // the two pairs of the test before and six new ones, three kept: the newest
    assert.deepEqual(cur.clients.map((x) => x.name).sort(), ['bot-3', 'bot-4', 'bot-5']);
    assert.equal(r.clientPairsEvicted, 5);
    assert.equal(cur.count, 11, 'the element keeps counting every use');
  } finally {
    assert.equal((await c.stop()).code, 0);
  }
});

test('Redis killed: both instances keep answering with local budgets, /readyz says so; Redis back: shared again', async () => {
  await redis.kill();
  let ready;
  for (let i = 0; i < 100; i++) {
    ready = await (await fetch(`${a.url}/readyz`)).json();
    if (ready.store === 'down') break;
    await sleep(20);
  }
  assert.equal(ready.status, 'ready');
  assert.equal(ready.store, 'down');
  // each instance now has its own bucket for the client (fail open): answers, not errors
  const local = [];
  for (let i = 0; i < 6; i++) local.push((await ask(i % 2 ? b : a, 'ignored')).status);
  assert.ok(local.every((s) => s === 200 || s === 429), JSON.stringify(local));
  assert.ok(local.includes(200), 'budgets fall back to the instances');
  const m = await (await fetch(`${a.url}/metrics`)).text();
  assert.match(m, /bff_store_up 0/);
  assert.match(m, /bff_store_fallbacks_total [1-9]/);
  // deprecation usage: each instance reports its own while Redis is away
  const own = await (await fetch(`${b.url}/admin/deprecations`, { headers: { 'x-admin-key': ADMIN } })).json();
  assert.equal(own.source, 'instance');
  assert.equal(own.deprecations.find((d) => d.coordinate === 'Shop.currency').count, 3);
  // Redis back (empty): the instances reconnect and share one bucket again
  await redis.start();
  for (let i = 0; i < 150; i++) {
    const ra = await (await fetch(`${a.url}/readyz`)).json();
    const rb = await (await fetch(`${b.url}/readyz`)).json();
    if (ra.store === 'up' && rb.store === 'up') break;
    await sleep(50);
  }
  // give every worker of both instances time to reconnect (each has its own connection)
  await sleep(6000);
  const shared = [];
  for (let i = 0; i < 12; i++) shared.push((await ask(i % 2 ? b : a, 'ignored')).status);
  assert.deepEqual(shared.slice(0, 10), Array(10).fill(200), JSON.stringify(shared));
  assert.deepEqual(shared.slice(10), [429, 429]);
});
