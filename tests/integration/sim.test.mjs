// The provider simulator over HTTP: seeded, deterministic data in each
// vendor's style, and faults on demand per provider, counted in /_sim/stats.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { BFF, sleep } from './lib.mjs';

const SIM = join(dirname(BFF), 'bff-sim');
let proc, base;

before(async () => {
  proc = spawn(SIM, ['--listen', '127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout.on('data', (d) => (out += d));
  for (let i = 0; i < 200 && !out.includes('listening'); i++) await sleep(20);
  base = `http://${JSON.parse(out.split('\n')[0]).listen}`;
});
after(async () => {
  proc.kill('SIGTERM');
  const code = await new Promise((r) => proc.on('exit', (c) => r(c)));
  assert.equal(code, 0);
});

const get = async (path, init) => {
  const res = await fetch(base + path, init);
  const text = await res.text();
  return { status: res.status, text, json: () => JSON.parse(text) };
};
const post = (path, body) => get(path, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
const faults = (f) => post('/_sim/faults', f);

test('catalog pages by number, 1000 products, decimal list prices; the data is the same every run', async () => {
  const page = (await get('/catalog/v1/products?page=3&per_page=7')).json();
  assert.equal(page.total, 1000);
  assert.equal(page.items.length, 7);
  assert.equal(page.items[0].id, 'p0015');
  const p1 = (await get('/catalog/v1/products/p0001')).json();
  assert.equal(p1.title, 'Linen Backpack'); // fixed seed
  assert.equal(p1.variants[0].sku, 'SKU-0001-1');
  const withList = page.items.flatMap((p) => p.variants).find((v) => v.list_price !== null);
  if (withList) assert.match(withList.list_price, /^\d+\.\d\d$/);
  const cols = (await get('/catalog/v1/collections')).json().collections;
  assert.equal(cols.length, 20);
  const inCol = (await get(`/catalog/v1/products?collection=${cols[2].id}&per_page=100`)).json();
  assert.ok(inCol.total > 0 && inCol.items.every((p) => p.collections.includes(cols[2].id)));
  assert.equal((await get('/catalog/v1/products/p9999')).status, 404);
});

test('pricing takes a batch of SKUs and answers in minor units, in EUR and USD', async () => {
  const eur = (await post('/pricing/v2/quotes', { currency: 'EUR', skus: ['SKU-0001-1', 'SKU-0002-1', 'nope'] })).json();
  assert.equal(eur.prices.length, 2);
  assert.ok(Number.isInteger(eur.prices[0].amount_minor));
  const usd = (await post('/pricing/v2/quotes', { currency: 'USD', skus: ['SKU-0001-1'] })).json();
  assert.notEqual(usd.prices[0].amount_minor, eur.prices[0].amount_minor);
  assert.equal((await post('/pricing/v2/quotes', { currency: 'JPY', skus: [] })).status, 400);
});

test('inventory per location, reviews, recommendations', async () => {
  const inv = (await get('/inventory/levels?sku=SKU-0001-1&sku=SKU-0002-1')).json();
  assert.equal(inv.levels.length, 6);
  const rv = (await get('/reviews/products/p0004?limit=2')).json();
  assert.ok(rv.reviews.length <= 2 && rv.count >= rv.reviews.length);
  const recs = (await get('/recs/for/p0001?n=4')).json();
  assert.equal(recs.items.length, 4);
});

test('faults: latency, status, error rate, garbage, close, hang, slow body; counted and reset', async () => {
  await post('/_sim/reset', {});
  assert.equal((await faults({ reviews: { latency_ms: 120 } })).status, 200);
  let t0 = Date.now();
  assert.equal((await get('/reviews/products/p0001')).status, 200);
  assert.ok(Date.now() - t0 >= 110, 'latency applied');
  await faults({ reviews: { status: 503 }, recommendations: { error_rate: 1 }, pricing: { garbage: true } });
  assert.equal((await get('/reviews/products/p0001')).status, 503);
  assert.equal((await get('/recs/for/p0001')).status, 500);
  const g = await post('/pricing/v2/quotes', { currency: 'EUR', skus: ['SKU-0001-1'] });
  assert.throws(() => g.json());
  await faults({ catalog: { close: true } });
  await assert.rejects(get('/catalog/v1/products/p0001'));
  await faults({ inventory: { hang: true } });
  await assert.rejects(get('/inventory/levels?sku=SKU-0001-1', { signal: AbortSignal.timeout(300) }));
  await faults({ inventory: { slow_body_ms: 150 } });
  t0 = Date.now();
  const slow = await get('/inventory/levels?sku=SKU-0001-1');
  assert.equal(slow.json().levels.length, 3);
  assert.ok(Date.now() - t0 >= 140, 'slow body');
  assert.equal((await faults({ nope: {} })).status, 400);
  assert.equal((await faults({ reviews: { latency_ms: 'x' } })).status, 400);
  const stats = (await get('/_sim/stats')).json();
  for (const p of ['catalog', 'pricing', 'inventory', 'promotions', 'tax', 'shipping', 'payments', 'orders', 'reviews', 'recommendations'])
    assert.ok(p in stats && 'requests' in stats[p], p);
  assert.equal(stats.reviews.requests, 2);
  assert.equal(stats.inventory.requests, 2);
  await post('/_sim/reset', {});
  const after = (await get('/_sim/stats')).json();
  assert.equal(after.reviews.requests, 0);
  assert.equal((await get('/reviews/products/p0001')).status, 200);
});

test('carts, promotions, shipping, tax: stateful and in minor units; the demo cart is seeded', async () => {
  await post('/_sim/reset', {});
  const demo = (await get('/carts/demo-cart-1')).json();
  assert.equal(demo.lines.length, 2);
  assert.equal(demo.buyer.address.country, 'DE');
  const cart = (await post('/carts', { currency: 'EUR' })).json();
  const add = (await post(`/carts/${cart.id}/lines`, { lines: [{ sku: 'SKU-0002-1', quantity: 2 }, { sku: 'SKU-0002-1', quantity: 1 }] })).json();
  assert.deepEqual(add.lines, [{ sku: 'SKU-0002-1', quantity: 3 }]);
  assert.equal((await post(`/carts/${cart.id}/lines`, { lines: [{ sku: 'nope', quantity: 1 }] })).status, 422);
  const promo = (await post('/promotions/evaluate', { currency: 'EUR', subtotal_minor: 12345, codes: ['SAVE10', 'NOPE'] })).json();
  assert.deepEqual(promo.discounts.map((d) => d.amount_minor), [1234]);
  assert.deepEqual(promo.rejected, ['NOPE']);
  const rates = (await post('/shipping/rates', { currency: 'EUR', address: { country: 'DE' }, weight_grams: 800 })).json();
  assert.deepEqual(rates.rates.map((r) => r.id), ['standard', 'express']);
  // tax per line, half up: 1005 * 19% = 190.95 -> 191; 2 * 19% = 0.38 -> 0; shipping 490 -> 93.1 -> 93
  const tax = (await post('/tax/calculate', { currency: 'EUR', address: { country: 'DE' }, lines: [{ sku: 'a', amount_minor: 1005 }, { sku: 'b', amount_minor: 2 }], shipping_minor: 490 })).json();
  assert.equal(tax.tax_lines[0].amount_minor, 284);
  await post('/_sim/reset', {});
  assert.equal((await get(`/carts/${cart.id}`)).status, 404);
});

test('payments and orders are idempotent by key; capture is never repeated; decline and void', async () => {
  await post('/_sim/reset', {});
  const auth = (init) => get('/payments/authorize', { method: 'POST', headers: { 'idempotency-key': init.key }, body: JSON.stringify(init.body) });
  const a1 = (await auth({ key: 'k1', body: { amount_minor: 5000, currency: 'EUR', token: 'tok_ok' } })).json();
  const a2 = (await auth({ key: 'k1', body: { amount_minor: 5000, currency: 'EUR', token: 'tok_ok' } })).json();
  assert.equal(a1.id, a2.id);
  assert.equal((await auth({ key: 'k1', body: { amount_minor: 6000, currency: 'EUR', token: 'tok_ok' } })).status, 409);
  assert.equal((await auth({ key: 'k2', body: { amount_minor: 5000, currency: 'EUR', token: 'tok_decline' } })).status, 402);
  assert.equal((await post(`/payments/${a1.id}/capture`, {})).json().status, 'captured');
  assert.equal((await post(`/payments/${a1.id}/capture`, {})).json().status, 'captured');
  assert.equal((await post(`/payments/${a1.id}/void`, {})).status, 409);
  const a3 = (await auth({ key: 'k3', body: { amount_minor: 100, currency: 'EUR', token: 'tok_ok' } })).json();
  assert.equal((await post(`/payments/${a3.id}/void`, {})).json().status, 'voided');
  const order = { idempotency_key: 'o1', cart_id: 'demo-cart-1', currency: 'EUR', total_minor: 5000, authorization_id: a1.id };
  const o1 = (await post('/orders', order)).json();
  const o2 = (await post('/orders', order)).json();
  assert.equal(o1.id, o2.id);
  assert.equal((await get(`/orders/${o1.id}`)).json().number, o1.number);
  const stats = (await get('/_sim/stats')).json();
  assert.ok(stats.carts && stats.payments.requests >= 7 && stats.orders.requests >= 3);
});

test('faults from a file at start (--faults), latency with jitter; a bad file stops the simulator', async () => {
  const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(join(tmpdir(), 'bff-sim-faults-'));
  const file = join(dir, 'faults.json');
  writeFileSync(file, JSON.stringify({ reviews: { latency_ms: 60, latency_jitter_ms: 60 }, tax: { status: 503 } }));
  const p = spawn(SIM, ['--listen', '127.0.0.1:0', '--faults', file], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  p.stdout.on('data', (d) => (out += d));
  for (let i = 0; i < 200 && !out.includes('listening'); i++) await sleep(20);
  const url = `http://${JSON.parse(out.split('\n')[0]).listen}`;
  try {
    const times = [];
    for (let i = 0; i < 8; i++) {
      const t0 = performance.now();
      assert.equal((await fetch(`${url}/reviews/products/p0001`)).status, 200);
      times.push(performance.now() - t0);
    }
    assert.ok(Math.min(...times) >= 59 && Math.max(...times) < 400, times.join(', '));
    assert.ok(Math.max(...times) - Math.min(...times) > 3, `jitter spreads the delays: ${times.map((t) => t.toFixed(0)).join(', ')}`);
    const tax = await fetch(`${url}/tax/calculate`, { method: 'POST', body: '{}' });
    assert.equal(tax.status, 503);
    await fetch(`${url}/_sim/reset`, { method: 'POST' });
    const t0 = performance.now();
    await fetch(`${url}/reviews/products/p0001`);
    assert.ok(performance.now() - t0 < 50, 'reset clears the file\'s faults');
  } finally {
    p.kill('SIGTERM');
    await new Promise((r) => p.on('exit', r));
  }
  for (const bad of ['{"reviews": {"latency_ms": -1}}', '{"nobody": {}}', '{"reviews": ']) {
    writeFileSync(file, bad);
    const q = spawn(SIM, ['--listen', '127.0.0.1:0', '--faults', file], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    q.stderr.on('data', (d) => (err += d));
    const code = await new Promise((r) => q.on('exit', r));
    assert.equal(code, 2, bad);
    assert.match(err, /faults\.json/);
  }
  rmSync(dir, { recursive: true });
});
