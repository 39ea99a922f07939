// Parser differential test: every document is parsed by graphql-js 16 (the newest 16.x, pinned in tests/node: the
// oracle) and by `bff-schema parse`; both must accept or reject it alike, an
// accepted document must print the same (graphql-js print()), and a rejected
// one must fail with the same message at the same location.
//
// Documents: the kitchen-sink corpus in tests/conformance/external/corpus, our
// edge cases (edge_cases.json), and deterministic mutations of both
// (truncations, deleted and inserted characters) from a seeded generator.
//
// usage: node run.mjs BFF_SCHEMA_BINARY [--verbose]
import { createRequire } from 'node:module';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(join(here, '../../node/package.json'));
const { parse, print } = require('graphql');
console.log(`oracle: graphql-js ${require('graphql').version}`);

const bin = process.argv[2];
const verbose = process.argv.includes('--verbose');
if (!bin) {
  console.error('usage: node run.mjs BFF_SCHEMA_BINARY');
  process.exit(2);
}

const corpusDir = join(here, '../external/corpus');
const seeds = [];
if (!existsSync(corpusDir)) {
  console.error(`the kitchen-sink corpus is missing: ${corpusDir}`);
  process.exit(1);
}
for (const sub of readdirSync(corpusDir, { withFileTypes: true })) {
  if (!sub.isDirectory()) continue;
  for (const f of readdirSync(join(corpusDir, sub.name))) {
    if (f.endsWith('.graphql')) seeds.push(readFileSync(join(corpusDir, sub.name, f), 'utf8'));
  }
}
if (seeds.length < 4) {
  console.error(`the kitchen-sink corpus has ${seeds.length} documents, expected 4`);
  process.exit(1);
}
const edge = JSON.parse(readFileSync(join(here, 'edge_cases.json'), 'utf8'));

// xorshift32, fixed seed: the same documents on every run
let state = 0x2545f491;
function rand(n) {
  state ^= state << 13; state >>>= 0;
  state ^= state >>> 17;
  state ^= state << 5; state >>>= 0;
  return state % n;
}
const inserts = ['{', '}', '(', ')', '[', ']', ':', '!', '$', '@', '...', '"', '"""', '|', '&', '=', ',', '#', '\n', ' on ', '1', '-', '.', 'é', '\\', '\u0000', '\u{1F600}'];

const docs = [...seeds, ...edge];
for (const s of [...seeds, ...edge.filter((e) => e.length > 8)]) {
  const cuts = s.length > 200 ? 40 : 6;
  for (let i = 0; i < cuts; i++) docs.push(s.slice(0, rand(s.length + 1)));
  for (let i = 0; i < cuts; i++) {
    const at = rand(s.length);
    const len = 1 + rand(3);
    docs.push(s.slice(0, at) + s.slice(at + len));
  }
  for (let i = 0; i < cuts; i++) {
    const at = rand(s.length + 1);
    docs.push(s.slice(0, at) + inserts[rand(inserts.length)] + s.slice(at));
  }
}

// A cut can split a surrogate pair; what a client sends is UTF-8, so normalise like a decoder would.
for (let i = 0; i < docs.length; i++) docs[i] = Buffer.from(docs[i], 'utf8').toString('utf8');

function oracle(doc) {
  try {
    return { ok: true, printed: print(parse(doc)) };
  } catch (e) {
    return { ok: false, message: e.message, locations: e.locations };
  }
}

const run = spawnSync(bin, ['parse'], { input: JSON.stringify(docs), maxBuffer: 1 << 28, encoding: 'utf8' });
if (run.status !== 0) {
  console.error(`bff-schema parse failed (status ${run.status}, signal ${run.signal}):\n${run.stderr}`);
  process.exit(1);
}
const lines = run.stdout.split('\n').filter((l) => l.length > 0);
if (lines.length !== docs.length) {
  console.error(`expected ${docs.length} results, got ${lines.length}`);
  process.exit(1);
}

// each character outside the BMP as its high surrogate alone: what graphql-js keeps of one it cuts
const halfAstral = (m) => m.replace(/[\u{10000}-\u{10FFFF}]/gu, (c) => c[0]);
let failures = 0, accepted = 0;
for (let i = 0; i < docs.length; i++) {
  const want = oracle(docs[i]);
  const got = JSON.parse(lines[i]);
  let why = null;
  if (want.ok !== got.ok) why = `graphql-js ${want.ok ? 'accepts' : 'rejects'}, bff ${got.ok ? 'accepts' : 'rejects'}`;
  else if (want.ok && want.printed !== got.printed) why = 'printed forms differ';
  // Known differences: our error messages are C strings, so a NUL quoted from the document ends them;
  // where graphql-js's slice cuts a character outside the BMP in half (a lone surrogate, which UTF-8
  // cannot carry) ours quotes the whole character (docs/decisions/spec-vs-graphql-js.md).
  else if (!want.ok && halfAstral(want.message) !== halfAstral(got.message) && !(want.message.includes('\u0000') && want.message.startsWith(got.message.replace(/"\.$/, ''))))
    why = 'messages differ';
  else if (!want.ok && JSON.stringify(want.locations) !== JSON.stringify(got.locations)) why = 'locations differ';
  if (want.ok) accepted++;
  if (why) {
    failures++;
    if (failures <= 20 || verbose) {
      console.log(`MISMATCH #${i}: ${why}\n  doc: ${JSON.stringify(docs[i]).slice(0, 300)}`);
      console.log(`  graphql-js: ${JSON.stringify(want).slice(0, 300)}\n  bff:        ${JSON.stringify(got).slice(0, 300)}`);
    }
  }
}
console.log(`parser differential: ${docs.length} documents (${accepted} valid), ${failures} mismatches`);
process.exit(failures ? 1 : 0);
