// The product page while reviews take 1 s (cut at the enrichment pool's 300 ms): time to the first
// payload of the deferred page (examples/product_page_deferred.graphql, Accept multipart/mixed;
// deferSpec=20220824) against the time to the whole undeferred page (examples/product_page.graphql),
// N requests each, one at a time, interleaved. Prints one JSON line (milliseconds).
//   node bench/http/defer.mjs BASE_URL SIM_URL [N]
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const [base, sim, nArg] = process.argv.slice(2);
const n = Number(nArg || 60);
const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const body = (name) => JSON.stringify({
  query: readFileSync(join(root, 'examples', `${name}.graphql`), 'utf8'),
  variables: JSON.parse(readFileSync(join(root, 'examples', `${name}.json`), 'utf8')),
});
const deferred = body('product_page_deferred'), plain = body('product_page');
await fetch(`${sim}/_sim/faults`, { method: 'POST', body: JSON.stringify({ reviews: { latency_ms: 1000 } }) });
const first = [], whole = [], plainTimes = [];
for (let i = 0; i < n; ++i) {
  let t0 = performance.now();
  const res = await fetch(`${base}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'multipart/mixed;deferSpec=20220824,application/json' }, body: deferred });
  const reader = res.body.getReader();
  let got = false;
  for (;;) {
    const { done } = await reader.read();
    if (!got) {
      first.push(performance.now() - t0);
      got = true;
    }
    if (done) break;
  }
  whole.push(performance.now() - t0);
  t0 = performance.now();
  await (await fetch(`${base}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: plain })).text();
  plainTimes.push(performance.now() - t0);
}
await fetch(`${sim}/_sim/reset`, { method: 'POST', body: '{}' });
const pct = (a, p) => {
  const s = [...a].sort((x, y) => x - y);
  return Number(s[Math.max(0, Math.ceil((s.length * p) / 100) - 1)].toFixed(1));
};
console.log(JSON.stringify({
  n,
  deferred_first_p50: pct(first, 50), deferred_first_p99: pct(first, 99),
  deferred_last_p50: pct(whole, 50), deferred_last_p99: pct(whole, 99),
  undeferred_p50: pct(plainTimes, 50), undeferred_p99: pct(plainTimes, 99),
}));
