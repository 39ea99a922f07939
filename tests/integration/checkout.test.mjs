// Cart and checkout end to end against the real simulator: build a cart with
// mutations, read its totals, check out; replay with the same key; a declined
// card; an order service that fails (the authorization is voided).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startServer, startSim, DEMO_CART, sealId } from './lib.mjs';

let sim, simUrl, srv;

before(async () => {
  sim = await startSim();
  simUrl = sim.url;
  srv = await startServer({ env: { BFF_PROVIDERS_URL: simUrl }, threads: 1 });
});
after(async () => {
  assert.equal((await srv.stop()).code, 0);
  assert.equal(await sim.stop(), 0);
});

const simCall = async (method, path, body) => (await fetch(simUrl + path, { method, body: body ? JSON.stringify(body) : undefined })).json();
// a cart like the demo cart (two lines, an address in Germany, standard shipping), new each time: its id with its key
async function freshCart() {
  const id = (await simCall('POST', '/carts', { currency: 'EUR' })).id;
  await simCall('POST', `/carts/${id}/lines`, { lines: [{ sku: 'SKU-0001-1', quantity: 2 }, { sku: 'SKU-0003-1', quantity: 1 }] });
  await simCall('PUT', `/carts/${id}/buyer`, { email: 'demo@example.test', address: { line1: 'Invalidenstrasse 1', city: 'Berlin', zip: '10115', country: 'DE' } });
  await simCall('PUT', `/carts/${id}/shipping-rate`, { rate_id: 'standard' });
  return sealId('Cart', id);
}
async function gql(query, variables) {
  const res = await fetch(`${srv.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
  return res.json();
}
const CHECKOUT = `mutation($cart: ID!, $token: String!, $key: String!) {
  checkoutComplete(cartId: $cart, paymentToken: $token, idempotencyKey: $key) {
    order { id number total { amount currencyCode } paymentStatus }
    userErrors { field message code }
  }
}`;

test('cart -> totals -> checkoutComplete, and a replay returns the same order without a second charge', async () => {
  await simCall('POST', '/_sim/reset');
  const created = await gql('mutation { cartCreate(input: {currencyCode: EUR, lines: [{sku: "SKU-0002-1", quantity: 2}]}) { cart { id totalQuantity } userErrors { message } } }');
  const id = created.data.cartCreate.cart.id;
  assert.equal(created.data.cartCreate.cart.totalQuantity, 2);
  const steps = await gql(`mutation($id: ID!) {
    add: cartLinesAdd(cartId: $id, lines: [{sku: "SKU-0005-1", quantity: 1}]) { cart { totalQuantity } }
    upd: cartLinesUpdate(cartId: $id, lines: [{sku: "SKU-0002-1", quantity: 3}]) { cart { totalQuantity } }
    codes: cartDiscountCodesUpdate(cartId: $id, codes: ["SAVE10"]) { cart { discountCodes } }
    buyer: cartBuyerIdentityUpdate(cartId: $id, buyerIdentity: {email: "x@example.test", address: {country: "NL", city: "Utrecht"}}) { cart { id } }
    rate: cartSelectShippingRate(cartId: $id, rateId: "standard") { cart { cost { subtotal { amount } discounts { amount } total { amount } discountAllocations { sku amount { amount currencyCode } } } } }
  }`, { id });
  assert.equal(steps.errors, undefined, JSON.stringify(steps.errors));
  assert.equal(steps.data.add.cart.totalQuantity, 3);
  assert.equal(steps.data.upd.cart.totalQuantity, 4, 'mutations run in order');
  const cost = steps.data.rate.cart.cost;
  const total = cost.total.amount;
  const cents = (a) => Math.round(Number(a) * 100);
  assert.ok(cents(cost.discounts.amount) > 0, 'SAVE10 gives a discount');
  assert.deepEqual(cost.discountAllocations.map((a) => a.sku).sort(), ['SKU-0002-1', 'SKU-0005-1']);
  assert.equal(cost.discountAllocations.reduce((s, a) => s + cents(a.amount.amount), 0), cents(cost.discounts.amount),
    'the allocations add up to the discount exactly');
  const first = await gql(CHECKOUT, { cart: id, token: 'tok_ok', key: 'order-key-0001' });
  assert.deepEqual(first.data.checkoutComplete.userErrors, []);
  const order = first.data.checkoutComplete.order;
  assert.equal(order.total.amount, total);
  assert.equal(order.paymentStatus, 'captured');
  const replay = await gql(CHECKOUT, { cart: id, token: 'tok_ok', key: 'order-key-0001' });
  assert.deepEqual(replay.data.checkoutComplete.order, order);
  const placed = await gql(`query($id: ID!) {
    order(id: $id) { id number paymentStatus fulfillmentStatus total { amount }
      lines { sku quantity unitPrice { amount } discount { amount } total { amount } merchandise { sku productTitle } } }
    byNode: node(id: $id) { ... on Order { number } } }`, { id: order.id });
  assert.equal(placed.errors, undefined, JSON.stringify(placed.errors));
  assert.equal(placed.data.order.number, order.number);
  assert.equal(placed.data.order.paymentStatus, 'captured');
  assert.equal(placed.data.order.fulfillmentStatus, 'unfulfilled');
  const lines = placed.data.order.lines;
  assert.deepEqual(lines.map((l) => [l.sku, l.quantity]), [['SKU-0002-1', 3], ['SKU-0005-1', 1]]);
  for (const l of lines) {
    assert.equal(l.merchandise.sku, l.sku);
    assert.equal(cents(l.total.amount), cents(l.unitPrice.amount) * l.quantity - cents(l.discount.amount));
    assert.equal(l.discount.amount, cost.discountAllocations.find((a) => a.sku === l.sku).amount.amount);
  }
  assert.equal(lines.reduce((s, l) => s + cents(l.total.amount), 0), cents(cost.subtotal.amount) - cents(cost.discounts.amount),
    'the order lines carry the prices and discounts that were charged');
  assert.equal(placed.data.byNode.number, order.number);
  const auths = (await simCall('GET', '/payments')).authorizations;
  assert.equal(auths.length, 1, 'one authorization for both attempts');
  assert.equal(auths[0].status, 'captured');
  assert.equal(auths[0].amount_minor, Math.round(Number(total) * 100));
});

test('a declined card, a completed cart and a key reused for another cart are user errors; nothing is charged twice', async () => {
  await simCall('POST', '/_sim/reset');
  const declined = await gql(CHECKOUT, { cart: DEMO_CART, token: 'tok_decline', key: 'order-key-0002' });
  assert.equal(declined.data.checkoutComplete.order, null);
  assert.equal(declined.data.checkoutComplete.userErrors[0].code, 'PAYMENT_DECLINED');
  const again = await gql(CHECKOUT, { cart: DEMO_CART, token: 'tok_decline', key: 'order-key-0002' });
  assert.equal(again.data.checkoutComplete.userErrors[0].code, 'PAYMENT_DECLINED', 'the same key answers the same');
  const ok = await gql(CHECKOUT, { cart: DEMO_CART, token: 'tok_ok', key: 'order-key-0003' });
  assert.ok(ok.data.checkoutComplete.order);
  // the cart is completed: changes and new checkouts of it are refused, the same key still returns its order
  const add = await gql(`mutation { cartLinesAdd(cartId: "${DEMO_CART}", lines: [{sku: "SKU-0009-1", quantity: 1}]) { cart { id } userErrors { code } } }`);
  assert.equal(add.data.cartLinesAdd.userErrors[0].code, 'CART_COMPLETED');
  const newKey = await gql(CHECKOUT, { cart: DEMO_CART, token: 'tok_ok', key: 'order-key-0003b' });
  assert.equal(newKey.data.checkoutComplete.userErrors[0].code, 'CART_COMPLETED');
  const replay = await gql(CHECKOUT, { cart: DEMO_CART, token: 'tok_ok', key: 'order-key-0003' });
  assert.deepEqual(replay.data.checkoutComplete.order, ok.data.checkoutComplete.order);
  // the same key for another cart is a conflict, never the first cart's order
  const other = (await simCall('POST', '/carts', { currency: 'EUR' })).id;
  const conflict = await gql(CHECKOUT, { cart: sealId('Cart', other), token: 'tok_ok', key: 'order-key-0003' });
  assert.equal(conflict.data.checkoutComplete.order, null);
  assert.equal(conflict.data.checkoutComplete.userErrors[0].code, 'IDEMPOTENCY_CONFLICT');
  const captured = (await simCall('GET', '/payments')).authorizations.filter((a) => a.status === 'captured');
  assert.equal(captured.length, 1);
  assert.equal(captured[0].charges, 1);
  const bad = await gql(CHECKOUT, { cart: 'nope', token: 'tok_ok', key: 'order-key-0004' });
  assert.equal(bad.data.checkoutComplete.userErrors[0].code, 'NOT_FOUND');
});

test('compensation: when the order cannot be created the authorization is voided', async () => {
  await simCall('POST', '/_sim/reset');
  await simCall('POST', '/_sim/faults', { orders: { status: 422, phase: 'before' } }); // a clear refusal: no order exists
  const r = await gql(CHECKOUT, { cart: await freshCart(), token: 'tok_ok', key: 'order-key-0005' });
  assert.equal(r.data.checkoutComplete.order, null);
  assert.equal(r.data.checkoutComplete.userErrors[0].code, 'ORDER_FAILED');
  const auths = (await simCall('GET', '/payments')).authorizations;
  assert.equal(auths.length, 1);
  assert.equal(auths[0].status, 'voided');
  // totals unavailable: no payment is even attempted
  await simCall('POST', '/_sim/reset');
  await simCall('POST', '/_sim/faults', { tax: { status: 503 } });
  const noTotals = await gql(CHECKOUT, { cart: await freshCart(), token: 'tok_ok', key: 'order-key-0006' });
  assert.equal(noTotals.errors[0].extensions.code, 'CHECKOUT_TOTALS_UNAVAILABLE');
  assert.equal((await simCall('GET', '/payments')).authorizations.length, 0);
  await simCall('POST', '/_sim/reset');
});

test('customer(token): the signed-in customer with addresses; an unknown token is null, a malformed one INVALID_INPUT', async () => {
  const q = 'query($t: String!) { customer(token: $t) { id email firstName addresses { city country } } }';
  const me = await gql(q, { t: 'demo-customer-token' });
  assert.equal(me.errors, undefined, JSON.stringify(me.errors));
  assert.equal(me.data.customer.email, 'demo@example.test');
  assert.deepEqual(me.data.customer.addresses.map((a) => a.country), ['DE', 'US']);
  for (const t of ['nope', 'x'.repeat(300)]) {
    const other = await gql(q, { t });
    assert.equal(other.errors, undefined, JSON.stringify(other.errors));
    assert.equal(other.data.customer, null, JSON.stringify(t));
  }
  for (const t of ['', 'bad token\r\nX-Injected: 1', 'x'.repeat(513)]) {
    const bad = await gql(q, { t });
    assert.equal(bad.data.customer, null, JSON.stringify(t));
    assert.equal(bad.errors[0].extensions.code, 'INVALID_INPUT', JSON.stringify(t));
  }
  await simCall('POST', '/_sim/faults', { customers: { status: 503 } });
  const down = await gql(q, { t: 'demo-customer-token' });
  assert.equal(down.data.customer, null);
  assert.equal(down.errors[0].extensions.dependency, 'customers');
  await simCall('POST', '/_sim/reset');
});
