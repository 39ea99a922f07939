// OpenTelemetry traces across the fan-out, as a collector sees them: the
// server exports OTLP/HTTP protobuf to a collector stand-in that decodes it
// with OpenTelemetry's own protobuf definitions (collector.mjs). A cold
// product page with a client traceparent makes one trace: the server span
// under the client's span, a span per provider call attempt (as many as the
// simulator counted, with the span ids the simulator saw as parents), a
// retried read as two attempts, a hanging provider's timeout on its span.
// Sampling is parent-based with a ratio; a collector that hangs or refuses
// costs requests nothing and its spans are counted as dropped.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { root, startServer, startSim, sleep } from './lib.mjs';
import { startCollector, otlpVersion } from './collector.mjs';

let sim, collector, srv;

const example = (name) => ({
  query: readFileSync(join(root, 'examples', `${name}.graphql`), 'utf8'),
  variables: JSON.parse(readFileSync(join(root, 'examples', `${name}.json`), 'utf8')),
});
const simPost = (path, body) => fetch(sim.url + path, { method: 'POST', body: JSON.stringify(body) });
const stats = async () => (await fetch(`${sim.url}/_sim/stats`)).json();
const post = (server, body, headers = {}) =>
  fetch(`${server.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
const SERVER = 2, CLIENT = 3, INTERNAL = 1, ERROR = 2;

// Waits until the trace's server span has arrived (the spans of a request end before its server span).
async function traceOf(col, traceId, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const spans = col.spans.filter((s) => s.traceId === traceId);
    if (spans.some((s) => s.kind === SERVER)) return spans;
    await sleep(20);
  }
  throw new Error(`no server span for trace ${traceId} within ${timeoutMs} ms (${col.spans.length} spans, errors: ${col.errors})`);
}

async function metric(server, line) {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const m = text.split('\n').find((l) => l.startsWith(line + ' '));
  return m ? Number(m.split(' ').pop()) : NaN;
}

before(async () => {
  console.log(`# OTLP decoded with @opentelemetry/otlp-transformer ${otlpVersion}`);
  sim = await startSim();
  collector = await startCollector();
  // no catalog cache: every page is cold, every provider is called
  srv = await startServer({
    env: { BFF_PROVIDERS_URL: sim.url, BFF_OTLP_ENDPOINT: collector.url, BFF_OTLP_FLUSH_MS: '50', BFF_CATALOG_CACHE_TTL_MS: '0' },
  });
});
after(async () => {
  assert.equal((await srv.stop()).code, 0);
  assert.equal(await sim.stop(), 0);
  await collector.stop();
});

test('a cold product page with a client traceparent: one trace, the fan-out under the server span, retries and timeouts on their spans', async () => {
  await simPost('/_sim/reset', {});
  // reviews fail once (503) and are read again; recommendations never answer (enrichment times out at 300 ms)
  await simPost('/_sim/faults', { reviews: { fail_next: 1 }, recommendations: { hang: true } });
  const traceId = '4bf92f3577b34da6a3ce929d0e0e4736', clientSpan = '00f067aa0ba902b7';
  const res = await post(srv, example('product_page'), { traceparent: `00-${traceId}-${clientSpan}-01`, tracestate: 'congo=t61rcWkgMzE', 'x-client-name': 'web' });
  const body = await res.json();
  assert.equal(body.data.product.title, 'Linen Backpack');
  assert.deepEqual(body.errors.map((e) => e.extensions.code), ['DEPENDENCY_TIMEOUT']);
  const spans = await traceOf(collector, traceId);
  await sleep(100); // anything still on its way
  const all = collector.spans.filter((s) => s.traceId === traceId);
  assert.equal(collector.errors.length, 0, collector.errors.join());

  // the server span: the client's span is its parent
  const server = all.filter((s) => s.kind === SERVER);
  assert.equal(server.length, 1);
  const sv = server[0];
  assert.equal(sv.parentSpanId, clientSpan);
  assert.equal(sv.name, 'query ProductPage');
  assert.equal(sv.traceState, 'congo=t61rcWkgMzE');
  assert.equal(sv.attributes['graphql.operation.name'], 'ProductPage');
  assert.equal(sv.attributes['graphql.operation.type'], 'query');
  assert.equal(sv.attributes['http.request.method'], 'POST');
  assert.equal(sv.attributes['http.response.status_code'], 200);
  assert.equal(sv.attributes['bff.client.name'], 'web');
  assert.ok(sv.attributes['bff.graphql.cost.requested'] > 0);
  assert.equal(sv.status.code, ERROR, 'a GraphQL error marks the operation');
  assert.equal(sv.attributes['error.type'], 'DEPENDENCY_TIMEOUT');
  assert.deepEqual(sv.events.map((e) => e.attributes['graphql.error.code']), ['DEPENDENCY_TIMEOUT']);
  assert.equal(sv.resource['service.name'], 'storefront-bff');
  assert.equal(sv.flags & 0xff, 1, 'sampled');

  // links: unique ids, every span but the server's under a span of this trace, all inside the server span's time
  const ids = new Set(all.map((s) => s.spanId));
  assert.equal(ids.size, all.length);
  for (const s of all) {
    if (s === sv) continue;
    assert.ok(ids.has(s.parentSpanId), `${s.name}: parent ${s.parentSpanId} in the trace`);
    assert.ok(s.start >= sv.start && s.end <= sv.end, `${s.name} inside the server span`);
    assert.ok(s.end >= s.start);
  }

  // one client span per provider call, as the simulator counted them, with the span ids it saw as parents
  const st = await stats();
  const calls = all.filter((s) => s.kind === CLIENT);
  for (const name of ['catalog', 'pricing', 'inventory', 'reviews', 'recommendations']) {
    const mine = calls.filter((s) => s.attributes['bff.provider'] === name);
    assert.equal(mine.length, st[name].requests, `${name}: spans vs requests`);
    assert.deepEqual(mine.map((s) => s.spanId).sort(), [...st[name].parents].sort(), `${name}: the simulator saw our span ids`);
    for (const s of mine) {
      assert.equal(s.parentSpanId, sv.spanId);
      assert.ok(s.attributes['url.template'].startsWith('/'), s.name);
      assert.equal(s.name, `${s.attributes['http.request.method']} ${s.attributes['url.template']}`);
      assert.equal(s.attributes['server.address'], '127.0.0.1');
      assert.ok(['browse', 'checkout', 'enrichment'].includes(s.attributes['bff.bulkhead.pool']));
      assert.equal(s.attributes['bff.breaker.state'], 'closed');
      assert.ok(s.attributes['bff.deadline.left_ms'] > 0);
      assert.ok(!/p0001|linen/.test(s.name), 'a route template, not the path with ids');
    }
  }
  // the retried read: two attempts, the first failed with its status
  const reviews = calls.filter((s) => s.attributes['bff.provider'] === 'reviews').sort((a, b) => a.attributes['bff.call.attempt'] - b.attributes['bff.call.attempt']);
  assert.deepEqual(reviews.map((s) => s.attributes['bff.call.attempt']), [1, 2]);
  assert.equal(reviews[0].attributes['http.response.status_code'], 503);
  assert.equal(reviews[0].status.code, ERROR);
  assert.equal(reviews[0].attributes['error.type'], 'DEPENDENCY_UNAVAILABLE');
  assert.equal(reviews[1].attributes['http.response.status_code'], 200);
  assert.equal(reviews[1].attributes['http.request.resend_count'], 1);
  assert.notEqual(reviews[1].status.code, ERROR);
  assert.ok(reviews[1].start >= reviews[0].end, 'the second attempt after the first');
  // the hanging provider: its span ends with the timeout, after about the enrichment pool's 300 ms
  const recs = calls.filter((s) => s.attributes['bff.provider'] === 'recommendations');
  assert.equal(recs.length, 1);
  assert.equal(recs[0].status.code, ERROR);
  assert.equal(recs[0].attributes['error.type'], 'DEPENDENCY_TIMEOUT');
  assert.equal(recs[0].attributes['http.response.status_code'], undefined);
  const ms = Number(recs[0].end - recs[0].start) / 1e6;
  assert.ok(ms >= 250 && ms < 2000, `timed out after ${ms} ms`);
  // the document was parsed and validated for this request (first time on this worker) or came from its cache
  for (const s of all.filter((x) => x.kind === INTERNAL)) assert.equal(s.parentSpanId, sv.spanId);
  assert.ok(spans.length > 0);
});

test('sampling is parent-based: a caller that did not sample gets no spans, a trace of ours is recorded at ratio 1', async () => {
  await simPost('/_sim/reset', {});
  const unsampled = '0af7651916cd43dd8448eb211c80319c';
  const res = await post(srv, example('product_page'), { traceparent: `00-${unsampled}-b7ad6b7169203331-00` });
  assert.equal(res.status, 200);
  await res.json();
  // the providers are told the trace is not sampled
  const st = await stats();
  assert.match(st.pricing.traceparent, new RegExp(`^00-${unsampled}-[0-9a-f]{16}-00$`));
  // no traceparent: a trace started here, sampled (trace_sample_ratio 1), its id the request id
  const own = await post(srv, { query: '{ shop { name } }' });
  const id = own.headers.get('x-request-id');
  await own.json();
  const spans = await traceOf(collector, id);
  const root = spans.find((s) => s.kind === SERVER);
  assert.equal(root.parentSpanId, '', 'a root span');
  assert.equal(root.name, 'query');
  await sleep(150);
  assert.equal(collector.spans.filter((s) => s.traceId === unsampled).length, 0);
});

test('ratio 0: traces started here are not recorded, a sampled caller still is; the flag sent on says so', async () => {
  const col = await startCollector();
  const s0 = await startServer({ env: { BFF_PROVIDERS_URL: sim.url, BFF_OTLP_ENDPOINT: col.url, BFF_OTLP_FLUSH_MS: '50', BFF_TRACE_SAMPLE_RATIO: '0' } });
  try {
    await simPost('/_sim/reset', {});
    const own = await post(s0, example('product_page'));
    const id = own.headers.get('x-request-id');
    await own.json();
    assert.match((await stats()).pricing.traceparent, new RegExp(`^00-${id}-[0-9a-f]{16}-00$`));
    const sampled = 'aaf7651916cd43dd8448eb211c80319c';
    const r = await post(s0, example('product_page'), { traceparent: `00-${sampled}-b7ad6b7169203331-01` });
    await r.json();
    assert.ok((await traceOf(col, sampled)).length >= 2);
    assert.equal(col.spans.filter((s) => s.traceId === id).length, 0);
  } finally {
    assert.equal((await s0.stop()).code, 0);
    await col.stop();
  }
});

test('cache answers and refused calls: fresh hits counted on the server span, stale answers and calls not sent as spans of their own', async () => {
  const col = await startCollector();
  // catalog answers fresh for 300 ms; one enrichment call at a time and no queue: reviews and recommendations
  // go out together, so one of them is refused
  const s1 = await startServer({
    env: {
      BFF_PROVIDERS_URL: sim.url, BFF_OTLP_ENDPOINT: col.url, BFF_OTLP_FLUSH_MS: '50', BFF_CATALOG_CACHE_TTL_MS: '300',
      BFF_BULKHEADS: '{"enrichment": {"max_concurrent": 1, "max_queue": 0}}',
    },
    threads: 1,
  });
  try {
    await simPost('/_sim/reset', {});
    const page = async (traceId) => {
      const r = await post(s1, example('product_page'), { traceparent: `00-${traceId}-00f067aa0ba902b7-01` });
      await r.json();
      await traceOf(col, traceId);
      await sleep(60);
      return col.spans.filter((x) => x.traceId === traceId);
    };
    const cold = await page('1'.repeat(32));
    assert.ok(cold.some((x) => x.kind === CLIENT && x.attributes['bff.provider'] === 'catalog'));
    const refused = cold.filter((x) => x.attributes['bff.call.sent'] === false);
    assert.equal(refused.length, 1, 'one of the two enrichment calls found the bulkhead full');
    assert.equal(refused[0].kind, INTERNAL);
    assert.equal(refused[0].status.code, ERROR);
    assert.equal(refused[0].attributes['error.type'], 'DEPENDENCY_UNAVAILABLE');
    assert.equal(refused[0].attributes['bff.bulkhead.pool'], 'enrichment');
    assert.ok(['reviews', 'recommendations'].includes(refused[0].attributes['bff.provider']));
    // at once again: the catalog's answers come from the worker's cache, counted on the server span
    const warm = await page('2'.repeat(32));
    assert.equal(warm.filter((x) => x.attributes['bff.provider'] === 'catalog').length, 0, 'no span per fresh hit');
    assert.ok(warm.find((x) => x.kind === SERVER).attributes['bff.cache.hits'] >= 1);
    // past the time to live: served stale (and refreshed behind), each a span of its own
    await sleep(400);
    const stale = await page('3'.repeat(32));
    const st = stale.filter((x) => x.attributes['bff.cache'] === 'stale');
    assert.ok(st.length >= 1, 'stale answers have spans');
    for (const x of st) {
      assert.equal(x.attributes['bff.provider'], 'catalog');
      assert.ok(x.attributes['bff.cache.stale_ms'] > 0);
      assert.equal(x.attributes['url.template'].startsWith('/catalog/v1/'), true);
    }
  } finally {
    assert.equal((await s1.stop()).code, 0);
    await col.stop();
  }
});

// p99 of `n` product pages in a row against `server` (ms).
async function p99(server, n) {
  const times = [];
  for (let i = 0; i < n; ++i) {
    const t0 = performance.now();
    const r = await post(server, example('product_page'));
    await r.json();
    assert.equal(r.status, 200);
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(n * 0.99) - 1];
}

test('a collector that hangs or refuses: requests as fast as without tracing, its spans dropped and counted', async () => {
  const hang = await startCollector({ mode: 'hang' });
  const refuse = await startCollector({ mode: 'refuse' });
  const common = { BFF_PROVIDERS_URL: sim.url, BFF_OTLP_FLUSH_MS: '20', BFF_OTLP_TIMEOUT_MS: '1000' };
  const off = await startServer({ env: { BFF_PROVIDERS_URL: sim.url }, threads: 1 });
  const hung = await startServer({ env: { ...common, BFF_OTLP_ENDPOINT: hang.url, BFF_OTLP_MAX_QUEUE_SPANS: '50' }, threads: 1 });
  const refused = await startServer({ env: { ...common, BFF_OTLP_ENDPOINT: refuse.url }, threads: 1 });
  try {
    await simPost('/_sim/reset', {});
    const n = 150;
    // interleaved rounds, so the machine's load falls on all three alike
    const p = { off: [], hung: [], refused: [] };
    for (let round = 0; round < 3; ++round) {
      p.off.push(await p99(off, n / 3));
      p.hung.push(await p99(hung, n / 3));
      p.refused.push(await p99(refused, n / 3));
    }
    const worst = (a) => Math.max(...a);
    console.log(`# p99 (ms) per round: off ${p.off.map((x) => x.toFixed(1))}, hanging collector ${p.hung.map((x) => x.toFixed(1))}, refusing ${p.refused.map((x) => x.toFixed(1))}`);
    // a request never waits for the collector: the worst round stays within the untraced server's worst plus noise
    // (a wait for the collector would show as its export timeout, 1000 ms)
    assert.ok(worst(p.hung) < worst(p.off) * 3 + 50, `hanging collector: p99 ${worst(p.hung)} vs ${worst(p.off)}`);
    assert.ok(worst(p.refused) < worst(p.off) * 3 + 50, `refusing collector: p99 ${worst(p.refused)} vs ${worst(p.off)}`);
    // the hanging collector's export is in flight: the queue fills (50) and the rest is dropped, counted
    assert.ok((await metric(hung, 'bff_trace_spans_total{result="dropped_queue_full"}')) > 0);
    assert.equal(await metric(hung, 'bff_trace_spans_total{result="exported"}'), 0);
    // the refusing collector: each export fails at once, its spans counted as dropped
    await sleep(100);
    assert.ok((await metric(refused, 'bff_trace_spans_total{result="dropped_export_failed"}')) > 0);
    assert.ok((await metric(refused, 'bff_trace_exports_total{result="failed"}')) > 0);
    assert.equal(await metric(refused, 'bff_trace_spans_total{result="exported"}'), 0);
    // after its export timeout the hanging collector's batch counts as failed too
    await sleep(1200);
    assert.ok((await metric(hung, 'bff_trace_exports_total{result="failed"}')) >= 1);
  } finally {
    for (const s of [off, hung, refused]) assert.equal((await s.stop()).code, 0);
    await hang.stop();
    await refuse.stop();
  }
});

test('client-chosen strings reach the collector as valid UTF-8, cut to size', async () => {
  await simPost('/_sim/reset', {});
  const traceId = 'bbf92f3577b34da6a3ce929d0e0e4736';
  // a client name with a byte that is not UTF-8 (latin-1 é) and an operation name of 300 bytes
  const res = await fetch(`${srv.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', traceparent: `00-${traceId}-00f067aa0ba902b7-01`, 'x-client-name': Buffer.from('caf\xe9', 'latin1').toString('latin1') },
    body: JSON.stringify({ query: `query ${'Q'.repeat(300)} { shop { name } }`, operationName: 'Q'.repeat(300) }),
  });
  await res.json();
  const spans = await traceOf(collector, traceId);
  const sv = spans.find((s) => s.kind === SERVER);
  assert.equal(collector.errors.length, 0);
  assert.equal(sv.attributes['graphql.operation.name'], 'Q'.repeat(256));
  assert.equal(sv.attributes['bff.client.name'], 'caf', 'cut before the byte that is not UTF-8');
});
