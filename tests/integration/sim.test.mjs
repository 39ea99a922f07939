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
