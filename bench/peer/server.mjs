// The benchmark's peer: graphql-js 16 + graphql-http over the same schema and
// simulator, its resolvers batching the way ours do (one pricing and one
// inventory call per level, one reviews call per product), written for
// bench/http/run.sh. HTTP/1.1 on PORT, HTTP/2 (cleartext, prior knowledge) on H2PORT.
//   node bench/peer/server.mjs PORT H2PORT SIM_URL
import http from 'node:http';
import http2 from 'node:http2';
import { readFileSync } from 'node:fs';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { buildSchema } from 'graphql';
import { createHandler as h1Handler } from 'graphql-http/lib/use/http';
import { createHandler as h2Handler } from 'graphql-http/lib/use/http2';

const [port, h2port, sim] = process.argv.slice(2);
const schema = buildSchema(readFileSync(new URL('../../schema/commerce.graphql', import.meta.url), 'utf8'));
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

// Cart ids carry a key, as ours do (resolvers/ids.h, the same demo key as make run): the same work per request.
const ID_KEY = 'demo-only-id-signing-key-not-a-secret';
function openCartId(id) {
  const m = /^gid:\/\/bff\/Cart\/([A-Za-z0-9_-]{1,64})\?key=([0-9a-f]{32})$/.exec(id);
  if (!m) return null;
  const want = createHmac('sha256', ID_KEY).update(`Cart:${m[1]}`).digest('hex').slice(0, 32);
  return timingSafeEqual(Buffer.from(want), Buffer.from(m[2])) ? m[1] : null;
}

function call(method, path, body) {
  return new Promise((resolve, reject) => {
    const req = http.request(sim + path, { method, agent, headers: { 'content-type': 'application/json' } }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        if (res.statusCode >= 400) reject(new Error(`${path}: HTTP ${res.statusCode}`));
        else resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      });
    });
    req.on('error', reject);
    if (body) req.end(JSON.stringify(body));
    else req.end();
  });
}

// A per-request loader: keys asked in one tick go out as one batch.
function loader(batch) {
  let pending = null;
  return (key) => {
    if (!pending) {
      pending = new Map();
      const mine = pending;
      setImmediate(async () => {
        pending = null;
        try {
          const values = await batch([...mine.keys()]);
          for (const [k, waiters] of mine) for (const w of waiters) w.resolve(values.get(k));
        } catch (e) {
          for (const waiters of mine.values()) for (const w of waiters) w.reject(e);
        }
      });
    }
    return new Promise((resolve, reject) => {
      if (!pending.has(key)) pending.set(key, []);
      pending.get(key).push({ resolve, reject });
    });
  };
}

const money = (minor, currencyCode) => ({ amount: (minor / 100).toFixed(2), currencyCode });
const skuQuery = (skus) => skus.map((s) => `sku=${encodeURIComponent(s)}`).join('&');

function context() {
  const prices = {};
  const priceLoader = (currency) =>
    (prices[currency] ??= loader(async (skus) => {
      const r = await call('POST', '/pricing/v2/quotes', { currency, skus });
      return new Map(r.prices.map((p) => [p.sku, p]));
    }));
  const stock = loader(async (skus) => {
    const r = await call('GET', `/inventory/levels?${skuQuery(skus)}`);
    const m = new Map();
    for (const l of r.levels) (m.get(l.sku) ?? m.set(l.sku, []).get(l.sku)).push(l);
    return m;
  });
  const reviews = loader(async (ids) => new Map(await Promise.all(ids.map(async (id) => [id, await call('GET', `/reviews/products/${id}?limit=8`)]))));
  return { priceLoader, stock, reviews };
}

function product(p) {
  return {
    id: `gid://bff/Product/${p.id}`, _pid: p.id, handle: p.handle, title: p.title, vendor: p.vendor, brand: p.vendor,
    description: p.description, tags: p.tags, createdAt: p.created_at,
    images: p.images.map((i) => ({ url: i.src, altText: i.alt ?? null })),
    variants: ({ first }) => p.variants.slice(0, first ?? p.variants.length).map((v) => variant(v)),
    rating: (_, ctx) => ctx.reviews(p.id).then((r) => ({ average: r.average, count: r.count })),
    reviews: ({ first }, ctx) => ctx.reviews(p.id).then((r) => r.reviews.slice(0, first)),
    recommendations: async ({ first }) => {
      const r = await call('GET', `/recs/for/${p.id}?n=${first}`);
      return Promise.all(r.items.map(async (id) => product(await call('GET', `/catalog/v1/products/${id}`))));
    },
  };
}

function variant(v) {
  const levels = (ctx) => ctx.stock(v.sku).then((l) => l ?? []);
  return {
    id: `gid://bff/ProductVariant/${v.sku}`, sku: v.sku, title: v.title ?? v.sku,
    selectedOptions: Object.entries(v.options ?? {}).map(([name, value]) => ({ name, value })),
    compareAtPrice: v.list_price ? { amount: v.list_price, currencyCode: 'EUR' } : null,
    price: ({ currency }, ctx) => ctx.priceLoader(currency ?? 'EUR')(v.sku).then((p) => (p ? money(p.amount_minor, currency ?? 'EUR') : null)),
    quantityAvailable: (_, ctx) => levels(ctx).then((l) => l.reduce((s, x) => s + x.available, 0)),
    availableForSale: (_, ctx) => levels(ctx).then((l) => l.some((x) => x.available > 0)),
    availability: (_, ctx) => levels(ctx).then((l) => l.map((x) => ({ location: x.location, quantity: x.available }))),
  };
}

async function cartTotals(c) {
  const skus = c.lines.map((l) => l.sku);
  const [quotes, vars] = await Promise.all([
    call('POST', '/pricing/v2/quotes', { currency: c.currency, skus }),
    call('GET', `/catalog/v1/variants?${skuQuery(skus)}`),
  ]);
  const unit = new Map(quotes.prices.map((p) => [p.sku, p.amount_minor]));
  const weight = new Map(vars.variants.map((v) => [v.sku, v.weight_grams]));
  const amounts = c.lines.map((l) => unit.get(l.sku) * l.quantity);
  const subtotal = amounts.reduce((a, b) => a + b, 0);
  const address = c.buyer.address;
  const [promo, ship] = await Promise.all([
    call('POST', '/promotions/evaluate', { currency: c.currency, subtotal_minor: subtotal, codes: c.discount_codes }),
    call('POST', '/shipping/rates', { currency: c.currency, address, weight_grams: c.lines.reduce((s, l) => s + weight.get(l.sku) * l.quantity, 0) }),
  ]);
  const discounts = Math.min(subtotal, promo.discounts.reduce((s, d) => s + d.amount_minor, 0));
  const shipping = ship.rates.find((r) => r.id === c.shipping_rate_id).amount_minor;
  // the discount shared by largest remainder, as ours does
  const alloc = amounts.map((a) => Math.floor((discounts * a) / subtotal));
  let left = discounts - alloc.reduce((a, b) => a + b, 0);
  const rem = amounts.map((a, i) => [(discounts * a) % subtotal, i]).sort((x, y) => y[0] - x[0]);
  for (let k = 0; left > 0; k++, left--) alloc[rem[k][1]]++;
  const tax = await call('POST', '/tax/calculate', { currency: c.currency, address, lines: c.lines.map((l, i) => ({ sku: l.sku, amount_minor: amounts[i] - alloc[i] })), shipping_minor: shipping });
  const taxed = tax.tax_lines.reduce((s, t) => s + t.amount_minor, 0);
  const cur = c.currency;
  return { subtotal: money(subtotal, cur), discounts: money(discounts, cur), shipping: money(shipping, cur), tax: money(taxed, cur), total: money(subtotal - discounts + shipping + taxed, cur) };
}

const rootValue = {
  shop: { name: 'Demo Storefront', currencyCode: 'EUR', currency: 'EUR' },
  product: async ({ id, handle }) => {
    if (handle) {
      const r = await call('GET', `/catalog/v1/products?per_page=1&handle=${encodeURIComponent(handle)}`);
      return r.items[0] ? product(r.items[0]) : null;
    }
    return product(await call('GET', `/catalog/v1/products/${id.replace('gid://bff/Product/', '')}`));
  },
  products: async ({ first, after }) => {
    const offset = after ? Number(after) : 0;
    const r = await call('GET', `/catalog/v1/products?page=${offset / first + 1}&per_page=${first}`);
    return {
      totalCount: r.total,
      pageInfo: { hasNextPage: offset + r.items.length < r.total, endCursor: String(offset + r.items.length) },
      edges: r.items.map((p, i) => ({ cursor: String(offset + i + 1), node: product(p) })),
    };
  },
  cart: async ({ id }) => {
    const pid = openCartId(id);
    if (pid === null) return null;
    const c = await call('GET', `/carts/${pid}`);
    return {
      id, currencyCode: c.currency, discountCodes: c.discount_codes, selectedShippingRateId: c.shipping_rate_id ?? null,
      totalQuantity: c.lines.reduce((s, l) => s + l.quantity, 0),
      buyerIdentity: c.buyer ? { email: c.buyer.email ?? null, address: c.buyer.address } : null,
      lines: async () => {
        const vars = await call('GET', `/catalog/v1/variants?${skuQuery(c.lines.map((l) => l.sku))}`);
        const by = new Map(vars.variants.map((v) => [v.sku, v]));
        return c.lines.map((l) => ({ id: l.sku, quantity: l.quantity, merchandise: { sku: l.sku, title: by.get(l.sku).title, productTitle: by.get(l.sku).product_title, productHandle: by.get(l.sku).product_handle } }));
      },
      cost: () => cartTotals(c),
    };
  },
};

const options = { schema, rootValue, context: () => context() };
http.createServer(h1Handler(options)).listen(Number(port), '127.0.0.1');
http2.createServer(h2Handler(options)).listen(Number(h2port), '127.0.0.1', () => console.log('peer listening'));
