// Property: whatever the document, a caller never gets data of a field whose
// scope it lacks, and the provider behind a scoped resource is never called
// for it. Random valid documents over the schema (named and inline fragments,
// fragments spreading fragments, aliases, nesting, variables) are judged by
// graphql-js (TypeInfo: which fields, types and return types the document
// reaches, and the @requiresScopes on each), not by our own analysis; the
// simulator's counters say which providers were reached.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startStack, root, requireNode, DEMO_CART } from './lib.mjs';

const graphql = requireNode('graphql');
const { buildSchema, parse, validate, visit, TypeInfo, visitWithTypeInfo, getNamedType, isObjectType, isAbstractType,
  isNonNullType, isListType, isEnumType, isScalarType, isInputObjectType, print } = graphql;

const schema = buildSchema(readFileSync(join(root, 'schema/commerce.graphql'), 'utf8'));
const ALL = ['cart:read', 'orders:read', 'customers:read'];
const PROVIDER_OF = { 'cart:read': 'carts', 'orders:read': 'orders', 'customers:read': 'customers' };

function mulberry32(seed) {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function scopesOf(astNode) {
  const d = astNode?.directives?.find((x) => x.name.value === 'requiresScopes');
  if (!d) return [];
  const arg = d.arguments.find((a) => a.name.value === 'scopes');
  return arg.value.values.flatMap((v) => (v.kind === 'ListValue' ? v.values.map((w) => w.value) : [v.value]));
}

// The scopes the document needs, by graphql-js: every field, the type it is selected on, the type it returns.
function requiredScopes(doc) {
  const need = new Set();
  const ti = new TypeInfo(schema);
  visit(doc, visitWithTypeInfo(ti, {
    Field() {
      const parent = ti.getParentType(), def = ti.getFieldDef();
      if (!def) return;
      for (const s of [...scopesOf(parent?.astNode), ...scopesOf(def.astNode), ...scopesOf(getNamedType(def.type).astNode)]) need.add(s);
    },
  }));
  return need;
}

// Random documents over the schema.
function generator(rand, ids) {
  const pick = (a) => a[Math.floor(rand() * a.length)];
  let vars, varDefs, frags, fragCount;
  function argValue(name, type) {
    const t = isNonNullType(type) ? type.ofType : type;
    if (isListType(t)) return `[${argValue(name, t.ofType)}, ${argValue(name, t.ofType)}]`;
    if (isEnumType(t)) return t.getValues()[0].name;
    if (isInputObjectType(t)) return null;
    if (t.name === 'Int') return String(1 + Math.floor(rand() * 3));
    if (t.name === 'Boolean') return 'false';
    if (t.name === 'String' && name === 'token') return JSON.stringify(pick(['demo-customer-token', 'nope']));
    if (t.name === 'String') return JSON.stringify(pick(['shirt', 'x']));
    if (t.name === 'ID' || t.name === 'String') {
      const v = pick(ids);
      if (rand() < 0.3) { // through a variable
        const vn = `v${Object.keys(vars).length}`;
        vars[vn] = v;
        varDefs.push(`$${vn}: ID!`);
        return `$${vn}`;
      }
      return JSON.stringify(v);
    }
    return null;
  }
  function args(field) {
    const out = [];
    for (const a of field.args) {
      if (!isNonNullType(a.type) && rand() < 0.7) continue;
      const v = argValue(a.name, a.type);
      if (v === null) {
        if (isNonNullType(a.type)) return null;
        continue;
      }
      out.push(`${a.name}: ${v}`);
    }
    return out.length ? `(${out.join(', ')})` : '';
  }
  function selection(type, depth) {
    const parts = [];
    const n = 1 + Math.floor(rand() * 3);
    for (let i = 0; i < n; i++) {
      const r = rand();
      if (r < 0.15 && depth < 5) { // a named fragment on this type (or one of its possible types)
        const on = isAbstractType(type) && rand() < 0.5 ? pick(schema.getPossibleTypes(type)) : type;
        const name = `F${fragCount++}`;
        frags.push(`fragment ${name} on ${on.name} ${selection(on, depth + 1)}`);
        parts.push(`...${name}`);
        if (rand() < 0.3) parts.push(`...${name}`); // spread twice
        continue;
      }
      if (r < 0.25 && isAbstractType(type)) {
        const on = pick(schema.getPossibleTypes(type));
        parts.push(`... on ${on.name} ${selection(on, depth + 1)}`);
        continue;
      }
      const fields = Object.values(type.getFields());
      const f = pick(fields);
      const a = args(f);
      if (a === null) continue;
      const named = getNamedType(f.type);
      const alias = rand() < 0.2 ? `a${Math.floor(rand() * 1e6)}: ` : '';
      if (isScalarType(named) || isEnumType(named)) parts.push(`${alias}${f.name}${a}`);
      else if (depth < 5) parts.push(`${alias}${f.name}${a} ${selection(named, depth + 1)}`);
    }
    if (parts.length === 0) parts.push('__typename');
    return `{ ${parts.join(' ')} }`;
  }
  return () => {
    vars = {};
    varDefs = [];
    frags = [];
    fragCount = 0;
    const body = selection(schema.getQueryType(), 0);
    const text = `query Q${varDefs.length ? `(${varDefs.join(', ')})` : ''} ${body}\n${frags.join('\n')}`;
    return { text, variables: vars };
  };
}

test('property: for four scope sets, random documents never yield scoped data or scoped provider calls to a caller without the scope', async () => {
  const seed = Number(process.env.SECURITY_SEED || 20261204);
  const rand = mulberry32(seed);
  // a real order to point node(id:) at, placed by a caller with every scope
  const setup = await startStack({ anonymousScopes: [...ALL, 'cart:write', 'checkout:write'].join(',') });
  let orderGid;
  try {
    const r = await setup.gql(`mutation { checkoutComplete(cartId: "${DEMO_CART}", paymentToken: "tok_ok", idempotencyKey: "property-order-1") { order { id } userErrors { message } } }`);
    orderGid = r.data?.checkoutComplete?.order?.id;
  } finally {
    await setup.stop();
  }
  assert.ok(orderGid, 'the setup placed an order');
  const ids = [DEMO_CART, 'demo-cart-1', 'p0001', 'gid://bff/Product/p0002', 'gid://bff/Order/ord_1', 'c01', orderGid];
  const gen = generator(rand, ids);
  let forbidden = 0, allowed = 0;
  for (const scopes of [[], ['cart:read'], ['orders:read', 'customers:read'], ALL]) {
    const st = await startStack({ anonymousScopes: scopes.join(','), env: { BFF_LOG_REQUESTS: 'false', BFF_MAX_QUERY_COST: '100000' } });
    try {
      for (let i = 0; i < 120; i++) {
        let doc;
        for (;;) { // a document graphql-js accepts
          const d = gen();
          const ast = parse(d.text);
          if (validate(schema, ast).length === 0) {
            doc = { ...d, ast };
            break;
          }
        }
        const missing = [...requiredScopes(doc.ast)].filter((s) => !scopes.includes(s));
        const before = await st.calls();
        const r = await st.gql(doc.text, doc.variables);
        const after = await st.calls();
        const label = `seed ${seed}, scopes [${scopes}], document:\n${print(doc.ast)}\nvariables ${JSON.stringify(doc.variables)}\n-> ${JSON.stringify(r).slice(0, 400)}`;
        if (missing.length > 0) {
          forbidden++;
          assert.equal(r.data, undefined, label);
          assert.ok(r.errors.some((e) => e.extensions.code === 'FORBIDDEN'), label);
        } else {
          allowed++;
        }
        for (const s of ALL)
          if (!scopes.includes(s)) assert.equal(after[PROVIDER_OF[s]], before[PROVIDER_OF[s]], `${PROVIDER_OF[s]} called: ${label}`);
        // whatever was answered: no object of a scoped type the caller may not read
        const text = JSON.stringify(r.data ?? null);
        if (!scopes.includes('orders:read')) assert.ok(!/"__typename":"Order"/.test(text), label);
        if (!scopes.includes('customers:read')) assert.ok(!/"__typename":"Customer"/.test(text), label);
      }
    } finally {
      assert.equal((await st.stop()).code, 0);
    }
  }
  assert.ok(forbidden > 50 && allowed > 50, `forbidden ${forbidden}, allowed ${allowed}: both kinds exercised`);
});
