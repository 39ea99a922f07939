// Checkout across a fleet: two instances, one redis-server, one simulator. The lock of an
// idempotency key holds across the instances and the journal's record of the key is
// shared, so a retry that lands on the other instance is answered with the same order; ten
// checkouts with one key spread over both make one order and one charge (judged by the
// simulator's ledgers); with Redis down a checkout is refused with a retryable error and
// nothing is asked of the providers, and the same key succeeds once Redis is back.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { redisServer, sealId, simCart, simLedger, sleep, startServer, startSim } from './lib.mjs';

const CHECKOUT = `mutation($cart: ID!, $key: String!) { checkoutComplete(cartId: $cart, paymentToken: "tok_ok", idempotencyKey: $key) {
  order { id number total { amount } paymentStatus } userErrors { code message } } }`;

let dir, redis, sim, a, b;

const simCall = async (method, path, body) => (await fetch(sim.url + path, { method, body: body ? JSON.stringify(body) : undefined })).json();
const pay = async (srv, cartId, key) =>
  (await fetch(`${srv.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: CHECKOUT, variables: { cart: sealId('Cart', cartId), key } }) })).json();
const ledger = (key) => simLedger(sim.url, key);
// reconnecting may take a backoff round (up to 5 s) after Redis is back, and longer under ASan
async function storeIs(state) {
  for (let i = 0; i < 600; i++) {
    const r = await Promise.all([a, b].map(async (s) => (await (await fetch(`${s.url}/readyz`)).json()).store));
    if (r.every((x) => x === state)) return;
    await sleep(25);
  }
  assert.fail(`the store is not ${state} on both instances`);
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'bff-fleet-co-'));
  redis = await redisServer(dir);
  sim = await startSim();
  const env = { BFF_REDIS_URL: redis.url, BFF_PROVIDERS_URL: sim.url, BFF_REDIS_TIMEOUT_MS: '200' };
  // one worker each: every request of an instance uses its one Redis connection
  a = await startServer({ threads: 1, env: { ...env, BFF_STATE_DIR: mkdtempSync(join(dir, 'a-')) } });
  b = await startServer({ threads: 1, env: { ...env, BFF_STATE_DIR: mkdtempSync(join(dir, 'b-')) } });
  await storeIs('up');
});
after(async () => {
  for (const s of [a, b]) if (s) assert.equal((await s.stop()).code, 0);
  if (sim) await sim.stop();
  if (redis) await redis.kill();
  rmSync(dir, { recursive: true, force: true });
});

test('a retry on the other instance is answered with the order the first one placed', async () => {
  const cartId = await simCart(sim.url);
  const first = (await pay(a, cartId, 'fleet-key-1')).data.checkoutComplete;
  assert.equal(first.order?.paymentStatus, 'captured', JSON.stringify(first));
  const again = (await pay(b, cartId, 'fleet-key-1')).data.checkoutComplete;
  assert.deepEqual(again.order, first.order, JSON.stringify(again));
  const { auths, orders } = await ledger('fleet-key-1');
  assert.equal(orders.length, 1);
  assert.equal(auths.length, 1);
  assert.equal(auths[0].charges, 1);
  // another cart with the key: a conflict on either instance, never the first cart's order
  const other = await simCart(sim.url);
  for (const s of [a, b]) {
    const r = (await pay(s, other, 'fleet-key-1')).data.checkoutComplete;
    assert.equal(r.order, null);
    assert.equal(r.userErrors[0].code, 'IDEMPOTENCY_CONFLICT', JSON.stringify(r));
  }
});

test('ten checkouts with one key over both instances at once: one order, one charge', async () => {
  await simCall('POST', '/_sim/faults', { payments: { latency_ms: 150, method: 'POST', path: '/authorize' } });
  const cartId = await simCart(sim.url);
  const all = await Promise.all(Array.from({ length: 10 }, (_, i) => pay(i % 2 ? b : a, cartId, 'fleet-key-2')));
  await simCall('POST', '/_sim/faults', { payments: {} });
  const orders = all.map((r) => r.data?.checkoutComplete?.order).filter(Boolean);
  const busy = all.filter((r) => r.data?.checkoutComplete?.userErrors?.[0]?.code === 'CHECKOUT_IN_PROGRESS');
  assert.equal(orders.length + busy.length, 10, JSON.stringify(all));
  assert.ok(busy.length >= 1, 'the two instances did not both run the key');
  for (const s of [a, b]) {
    const final = (await pay(s, cartId, 'fleet-key-2')).data.checkoutComplete;
    assert.equal(final.order?.paymentStatus, 'captured', JSON.stringify(final));
    for (const o of orders) assert.deepEqual(o, final.order);
  }
  const { auths, orders: placed } = await ledger('fleet-key-2');
  assert.equal(placed.length, 1);
  assert.equal(auths.length, 1);
  assert.equal(auths[0].charges, 1);
});

test('Redis down: checkout refused with a retryable error, nothing asked of the providers; back: the key succeeds', async () => {
  await redis.kill();
  await storeIs('down');
  const cartId = await simCart(sim.url);
  const refused = await pay(a, cartId, 'fleet-key-3');
  assert.equal(refused.data?.checkoutComplete ?? null, null, JSON.stringify(refused));
  assert.equal(refused.errors[0].extensions.code, 'CHECKOUT_UNAVAILABLE', JSON.stringify(refused));
  const nothing = await ledger('fleet-key-3');
  assert.deepEqual([nothing.auths.length, nothing.orders.length], [0, 0]);
  await redis.start();
  await storeIs('up');
  // a worker not yet reconnected (each has its own connection and backoff) still answers the retryable
  // CHECKOUT_UNAVAILABLE: the client retries, as the error tells it to
  let r;
  for (let i = 0; i < 40; i++) {
    r = await pay(b, cartId, 'fleet-key-3');
    if (r.errors?.[0]?.extensions?.code !== 'CHECKOUT_UNAVAILABLE') break;
    await sleep(250);
  }
  const ok = r.data.checkoutComplete;
  assert.equal(ok.order?.paymentStatus, 'captured', JSON.stringify(r));
});
