// Cost grows with the work: the latency of a listing of N products (N = 10, 50, 250),
// each with its variants' prices and stock, measured sequentially (one request at a
// time, after a warm-up), and drawn as bench/results/listing.png (a PNG written here,
// no plotting package needed). Prints one JSON line per N.
//   node bench/http/listing.mjs SERVER_URL OUT.png
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

const [url, out] = process.argv.slice(2);
const sizes = [10, 50, 250];
const runs = 30;
const query = (n) => JSON.stringify({ query: `{ products(first: ${n}) { edges { node { title variants { sku price { amount } availableForSale } } } } }` });
const points = [];
for (const n of sizes) {
  const times = [];
  for (let i = 0; i < runs + 3; i++) {
    const t0 = performance.now();
    const r = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: query(n) }).then((x) => x.json());
    if (!r.data || r.data.products.edges.length !== n) throw new Error(`N=${n}: ${JSON.stringify(r.errors)}`);
    if (i >= 3) times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const p = { n, p50_ms: +times[Math.floor(runs / 2)].toFixed(2), p90_ms: +times[Math.floor(runs * 0.9)].toFixed(2) };
  points.push(p);
  console.log(JSON.stringify(p));
}

// ---- a small line chart: x = N, y = p50 latency, 640 x 400, black on white ----
const W = 640, H = 400, M = 50;
const px = new Uint8Array(W * H).fill(255);
const set = (x, y, v = 0) => { if (x >= 0 && x < W && y >= 0 && y < H) px[y * W + x] = v; };
const line = (x0, y0, x1, y1, v = 0) => {
  const steps = Math.max(Math.abs(x1 - x0), Math.abs(y1 - y0), 1);
  for (let i = 0; i <= steps; i++) set(Math.round(x0 + ((x1 - x0) * i) / steps), Math.round(y0 + ((y1 - y0) * i) / steps), v);
};
const maxY = Math.max(...points.map((p) => p.p90_ms)) * 1.1;
const X = (n) => M + ((W - 2 * M) * n) / 260;
const Y = (ms) => H - M - ((H - 2 * M) * ms) / maxY;
line(M, H - M, W - M, H - M); // axes
line(M, M, M, H - M);
for (const n of sizes) line(X(n), H - M, X(n), H - M + 6); // x ticks at N
for (let k = 1; k <= 4; k++) { const y = Y((maxY * k) / 4); line(M - 6, y, M, y); for (let x = M; x < W - M; x += 6) set(x, Math.round(y), 200); }
for (let i = 0; i + 1 < points.length; i++) { // p50 solid, p90 grey
  line(X(points[i].n), Y(points[i].p50_ms), X(points[i + 1].n), Y(points[i + 1].p50_ms));
  line(X(points[i].n), Y(points[i].p90_ms), X(points[i + 1].n), Y(points[i + 1].p90_ms), 140);
}
for (const p of points) for (let d = -3; d <= 3; d++) { line(X(p.n) - 3, Y(p.p50_ms) + d, X(p.n) + 3, Y(p.p50_ms) + d); }

// PNG: 8-bit greyscale, one IDAT
const crcTable = Array.from({ length: 256 }, (_, n) => { let c = n; for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1; return c >>> 0; });
const crc = (buf) => { let c = 0xffffffff; for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8); return (c ^ 0xffffffff) >>> 0; };
const chunk = (type, data) => {
  const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const c = Buffer.alloc(4); c.writeUInt32BE(crc(td));
  return Buffer.concat([len, td, c]);
};
const ihdr = Buffer.alloc(13);
ihdr.writeUInt32BE(W, 0); ihdr.writeUInt32BE(H, 4); ihdr[8] = 8; ihdr[9] = 0; ihdr[10] = 0; ihdr[11] = 0; ihdr[12] = 0;
const raw = Buffer.alloc((W + 1) * H);
for (let y = 0; y < H; y++) { raw[y * (W + 1)] = 0; Buffer.from(px.subarray(y * W, (y + 1) * W)).copy(raw, y * (W + 1) + 1); }
writeFileSync(out, Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]));
