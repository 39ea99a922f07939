// HTTP/2 rapid reset (CVE-2023-44487) with a real HTTP/2 client (node:http2):
// a client that opens streams and resets them at once gets its connection
// closed after max_resets_per_connection, and the provider calls those
// streams could start are bounded by it (the simulator's counters say so).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import { startStack, sleep } from './lib.mjs';

const BODY = JSON.stringify({ query: '{ products(first: 5) { edges { node { id title } } } }' });

// Requests the server answered with 200 (/metrics): streams it finished before their reset came
// in (a loaded machine delays the client's resets) are ordinary requests, whose provider calls no
// reset limit is meant to bound.
const metrics = (url) => fetch(`${url}/metrics`).then((r) => r.text()).catch(() => ''); // '': the address is refused

async function answered(url) {
  const m = await metrics(url);
  let n = 0;
  for (const line of m.split('\n'))
    if (line.startsWith('bff_http_requests_total{') && line.includes('status="200"')) n += Number(line.split(' ').pop());
  return n;
}

// Resets the server counted (streams reset before their answer).
async function resets(url) {
  const m = await metrics(url);
  const line = m.split('\n').find((l) => l.startsWith('bff_http2_client_resets_total '));
  return line ? Number(line.split(' ').pop()) : Infinity; // no answer: refused, so past the limit
}

// Opens up to `streams` streams on one connection, each reset right after its request is written.
async function flood(url, streams) {
  const client = http2.connect(url);
  let closed = false;
  client.on('close', () => (closed = true));
  client.on('error', () => {});
  let opened = 0;
  for (let i = 0; i < streams && !closed && !client.destroyed; i++) {
    let req;
    try {
      req = client.request({ ':method': 'POST', ':path': '/graphql', 'content-type': 'application/json' });
    } catch {
      break; // the session is going away
    }
    req.on('error', () => {});
    req.end(BODY);
    opened++;
    setImmediate(() => req.close(http2.constants.NGHTTP2_CANCEL));
    if (i % 25 === 24) await sleep(2); // let the server read and answer between bursts
  }
  for (let i = 0; i < 100 && !closed; i++) await sleep(20);
  client.destroy();
  return { opened, closed };
}

test('rapid reset: the connection is closed past max_resets_per_connection and provider calls stay bounded', async () => {
  const LIMIT = 50;
  const st = await startStack({
    env: { BFF_MAX_RESETS_PER_CONNECTION: String(LIMIT), BFF_CATALOG_CACHE_TTL_MS: '0', BFF_LOG_REQUESTS: 'false' },
  });
  try {
    const before = (await st.calls()).catalog;
    const served = await answered(st.srv.url);
    const r = await flood(st.srv.url, 5000);
    assert.ok(r.closed, 'the server closed the connection');
    assert.ok(r.opened < 5000, `opened ${r.opened} streams before the close`);
    const started = (await st.calls()).catalog - before;
    const early = (await answered(st.srv.url)) - served;
    // at most the resets allowed plus the streams in flight when the limit was hit (and those answered before their reset)
    assert.ok(started <= LIMIT + 100 + early, `${started} provider calls for ${r.opened} reset streams (${early} answered first)`);
    const m = await (await fetch(`${st.srv.url}/metrics`)).text();
    assert.match(m, /bff_http2_reset_closed_total [1-9]/);
    const resets = Number(m.match(/bff_http2_client_resets_total (\d+)/)[1]);
    assert.ok(resets > LIMIT, `${resets} resets counted`);
    // a well-behaved client on another connection is still served
    const ok = await st.gql('{ shop { name } }');
    assert.equal(ok.data.shop.name, 'Demo Storefront');
  } finally {
    assert.equal((await st.stop()).code, 0);
  }
});

test('rapid reset over many connections: the address is refused past max_resets_per_address', async () => {
  const st = await startStack({
    env: { BFF_MAX_RESETS_PER_CONNECTION: '40', BFF_MAX_RESETS_PER_ADDRESS: '100', BFF_CATALOG_CACHE_TTL_MS: '0', BFF_LOG_REQUESTS: 'false' },
  });
  try {
    const before = (await st.calls()).catalog;
    const served = await answered(st.srv.url);
    let opened = 0;
    for (let c = 0; c < 20; c++) opened += (await flood(st.srv.url, 200)).opened;
    const started = (await st.calls()).catalog - before;
    const early = (await answered(st.srv.url)) - served;
    assert.ok(started <= 100 + 40 + 100 + early,
      `${started} provider calls for ${opened} reset streams over 20 connections (${early} answered first)`);
    // past max_resets_per_address (as the server counted them) the address is refused until the window turns
    if ((await resets(st.srv.url)) >= 100) {
      const refused = await st.gql('{ shop { name } }').catch(() => null);
      assert.ok(refused === null || refused.errors?.[0].extensions.code === 'TOO_MANY_REQUESTS', JSON.stringify(refused));
    }
  } finally {
    assert.equal((await st.stop()).code, 0);
  }
});
