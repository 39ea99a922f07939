// Cart totals against the real simulator: every amount in minor units,
// discounts allocated by the largest-remainder rule, tax per line; and no
// total at all (CHECKOUT_TOTALS_UNAVAILABLE) when any input is missing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { root, startServer, startSim, sealId, DEMO_CART } from './lib.mjs';

let sim, simUrl, srv;

before(async () => {
  sim = await startSim();
  simUrl = sim.url;
  srv = await startServer({ env: { BFF_PROVIDERS_URL: simUrl, BFF_PROVIDER_TIMEOUT_MS: '1000' }, threads: 1 });
});
after(async () => {
  assert.equal((await srv.stop()).code, 0);
  assert.equal(await sim.stop(), 0);
});

const call = (method, path, body) => fetch(simUrl + path, { method, body: body ? JSON.stringify(body) : undefined });
async function gql(query, variables) {
  const res = await fetch(`${srv.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
  return res.json();
}
const cartTotals = () => gql(readFileSync(join(root, 'examples/cart_totals.graphql'), 'utf8'), JSON.parse(readFileSync(join(root, 'examples/cart_totals.json'), 'utf8')));
const cents = (money) => Math.round(Number(money.amount) * 100);
const price = async (sku) => (await (await call('POST', '/pricing/v2/quotes', { currency: 'EUR', skus: [sku] })).json()).prices[0].amount_minor;
const halfUp = (amount, rate) => Math.floor((amount * rate + 50) / 100); // rate in percent

const catalogCalls = async () => (await (await call('GET', '/_sim/stats')).json()).catalog.requests;

test('the demo cart: subtotal, shipping, tax and total add up, in minor units', async () => {
  await call('POST', '/_sim/reset');
  const before = await catalogCalls();
  const r = await cartTotals();
  assert.equal(r.errors, undefined, JSON.stringify(r.errors));
  // the lines' merchandise and the totals' weights share one catalog call (the request's variants loader)
  assert.equal(await catalogCalls() - before, 1);
  const c = r.data.cart;
  assert.equal(c.id, DEMO_CART);
  assert.equal(c.lines.length, 2);
  const p1 = await price('SKU-0001-1'), p3 = await price('SKU-0003-1');
  const cost = c.cost;
  assert.equal(cents(cost.subtotal), 2 * p1 + p3);
  assert.equal(cents(cost.discounts), 0);
  assert.equal(cents(cost.shipping), 490);
  assert.equal(cents(cost.tax), halfUp(2 * p1, 19) + halfUp(p3, 19) + halfUp(490, 19));
  assert.equal(cents(cost.total), cents(cost.subtotal) + cents(cost.shipping) + cents(cost.tax));
  for (const k of ['subtotal', 'discounts', 'shipping', 'tax', 'total']) {
    assert.equal(cost[k].currencyCode, 'EUR');
    assert.match(cost[k].amount, /^-?\d+\.\d\d$/);
  }
});

test('rounding table: discounts are allocated by the largest remainder and tax is per discounted line', async () => {
  const rows = [
    // [lines [sku, qty], codes]
    [[['SKU-0001-1', 2], ['SKU-0003-1', 1]], ['SAVE10']],
    [[['SKU-0002-1', 1], ['SKU-0004-1', 3], ['SKU-0005-1', 1]], ['SAVE10', 'WELCOME5']],
    [[['SKU-0006-1', 7]], ['SAVE10']],
  ];
  for (const [lines, codes] of rows) {
    await call('POST', '/_sim/reset');
    await call('PATCH', '/carts/demo-cart-1/lines', { lines: [{ sku: 'SKU-0001-1', quantity: 0 }, { sku: 'SKU-0003-1', quantity: 0 }] });
    await call('POST', '/carts/demo-cart-1/lines', { lines: lines.map(([sku, quantity]) => ({ sku, quantity })) });
    await call('PUT', '/carts/demo-cart-1/discount-codes', { codes });
    const c = (await cartTotals()).data.cart;
    const amounts = [];
    for (const [sku, q] of lines) amounts.push((await price(sku)) * q);
    const subtotal = amounts.reduce((a, b) => a + b, 0);
    let discount = 0;
    if (codes.includes('SAVE10')) discount += Math.floor(subtotal / 10);
    if (codes.includes('WELCOME5') && subtotal >= 5000) discount += 500;
    // largest remainder
    const exact = amounts.map((a) => (discount * a) / subtotal);
    const alloc = exact.map(Math.floor);
    let left = discount - alloc.reduce((a, b) => a + b, 0);
    const order = exact.map((e, i) => [e - Math.floor(e), i]).sort((a, b) => b[0] - a[0]);
    for (let k = 0; left > 0; k++, left--) alloc[order[k][1]]++;
    const shipping = cents(c.cost.shipping); // 4.90, or 9.90 when the parcel is over 5 kg
    assert.ok(shipping === 490 || shipping === 990);
    const tax = amounts.reduce((t, a, i) => t + halfUp(a - alloc[i], 19), 0) + halfUp(shipping, 19);
    assert.equal(cents(c.cost.subtotal), subtotal);
    assert.equal(cents(c.cost.discounts), discount);
    assert.equal(cents(c.cost.tax), tax, JSON.stringify({ lines, codes }));
    assert.equal(cents(c.cost.total), subtotal - discount + shipping + tax);
  }
});

test('no total rather than a wrong one: a failing or slow input, or a missing address', async () => {
  for (const provider of ['tax', 'pricing', 'promotions', 'shipping']) {
    await call('POST', '/_sim/reset');
    await call('POST', '/_sim/faults', { [provider]: { status: 503 } });
    const r = await cartTotals();
    assert.equal(r.data.cart.cost, null, provider);
    assert.equal(r.data.cart.id, DEMO_CART, 'the rest of the cart stands');
    assert.equal(r.errors[0].extensions.code, 'CHECKOUT_TOTALS_UNAVAILABLE');
    assert.equal(r.errors[0].extensions.dependency, provider);
  }
  await call('POST', '/_sim/reset');
  await call('POST', '/_sim/faults', { tax: { latency_ms: 3000 } });
  const slow = await cartTotals();
  assert.equal(slow.data.cart.cost, null);
  assert.match(slow.errors[0].message, /tax: upstream timed out/);
  await call('POST', '/_sim/reset');
  const fresh = (await (await call('POST', '/carts', { currency: 'EUR' })).json()).id;
  await call('POST', `/carts/${fresh}/lines`, { lines: [{ sku: 'SKU-0001-1', quantity: 1 }] });
  const noAddress = await gql('query($id: ID!) { cart(id: $id) { cost { total { amount } } } }', { id: sealId('Cart', fresh) });
  assert.equal(noAddress.data.cart.cost, null);
  assert.match(noAddress.errors[0].message, /shipping address/);
  await call('POST', '/_sim/reset');
});

test('line costs and the shipping rates offered for the address', async () => {
  await call('POST', '/_sim/reset');
  const r = await gql(`{ cart(id: "${DEMO_CART}") { lines { quantity merchandise { sku } cost { unitPrice { amount } subtotal { amount } } } availableShippingRates { id price { amount } } cost { subtotal { amount } shipping { amount } } } }`);
  assert.equal(r.errors, undefined, JSON.stringify(r.errors));
  const c = r.data.cart;
  let sum = 0;
  for (const l of c.lines) {
    assert.equal(cents(l.cost.subtotal), cents(l.cost.unitPrice) * l.quantity);
    assert.equal(cents(l.cost.unitPrice), await price(l.merchandise.sku));
    sum += cents(l.cost.subtotal);
  }
  assert.equal(sum, cents(c.cost.subtotal));
  assert.deepEqual(c.availableShippingRates.map((x) => x.id), ['standard', 'express']);
  assert.equal(cents(c.availableShippingRates[0].price), cents(c.cost.shipping), 'the chosen rate is priced the same in both places');
  const fresh = sealId('Cart', (await (await call('POST', '/carts', { currency: 'EUR' })).json()).id);
  const none = await gql('query($id: ID!) { cart(id: $id) { availableShippingRates { id } } }', { id: fresh });
  assert.equal(none.data.cart.availableShippingRates, null, 'no address, no rates');
});
