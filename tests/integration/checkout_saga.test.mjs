// The checkout saga judged by the providers' ledgers (the simulator's payments
// and orders), not by our answers: for each step (authorize, order, capture,
// void), each fault kind and each phase ("before": the provider did nothing;
// "after": it did the work, then failed), a checkout followed by retries with
// the same key ends with exactly one of
//   - one order, open, whose authorization is captured once for its total, or
//   - no open order and no authorization left open, nothing charged,
// never an unpaid order, never two charges, never another cart's order.
// Then a crash (SIGKILL) between each pair of steps, and ten concurrent
// checkouts with one key.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simCart, simLedger, startServer, startSim, sealId, sleep } from './lib.mjs';

const ADMIN = 'saga-admin';
const sha = (s) => createHash('sha256').update(s).digest('hex');
const CHECKOUT = `mutation($cart: ID!, $key: String!) { checkoutComplete(cartId: $cart, paymentToken: "tok_ok", idempotencyKey: $key) {
  order { id number total { amount } paymentStatus } userErrors { code message } } }`;

let sim;
before(async () => {
  sim = await startSim();
});
after(async () => {
  await sim.stop();
});

const simCall = async (method, path, body) =>
  (await fetch(sim.url + path, { method, body: body ? JSON.stringify(body) : undefined })).json();

const newCart = () => simCart(sim.url);

async function withServer(env, fn, stateDir) {
  const srv = await startServer({
    threads: 1,
    env: {
      BFF_PROVIDERS_URL: sim.url,
      BFF_PROVIDERS: JSON.stringify({ payments: { timeout_ms: 250, retry: { max_attempts: 1 } }, orders: { timeout_ms: 250, retry: { max_attempts: 1 } } }),
      BFF_ADMIN_KEY_SHA256: sha(ADMIN),
      BFF_RECONCILE_AFTER_MS: '0',
      BFF_RECONCILE_INTERVAL_MS: '100',
      BFF_EXPOSE_DEPENDENCY_DETAILS: 'false', // production's default: the chaos answers must not leak provider details
      ...(stateDir ? { BFF_STATE_DIR: stateDir } : {}),
      ...env,
    },
  });
  try {
    return await fn(srv);
  } finally {
    await srv.stop('SIGTERM');
  }
}

const gql = async (srv, variables) =>
  (await fetch(`${srv.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: CHECKOUT, variables }) })).json();

// What the providers' ledgers say about one checkout (by its provider idempotency key).
const ledger = (key) => simLedger(sim.url, key);

// The invariant: one paid order, or nothing open and nothing charged. Returns which.
function judge({ auths, orders }, cartId, label) {
  assert.ok(auths.length <= 1 && orders.length <= 1, `${label}: one authorization and one order at most: ${JSON.stringify({ auths, orders })}`);
  const charges = auths.reduce((n, a) => n + a.charges, 0);
  assert.ok(charges <= 1, `${label}: charged ${charges} times`);
  const open = orders.filter((o) => o.status === 'open');
  if (open.length === 1) {
    const o = open[0];
    assert.equal(o.cart_id, cartId, `${label}: the order is this cart's`);
    assert.equal(auths.length, 1, `${label}: an open order has its authorization`);
    assert.equal(auths[0].status, 'captured', `${label}: an open order is paid, never left to ship unpaid`);
    assert.equal(auths[0].charges, 1, `${label}: charged once`);
    assert.equal(auths[0].amount_minor, o.total_minor, `${label}: charged the order's total`);
    return 'paid';
  }
  assert.ok(auths.every((a) => a.status === 'voided'), `${label}: no open order, so no authorization left open: ${JSON.stringify(auths)}`);
  assert.equal(charges, 0, `${label}: nothing charged without an order`);
  return 'undone';
}

const STEPS = {
  authorize: { provider: 'payments', path: '/authorize' },
  order: { provider: 'orders', path: '/orders' },
  capture: { provider: 'payments', path: '/capture' },
  void: { provider: 'payments', path: '/void', also: { orders: { status: 422, method: 'POST', path: '/orders', phase: 'before' } } },
};
const KINDS = { status500: { status: 500 }, hang: { hang: true }, close: { close: true }, garbage: { garbage: true } };

test('chaos: every step, fault kind and phase ends paid once or undone, judged by the ledgers', async () => {
  const seen = { paid: 0, undone: 0 };
  // the buyer's retries drive the saga here; the reconciler only runs at start
  await withServer({ BFF_RECONCILE_INTERVAL_MS: '3600000' }, async (srv) => {
    for (const [step, s] of Object.entries(STEPS)) {
      for (const [kind, fault] of Object.entries(KINDS)) {
        for (const phase of ['before', 'after']) {
          const label = `${step}/${kind}/${phase}`;
          await simCall('POST', '/_sim/faults', { ...(s.also || {}), [s.provider]: { ...fault, method: 'POST', path: s.path, phase } });
          const cartId = await newCart();
          const key = `chaos-${step}-${kind}-${phase}`;
          const first = await gql(srv, { cart: sealId('Cart', cartId), key });
          await simCall('POST', '/_sim/faults', {}); // the provider recovers
          await simCall('POST', '/_sim/faults', { payments: {}, orders: {} });
          let last = first;
          const settled = (r) => r.data?.checkoutComplete?.order || r.data?.checkoutComplete?.userErrors?.length;
          for (let i = 0; i < 4 && !settled(last); i++) {
            await sleep(150);
            last = await gql(srv, { cart: sealId('Cart', cartId), key });
          }
          for (const r of [first, last])
            for (const e of r.errors ?? [])
              for (const leak of [new URL(sim.url).host, 'http', 'HTTP', 'injected fault', 'upstream'])
                assert.ok(!e.message.includes(leak), `${label}: the message names "${leak}": ${e.message}`);
          const outcome = judge(await ledger(key), cartId, label);
          seen[outcome]++;
          // the answer agrees with the ledgers
          if (outcome === 'paid') {
            assert.equal(last.data.checkoutComplete.order?.paymentStatus, 'captured', `${label}: ${JSON.stringify(last)}`);
            const replay = await gql(srv, { cart: sealId('Cart', cartId), key });
            assert.deepEqual(replay.data.checkoutComplete.order, last.data.checkoutComplete.order, `${label}: the replay answers the same order`);
          } else {
            assert.equal(last.data?.checkoutComplete?.order ?? null, null, `${label}: ${JSON.stringify(last)}`);
          }
        }
      }
    }
  });
  assert.ok(seen.paid > 0 && seen.undone > 0, JSON.stringify(seen));
});

test('crash: the server is killed between each pair of steps; after restart the reconciler finishes every checkout', async () => {
  // a slow answer holds the saga between two steps while the process is killed
  const points = [
    { after: 'authorize', hold: { orders: { latency_ms: 3000, method: 'POST', path: '/orders' } }, provider: 'orders' },
    { after: 'order', hold: { payments: { latency_ms: 3000, method: 'POST', path: '/capture' } }, provider: 'payments' },
    { after: 'authorize (answer lost)', hold: { payments: { latency_ms: 3000, method: 'POST', path: '/authorize' } }, provider: 'payments' },
    { after: 'capture', hold: { carts: { latency_ms: 3000, method: 'POST', path: '/complete' } }, provider: 'carts' },
  ];
  for (const p of points) {
    const stateDir = mkdtempSync(join(tmpdir(), 'bff-crash-'));
    try {
      const cartId = await newCart();
      const key = `crash-${p.after.replace(/\W+/g, '-')}`;
      const srv = await startServer({
        threads: 1,
        env: { BFF_PROVIDERS_URL: sim.url, BFF_STATE_DIR: stateDir, BFF_ADMIN_KEY_SHA256: sha(ADMIN), BFF_RECONCILE_INTERVAL_MS: '100', BFF_RECONCILE_AFTER_MS: '0' },
      });
      await simCall('POST', '/_sim/faults', p.hold);
      const before = (await simCall('GET', '/_sim/stats'))[p.provider].requests;
      const pending = gql(srv, { cart: sealId('Cart', cartId), key }).catch(() => null);
      for (let i = 0; i < 100 && (await simCall('GET', '/_sim/stats'))[p.provider].requests === before; i++) await sleep(20);
      srv.proc.kill('SIGKILL');
      await srv.wait();
      await pending;
      await simCall('POST', '/_sim/faults', { payments: {}, orders: {}, carts: {} });
      await sleep(3100); // the held answers land (or not) while no server runs
      // restart on the same journal: the reconciler takes the checkout over
      await withServer({}, async (again) => {
        let open = null;
        for (let i = 0; i < 50; i++) {
          const res = await fetch(`${again.url}/admin/checkouts`, { headers: { 'x-admin-key': ADMIN } });
          open = (await res.json()).checkouts.filter((c) => !['captured', 'compensated', 'failed', 'aborted'].includes(c.state));
          if (open.length === 0) break;
          await sleep(100);
        }
        assert.deepEqual(open, [], `${p.after}: every checkout finished within 5 s of the restart`);
        judge(await ledger(key), cartId, `crash after ${p.after}`);
        const metrics = await (await fetch(`${again.url}/metrics`)).text();
        assert.match(metrics, /bff_checkouts\{state="in_doubt"\} 0/);
      }, stateDir);
    } finally {
      rmSync(stateDir, { recursive: true, force: true });
    }
  }
});

test('ten concurrent checkouts with one key: one order, one charge', async () => {
  await withServer({}, async (srv) => {
    await simCall('POST', '/_sim/faults', { payments: { latency_ms: 100, method: 'POST', path: '/authorize' } });
    const cartId = await newCart();
    const all = await Promise.all(Array.from({ length: 10 }, () => gql(srv, { cart: sealId('Cart', cartId), key: 'concurrent-key-1' })));
    await simCall('POST', '/_sim/faults', { payments: {} });
    const orders = all.map((r) => r.data?.checkoutComplete?.order).filter(Boolean);
    const busy = all.filter((r) => r.data?.checkoutComplete?.userErrors?.[0]?.code === 'CHECKOUT_IN_PROGRESS');
    assert.equal(orders.length + busy.length, 10, JSON.stringify(all.filter((r) => !r.data?.checkoutComplete?.order)));
    const final = await gql(srv, { cart: sealId('Cart', cartId), key: 'concurrent-key-1' });
    assert.ok(final.data.checkoutComplete.order);
    for (const o of orders) assert.deepEqual(o, final.data.checkoutComplete.order);
    assert.equal(judge(await ledger('concurrent-key-1'), cartId, 'concurrent'), 'paid');
  });
});

test('inputs: empty or malformed tokens, bad keys, quantities and repeated discount codes', async () => {
  await withServer({}, async (srv) => {
    const cart = sealId('Cart', await newCart());
    for (const [token, key, code] of [['', 'input-key-0001', 'INVALID'], ['tok with space', 'input-key-0002', 'INVALID'], ['tok_ok', 'short', 'INVALID']]) {
      const r = await (await fetch(`${srv.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: `mutation($c: ID!, $t: String!, $k: String!) { checkoutComplete(cartId: $c, paymentToken: $t, idempotencyKey: $k) { order { id } userErrors { code field } } }`, variables: { c: cart, t: token, k: key } }) })).json();
      assert.equal(r.data.checkoutComplete.userErrors[0].code, code, JSON.stringify([token, key, r]));
    }
    for (const key of ['input-key-0001', 'input-key-0002', 'short']) assert.equal((await ledger(key)).auths.length, 0, key);
    const mut = async (query) =>
      (await (await fetch(`${srv.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables: { c: cart } }) })).json()).data;
    for (const q of [0, -1, 1000]) {
      const add = await mut(`mutation($c: ID!) { cartLinesAdd(cartId: $c, lines: [{sku: "SKU-0002-1", quantity: ${q}}]) { cart { id } userErrors { code field } } }`);
      assert.equal(add.cartLinesAdd.userErrors[0].code, 'INVALID', `add ${q}`);
    }
    const set0 = await mut('mutation($c: ID!) { cartLinesUpdate(cartId: $c, lines: [{sku: "SKU-0003-1", quantity: 0}]) { cart { lines { merchandise { sku } } } userErrors { code } } }');
    assert.deepEqual(set0.cartLinesUpdate.cart.lines.map((l) => l.merchandise.sku), ['SKU-0001-1'], 'setting 0 removes the line');
    const created = await mut('mutation { cartCreate(input: {lines: [{sku: "SKU-0002-1", quantity: 0}]}) { cart { id } userErrors { code } } }');
    assert.equal(created.cartCreate.userErrors[0].code, 'INVALID');
    // a code given twice, in any case, counts once: the discount is applied once
    const codes = await mut('mutation($c: ID!) { cartDiscountCodesUpdate(cartId: $c, codes: ["SAVE10", "save10", "SAVE10"]) { cart { discountCodes cost { discounts { amount } subtotal { amount } } } userErrors { code } } }');
    assert.deepEqual(codes.cartDiscountCodesUpdate.cart.discountCodes, ['SAVE10']);
    const once = await mut('mutation($c: ID!) { cartDiscountCodesUpdate(cartId: $c, codes: ["SAVE10"]) { cart { cost { discounts { amount } } } } }');
    assert.equal(codes.cartDiscountCodesUpdate.cart.cost.discounts.amount, once.cartDiscountCodesUpdate.cart.cost.discounts.amount);
    const many = await mut('mutation($c: ID!) { cartDiscountCodesUpdate(cartId: $c, codes: ["A1", "B2", "C3", "D4", "E5"]) { cart { id } userErrors { code } } }');
    assert.equal(many.cartDiscountCodesUpdate.userErrors[0].code, 'INVALID');
  });
});

test('a paid order is returned: the capture was done but neither its answer nor a lookup came, the buyer changed the cart, the same key gets the order', async () => {
  await withServer({ BFF_RECONCILE_INTERVAL_MS: '3600000' }, async (srv) => {
    const cartId = await newCart();
    const cart = sealId('Cart', cartId);
    // every call about the authorization after it is made fails (the capture itself is done: phase after)
    await simCall('POST', '/_sim/faults', { payments: { status: 500, phase: 'after', path: '/payments/auth_' } });
    const first = await gql(srv, { cart, key: 'paid-not-returned-1' });
    assert.equal(first.errors[0].extensions.code, 'CHECKOUT_IN_DOUBT', JSON.stringify(first));
    await simCall('POST', '/_sim/faults', { payments: {} });
    const add = await (await fetch(`${srv.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: `mutation { cartLinesAdd(cartId: "${cart}", lines: [{sku: "SKU-0009-1", quantity: 1}]) { cart { totalQuantity } userErrors { code } } }` }) })).json();
    assert.equal(add.data.cartLinesAdd.cart.totalQuantity, 4, 'the buyer added a line');
    const retry = await gql(srv, { cart, key: 'paid-not-returned-1' });
    assert.equal(retry.data.checkoutComplete.order.paymentStatus, 'captured', JSON.stringify(retry));
    assert.equal(judge(await ledger('paid-not-returned-1'), cartId, 'paid, then returned'), 'paid');
  });
});

test('quote: the amount shown is the amount charged; a change, a forged or an expired quote refuses before any payment call', async () => {
  await withServer({ BFF_QUOTE_TTL_MS: '1500' }, async (srv) => {
    const q = async (query, variables) =>
      (await (await fetch(`${srv.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) })).json());
    const shown = async (cart) => (await q('query($c: ID!) { cart(id: $c) { cost { total { amount } quote } } }', { c: cart })).data.cart.cost;
    const pay = (cart, key, quote) =>
      q(`mutation($c: ID!, $k: String!, $q: String) { checkoutComplete(cartId: $c, paymentToken: "tok_ok", idempotencyKey: $k, quote: $q) {
        order { total { amount } } userErrors { code field } cost { total { amount } quote } } }`, { c: cart, k: key, q: quote });
    const payments = async () => (await simCall('GET', '/_sim/stats')).payments.requests;

    // the cart changes between showing the total and paying: PRICE_CHANGED with the new totals, no payment call
    const cart = sealId('Cart', await newCart());
    const before = await shown(cart);
    assert.match(before.quote, /^q1\.\d+\.[0-9a-f]{16}\.EUR\.(\d+\.){5}[0-9a-f]{32}$/);
    await q('mutation($c: ID!) { cartDiscountCodesUpdate(cartId: $c, codes: ["SAVE10"]) { cart { id } } }', { c: cart });
    const calls = await payments();
    const changed = (await pay(cart, 'quote-key-0001', before.quote)).data.checkoutComplete;
    assert.equal(changed.order, null);
    assert.equal(changed.userErrors[0].code, 'PRICE_CHANGED');
    assert.notEqual(changed.cost.total.amount, before.total.amount);
    assert.equal(await payments(), calls, 'no payment call');
    // with the new quote it goes through, for the new total
    const ok = (await pay(cart, 'quote-key-0002', changed.cost.quote)).data.checkoutComplete;
    assert.equal(ok.order.total.amount, changed.cost.total.amount, JSON.stringify(ok));

    // a forged quote (another amount, the old signature) and another cart's quote are refused
    const other = sealId('Cart', await newCart());
    const real = await shown(other);
    const parts = real.quote.split('.');
    parts[8] = String(Number(parts[8]) - 100);
    const forged = (await pay(other, 'quote-key-0003', parts.join('.'))).data.checkoutComplete;
    assert.equal(forged.userErrors[0].code, 'QUOTE_INVALID');
    const third = sealId('Cart', await newCart());
    const foreign = (await pay(third, 'quote-key-0004', real.quote)).data.checkoutComplete;
    assert.equal(foreign.userErrors[0].code, 'QUOTE_INVALID');
    // an expired one
    await sleep(1600);
    const late = (await pay(other, 'quote-key-0005', real.quote)).data.checkoutComplete;
    assert.equal(late.userErrors[0].code, 'QUOTE_EXPIRED');
    assert.ok(late.cost.quote);
  });
});
