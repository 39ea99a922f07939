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
const W = 640, H = 400, M = 64;
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

// labels: a 5 x 7 pixel font, drawn at twice its size, for the characters used below
const glyphs = {
  '0': ['01110', '10001', '10011', '10101', '11001', '10001', '01110'], '1': ['00100', '01100', '00100', '00100', '00100', '00100', '01110'],
  '2': ['01110', '10001', '00001', '00010', '00100', '01000', '11111'], '3': ['11110', '00001', '00001', '01110', '00001', '00001', '11110'],
  '4': ['00010', '00110', '01010', '10010', '11111', '00010', '00010'], '5': ['11111', '10000', '11110', '00001', '00001', '10001', '01110'],
  '6': ['00110', '01000', '10000', '11110', '10001', '10001', '01110'], '7': ['11111', '00001', '00010', '00100', '01000', '01000', '01000'],
  '8': ['01110', '10001', '10001', '01110', '10001', '10001', '01110'], '9': ['01110', '10001', '10001', '01111', '00001', '00010', '01100'],
  '.': ['00000', '00000', '00000', '00000', '00000', '01100', '01100'], ' ': ['00000', '00000', '00000', '00000', '00000', '00000', '00000'],
  '(': ['00010', '00100', '01000', '01000', '01000', '00100', '00010'], ')': ['01000', '00100', '00010', '00010', '00010', '00100', '01000'],
  A: ['01110', '10001', '10001', '11111', '10001', '10001', '10001'], B: ['11110', '10001', '10001', '11110', '10001', '10001', '11110'],
  C: ['01110', '10001', '10000', '10000', '10000', '10001', '01110'], D: ['11110', '10001', '10001', '10001', '10001', '10001', '11110'],
  E: ['11111', '10000', '10000', '11110', '10000', '10000', '11111'], G: ['01110', '10001', '10000', '10111', '10001', '10001', '01111'],
  K: ['10001', '10010', '10100', '11000', '10100', '10010', '10001'], L: ['10000', '10000', '10000', '10000', '10000', '10000', '11111'],
  M: ['10001', '11011', '10101', '10101', '10001', '10001', '10001'], N: ['10001', '11001', '10101', '10011', '10001', '10001', '10001'],
  O: ['01110', '10001', '10001', '10001', '10001', '10001', '01110'], P: ['11110', '10001', '10001', '11110', '10000', '10000', '10000'],
  R: ['11110', '10001', '10001', '11110', '10100', '10010', '10001'], S: ['01111', '10000', '10000', '01110', '00001', '00001', '11110'],
  T: ['11111', '00100', '00100', '00100', '00100', '00100', '00100'], U: ['10001', '10001', '10001', '10001', '10001', '10001', '01110'],
  Y: ['10001', '10001', '01010', '00100', '00100', '00100', '00100'],
};
const text = (x0, y0, str, v = 0) => { // top left corner at (x0, y0); 12 pixels a character
  [...str].forEach((ch, i) => (glyphs[ch] || glyphs[' ']).forEach((row, y) => [...row].forEach((bit, x) => {
    if (bit === '1') for (let dy = 0; dy < 2; dy++) for (let dx = 0; dx < 2; dx++) set(x0 + i * 12 + x * 2 + dx, y0 + y * 2 + dy, v);
  })));
};
const width = (str) => str.length * 12 - 2;
for (const n of sizes) text(Math.round(X(n) - width(String(n)) / 2), H - M + 10, String(n)); // N under its tick
for (let k = 1; k <= 4; k++) { const label = ((maxY * k) / 4).toFixed(1); text(M - 8 - width(label), Math.round(Y((maxY * k) / 4)) - 7, label); }
text(Math.round((W - width('N (PRODUCTS)')) / 2), H - 18, 'N (PRODUCTS)');
text(8, 12, 'LATENCY (MS)');
text(W - M - width('BLACK P50  GREY P90'), 12, 'BLACK P50', 0);
text(W - M - width('GREY P90'), 12, 'GREY P90', 140);

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
