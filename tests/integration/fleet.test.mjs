// Two instances sharing a real redis-server (started here, on a free port, in its own temp
// dir) and one simulator: a client alternating between them is throttled at the same point
// as against one instance; a popular product asked of both at once makes one catalog call;
// with Redis slow or killed the instances keep answering (catalog reads too), decide budgets
// alone (fail open, counted) and /readyz says so; when Redis is back they share again.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { redisServer, sleep, startServer, startSim } from './lib.mjs';

let dir, redis, sim, a, b;
const ADMIN = 'fleet-admin';
const CACHE_TTL_MS = 1500;

// bucket 10 points, refilling 1 point in 1,000 s: `{ shop { name } }` costs 1
const TIERS = JSON.stringify({ anonymous: { bucket: 10, restore_per_second: 0.001 } });

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'bff-redis-'));
  redis = await redisServer(dir);
  sim = await startSim();
  const keys = { [createHash('sha256').update('apq-key').digest('hex')]: { client: 'apq', channel: 'web', tier: 'storefront', scopes: [] } };
  // redis.url names localhost, not an address: resolved off the loop, each of its addresses tried in turn
  const env = { BFF_ADMIN_KEY_SHA256: createHash('sha256').update(ADMIN).digest('hex'), BFF_REDIS_URL: redis.url, BFF_TIERS: TIERS, BFF_REDIS_TIMEOUT_MS: '200', BFF_API_KEYS: JSON.stringify(keys),
    BFF_PROVIDERS_URL: sim.url, BFF_CATALOG_CACHE_TTL_MS: String(CACHE_TTL_MS), BFF_CATALOG_CACHE_STALE_MS: '0' };
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
  if (sim) await sim.stop();
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

const catalogCalls = async () => (await (await fetch(`${sim.url}/_sim/stats`)).json()).catalog.requests;
const product = async (s, id) => {
  const r = await fetch(`${s.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': 'apq-key' }, body: JSON.stringify({ query: `{ product(id: "${id}") { id title } }` }) });
  return { status: r.status, body: await r.json() };
};
const sharedReplies = async (s) => {
  const m = await (await fetch(`${s.url}/metrics`)).text();
  const out = {};
  for (const [, k, v] of m.matchAll(/bff_catalog_cache_shared_total\{reply="(\w+)"\} (\d+)/g)) out[k] = Number(v);
  return out;
};

test('a popular product asked of both instances at once makes one catalog call, cold and after its entries expired', async () => {
  for (const round of ['cold', 'expired']) {
    const before = await catalogCalls();
    // 24 readers over two instances of two workers each, all at once: every worker's cache misses
    const answers = await Promise.all(Array.from({ length: 24 }, (_, i) => product(i % 2 ? b : a, 'p0011')));
    for (const r of answers) {
      assert.equal(r.status, 200);
      assert.equal(r.body.errors, undefined, JSON.stringify(r.body));
      assert.equal(r.body.data.product.id, answers[0].body.data.product.id);
    }
    assert.equal((await catalogCalls()) - before, 1, `${round}: one catalog call for the fleet`);
    await sleep(CACHE_TTL_MS + 200); // both levels past their time to live: as after a flush
  }
  const replies = [await sharedReplies(a), await sharedReplies(b)];
  assert.equal(replies[0].fill + replies[1].fill, 2, JSON.stringify(replies));
  assert.ok(replies[0].hit + replies[1].hit >= 2, JSON.stringify(replies)); // the workers that waited read it from Redis
  assert.equal(replies[0].unavailable + replies[1].unavailable, 0);
});

test('Redis slow (paused): a catalog read waits at most redis_timeout_ms for it; a store silent for three heartbeats reads as down, then up again', async () => {
  const paused = Date.now();
  await redis.cli('CLIENT', 'PAUSE', '5000', 'ALL');
  try {
    const t0 = Date.now();
    const r = await product(a, 'p0012');
    const took = Date.now() - t0;
    assert.equal(r.status, 200);
    assert.equal(r.body.errors, undefined, JSON.stringify(r.body));
    assert.equal(r.body.data.product.id.length > 0, true);
    assert.ok(took < 1000, `answered in ${took} ms, not held for the pause`);
    assert.ok((await sharedReplies(a)).unavailable >= 1);
    // connected, but no answer to the heartbeats: /readyz says so before the pause ends
    let ready;
    for (let i = 0; i < 45; i++) {
      ready = await (await fetch(`${a.url}/readyz`)).json();
      if (ready.store === 'down') break;
      await sleep(100);
    }
    assert.equal(ready.store, 'down', `still ${ready.store} after ${Date.now() - paused} ms of silence`);
    assert.equal(ready.status, 'ready');
  } finally {
    await sleep(Math.max(0, 5100 - (Date.now() - paused))); // the pause over
  }
  for (let i = 0; i < 100; i++) {
    const r = await Promise.all([a, b].map(async (s) => (await (await fetch(`${s.url}/readyz`)).json()).store));
    if (r.every((x) => x === 'up')) break;
    await sleep(50);
  }
  assert.equal((await (await fetch(`${a.url}/readyz`)).json()).store, 'up');
});

const cacheKeys = (id) => {
  const h = createHash('sha256').update(`catalog /catalog/v1/products/${id}`).digest('hex');
  return { value: `bff:cache:${h}`, fill: `bff:cache:fill:${h}` };
};

test('a read whose entry another instance is filling waits for that answer instead of calling the catalog', async () => {
  const k = cacheKeys('p0016');
  await redis.cli('SET', k.fill, 'another-instance', 'PX', '3000');
  const before = await catalogCalls();
  const reading = product(a, 'p0016');
  await sleep(150);
  // the other instance's answer arrives, as its fill would store it
  const answer = await (await fetch(`${sim.url}/catalog/v1/products/p0016`)).json();
  await redis.cli('SET', k.value, JSON.stringify({ ...answer, title: 'Filled elsewhere' }), 'PX', '5000');
  await redis.cli('DEL', k.fill);
  const r = await reading;
  assert.equal(r.body.errors, undefined, JSON.stringify(r.body));
  assert.equal(r.body.data.product.title, 'Filled elsewhere');
  assert.equal((await catalogCalls()) - before - 1, 0, 'no catalog call of its own'); // the one above was the test's
  assert.ok((await sharedReplies(a)).busy >= 1);
});

test('a claim that lapses (its filler died) lets a waiting reader call the catalog; readers that leave while waiting cost nothing', async () => {
  const k = cacheKeys('p0017');
  await redis.cli('SET', k.fill, 'a-crashed-instance', 'PX', '400');
  const before = await catalogCalls();
  // one reader leaves while it waits for the claim, one waits it out
  const gone = new AbortController();
  const leaving = fetch(`${a.url}/graphql`, { method: 'POST', signal: gone.signal, headers: { 'content-type': 'application/json', 'x-api-key': 'apq-key' }, body: '{"query":"{ product(id: \\"p0017\\") { title } }"}' }).catch((e) => e);
  const staying = product(b, 'p0017');
  await sleep(100);
  gone.abort();
  await leaving;
  const r = await staying;
  assert.equal(r.body.errors, undefined, JSON.stringify(r.body));
  assert.equal(r.body.data.product.title, 'Alpine Scarf');
  assert.equal((await catalogCalls()) - before, 1);
  // Redis paused: a reader that leaves while its question is unanswered
  const paused = Date.now();
  await redis.cli('CLIENT', 'PAUSE', '500', 'ALL');
  const gone2 = new AbortController();
  const leaving2 = fetch(`${a.url}/graphql`, { method: 'POST', signal: gone2.signal, headers: { 'content-type': 'application/json', 'x-api-key': 'apq-key' }, body: '{"query":"{ product(id: \\"p0018\\") { title } }"}' }).catch((e) => e);
  await sleep(50);
  gone2.abort();
  await leaving2;
  await sleep(600 - (Date.now() - paused));
  assert.equal((await product(a, 'p0018')).status, 200);
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
  // catalog reads keep answering, from the workers' caches or the catalog
  const before = await catalogCalls();
  for (const [i, id] of ['p0013', 'p0013', 'p0014', 'p0011'].entries()) {
    const r = await product(i % 2 ? b : a, id);
    assert.equal(r.status, 200);
    assert.equal(r.body.errors, undefined, JSON.stringify(r.body));
  }
  assert.ok((await catalogCalls()) - before >= 1, 'the catalog is asked directly');
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
  // and one catalog cache again: a product read on A is in Redis for B
  const hits = (await sharedReplies(b)).hit;
  assert.equal((await product(a, 'p0015')).status, 200);
  const calls = await catalogCalls();
  for (let i = 0; i < 2; i++) assert.equal((await product(b, 'p0015')).status, 200);
  assert.equal(await catalogCalls(), calls, 'B reads what A filled');
  assert.ok((await sharedReplies(b)).hit > hits);
});
