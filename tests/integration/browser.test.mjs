// A real browser (Debian's chromium, driven by the pinned puppeteer-core):
// GraphiQL loads for an anonymous visitor with no console error and a valid
// schema in its docs explorer, and runs its example; a page on another origin
// that the cors setting allows calls the BFF with fetch and reads the answer,
// and from an origin it does not allow the browser blocks the call.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { existsSync } from 'node:fs';
import { requireNode, startServer, startSim } from './lib.mjs';

const CHROMIUM = process.env.CHROMIUM_BIN || '/usr/bin/chromium';
const puppeteer = requireNode('puppeteer-core');

// A page server: one HTML page whose script calls the BFF (its URL known once the BFF runs) and writes
// the outcome into #out.
const bff = { url: '' };
function pageServer() {
  const server = http.createServer((req, res) => {
    const html = `<!doctype html><html><head><meta charset="utf-8"><title>storefront</title>
<link rel="icon" href="data:,"></head><body><div id="out">pending</div><script>
fetch(${JSON.stringify(`${bff.url}/graphql`)}, { method: 'POST', headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ query: '{ shop { name } }' }) })
  .then((r) => r.json()).then((j) => { document.getElementById('out').textContent = 'ok:' + j.data.shop.name; })
  .catch((e) => { document.getElementById('out').textContent = 'blocked:' + e.name; });
</script></body></html>`;
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(html);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

let sim, srv, allowedPage, otherPage, browser;
before(async () => {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is installed (scripts/deps.sh installs Debian's chromium)`);
  sim = await startSim();
  allowedPage = await pageServer();
  otherPage = await pageServer();
  const allowedOrigin = `http://127.0.0.1:${allowedPage.address().port}`;
  // anonymous visitors as in production: the catalog only
  srv = await startServer({ threads: 1, env: { BFF_PROVIDERS_URL: sim.url, BFF_ANONYMOUS_SCOPES: '', BFF_CORS: JSON.stringify({ origins: [allowedOrigin] }) } });
  bff.url = srv.url;
  browser = await puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu'], timeout: 30000 });
});
after(async () => {
  await browser?.close();
  for (const p of [allowedPage, otherPage]) if (p) await new Promise((r) => p.close(r));
  if (srv) assert.equal((await srv.stop()).code, 0);
  await sim?.stop();
});

test('GraphiQL: loads anonymously without console errors, a valid schema in the docs, and runs its example', async () => {
  const page = await browser.newPage();
  const problems = [];
  page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
  page.on('pageerror', (e) => problems.push(`page: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()}`));
  const res = await page.goto(`${srv.url}/graphql`, { waitUntil: 'networkidle0', timeout: 30000 });
  assert.equal(res.status(), 200);
  await page.waitForSelector('.graphiql-execute-button', { timeout: 20000 });
  // the docs explorer shows the schema's root types (an invalid schema shows an error there instead)
  await page.click('[aria-label="Show Documentation Explorer"]');
  await page.waitForFunction(() => document.querySelector('.graphiql-doc-explorer')?.textContent.includes('Query'), { timeout: 20000 });
  const docs = await page.$eval('.graphiql-doc-explorer', (e) => e.textContent);
  assert.ok(!/Schema is invalid|must define one or more fields/i.test(docs), docs.slice(0, 300));
  assert.ok(!docs.includes('mutation:'), 'an anonymous visitor has no mutations to see');
  // run the example it opens with
  await page.click('.graphiql-execute-button');
  await page.waitForFunction(() => document.querySelector('.result-window')?.textContent.includes('"title"'), { timeout: 20000 });
  const result = await page.$eval('.result-window', (e) => e.textContent);
  assert.match(result, /Linen Backpack/);
  assert.deepEqual(problems, []);
  await page.close();
});

test('a page on an allowed origin reads the answer of a cross-origin fetch; another origin is blocked by the browser', async () => {
  const page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${allowedPage.address().port}/`, { timeout: 20000 });
  await page.waitForFunction(() => document.getElementById('out').textContent !== 'pending', { timeout: 20000 });
  assert.equal(await page.$eval('#out', (e) => e.textContent), `ok:${await shopName()}`);
  const blocked = await browser.newPage();
  await blocked.goto(`http://127.0.0.1:${otherPage.address().port}/`, { timeout: 20000 });
  await blocked.waitForFunction(() => document.getElementById('out').textContent !== 'pending', { timeout: 20000 });
  assert.match(await blocked.$eval('#out', (e) => e.textContent), /^blocked:TypeError/);
  await page.close();
  await blocked.close();
});

async function shopName() {
  const r = await fetch(`${srv.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ shop { name } }' }) });
  return (await r.json()).data.shop.name;
}
