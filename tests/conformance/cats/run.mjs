// graphql-cats (tests/conformance/external/graphql-cats): every scenario runs
// through `bff-schema` and through graphql-js 16 (the newest 16.x, pinned in
// tests/node). Parsing and validation: the verdicts (accept/reject, and for
// validation the messages) must agree on every test. Execution: both run the
// test with the resolvers graphql-cats defines by directives in the SDL
// (ours: tools/cats.c; graphql-js's: executeWithCats below, the same rules)
// and must give the same response: data, and errors with their messages,
// locations and paths. graphql-js cannot complete a field with a value and
// errors at once (@resolveErrorList): there its errors are added to what
// graphql-js answered, as the scenario states them. The scenario's own
// expectations (written for graphql-js of 2018) are checked too and
// reported; where graphql-js 16 departs from them, graphql-js decides (the
// test prints those cases).
//
// usage: node run.mjs BFF_SCHEMA_BINARY
import { createRequire } from 'node:module';
import { readFileSync, readdirSync, writeFileSync, mkdtempSync, rmSync, existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '../../..');
const require = createRequire(join(root, 'tests/node/package.json'));
const g = require('graphql');
console.log(`oracle: graphql-js ${require('graphql').version}`);
const yaml = require('js-yaml');
const bin = process.argv[2];
const cats = join(root, 'tests/conformance/external/graphql-cats/scenarios');
if (!existsSync(cats)) {
  console.error(`graphql-cats scenarios not found at ${cats}`);
  process.exit(1);
}
const dir = mkdtempSync(join(tmpdir(), 'bff-cats-'));
let n = 0, failures = 0, departures = 0, executions = 0;

// ---- execution: graphql-cats' directive-driven resolvers on graphql-js ----

const directiveArg = (d, name) => {
  const a = d.arguments?.find((x) => x.name.value === name);
  return a ? g.valueFromASTUntyped(a.value) : undefined;
};
const placeholders = (tmpl, args) =>
  tmpl.replace(/\$([_A-Za-z][_0-9A-Za-z]*)/g, (_, k) => (!(k in args) ? 'undefined' : typeof args[k] === 'string' ? args[k] : JSON.stringify(args[k])));

async function executeWithCats(schemaText, testData, query, ex) {
  const schema = g.buildSchema(schemaText, { assumeValidSDL: true });
  const deref = (v) => (v && typeof v === 'object' && !Array.isArray(v) && typeof v.$ref === 'string' ? testData[v.$ref] : v);
  const give = (v) => {
    v = deref(v);
    return Array.isArray(v) ? v.map((x) => deref(x) ?? null) : v;
  };
  const extraErrors = []; // @resolveErrorList's, which graphql-js cannot return beside a value
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith('__')) continue;
    if (g.isAbstractType(type)) type.resolveType = (v) => deref(v)?.type ?? deref(v)?.__typename;
    if (!g.isObjectType(type)) continue;
    for (const field of Object.values(type.getFields())) {
      const dirs = Object.fromEntries((field.astNode?.directives ?? []).map((d) => [d.name.value, d]));
      field.resolve = (parent, args, _ctx, info) => {
        if (dirs.resolveString) return placeholders(directiveArg(dirs.resolveString, 'value'), args);
        if (dirs.resolvePromiseString) return Promise.resolve(placeholders(directiveArg(dirs.resolvePromiseString, 'value'), args));
        if (dirs.argumentsJson) return JSON.stringify(args);
        if (dirs.resolveEmptyObject) return {};
        if (dirs.resolveTestData) return give(testData[directiveArg(dirs.resolveTestData, 'name')]);
        if (dirs.resolvePromiseTestData) return Promise.resolve(give(testData[directiveArg(dirs.resolvePromiseTestData, 'name')]));
        if (dirs.resolveError) throw new Error(directiveArg(dirs.resolveError, 'message'));
        if (dirs.resolvePromiseReject) return Promise.reject(new Error(directiveArg(dirs.resolvePromiseReject, 'message')));
        const list = dirs.resolveErrorList || dirs.resolvePromiseRejectList;
        if (list) {
          const path = g.responsePathAsArray(info.path);
          const locations = info.fieldNodes.map((f) => g.getLocation(f.loc.source, f.loc.start));
          for (const message of directiveArg(list, 'messages')) extraErrors.push({ message, locations, path });
          return directiveArg(list, 'values');
        }
        const own = give(deref(parent)?.[info.fieldName]);
        return dirs.resolvePromise ? Promise.resolve(own) : own;
      };
    }
  }
  let document;
  try {
    document = g.parse(query);
  } catch (e) {
    return { errors: [{ message: e.message, locations: e.locations }] };
  }
  if (ex['validate-query'] !== false) {
    const errors = g.validate(schema, document);
    if (errors.length) return { errors: errors.map((e) => e.toJSON()) };
  }
  const rootValue = ex['test-value'] !== undefined ? deref(testData[ex['test-value']]) : undefined;
  const r = await g.execute({ schema, document, rootValue, variableValues: ex.variables, operationName: ex['operation-name'] });
  const out = JSON.parse(JSON.stringify(r));
  if (extraErrors.length) out.errors = [...(out.errors ?? []), ...extraErrors];
  return out;
}

// A response's errors, order aside (graphql-js reports a promise's rejection after the synchronous errors).
const errorSet = (r) => (r.errors ?? []).map((e) => JSON.stringify({ message: e.message, locations: e.locations, path: e.path })).sort();

// The scenario's own assertions about a response; returns what failed, or null.
function catsAssertions(then, r) {
  const deepSorted = (v) => (Array.isArray(v) ? v.map(deepSorted) : v && typeof v === 'object' ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, deepSorted(v[k])])) : v);
  for (const a of thenList(then)) {
    if (a.data !== undefined && JSON.stringify(deepSorted(a.data)) !== JSON.stringify(deepSorted(r.data))) return `data ${JSON.stringify(r.data)}`;
    if (a['error-count'] !== undefined && (r.errors ?? []).length !== a['error-count']) return `${(r.errors ?? []).length} errors`;
    if (a.error !== undefined) {
      const hit = (r.errors ?? []).find((e) => e.message.includes(a.error));
      if (!hit) return `no error with "${a.error}"`;
      const locs = a.loc === undefined ? null : (Array.isArray(a.loc) ? a.loc : [a.loc]).map((l) => (Array.isArray(l) ? { line: l[0], column: l[1] } : l));
      if (locs && JSON.stringify(hit.locations) !== JSON.stringify(locs)) return `"${a.error}" at ${JSON.stringify(hit.locations)}`;
    }
    if (a.exception !== undefined && (r.data !== undefined || !(r.errors ?? []).some((e) => e.message.includes(a.exception)))) return `no request error with "${a.exception}"`;
  }
  return null;
}

function ours(args) {
  const r = spawnSync(bin, args, { encoding: 'utf8', input: args[0] === 'parse' ? undefined : undefined });
  if (r.status !== 0) throw new Error(`bff-schema ${args.join(' ')}: status ${r.status}: ${r.stderr}`);
  return r.stdout;
}

function thenList(then) {
  return Array.isArray(then) ? then : [then];
}

for (const sub of ['parsing', 'validation', 'execution']) {
  for (const f of readdirSync(join(cats, sub)).filter((x) => x.endsWith('.yaml')).sort()) {
    // json: a duplicated key (Executor.yaml's test data) keeps the last value instead of failing the load
    const scenario = yaml.load(readFileSync(join(cats, sub, f), 'utf8'), { json: true });
    for (const t of scenario.tests) {
      n++;
      const name = `${sub}/${f}: ${t.name}`;
      const query = t.given.query;
      const expectPass = thenList(t.then).some((a) => a.passes === true);
      try {
        if (t.when.parse) {
          let jsOk = true;
          try { g.parse(query); } catch { jsOk = false; }
          const out = spawnSync(bin, ['parse'], { input: JSON.stringify([query]), encoding: 'utf8' });
          const got = JSON.parse(out.stdout.trim());
          if (got.ok !== jsOk) throw new Error(`graphql-js ${jsOk ? 'accepts' : 'rejects'}, bff ${got.ok ? 'accepts' : 'rejects'}`);
          if (jsOk !== expectPass) { departures++; console.log(`note: graphql-js 16 departs from the scenario: ${name}`); }
        } else if (t.when.validate) {
          const bg = scenario.background || {};
          const schemaFile = t.given['schema-file'] || bg['schema-file'];
          const schemaText = t.given.schema || bg.schema || readFileSync(join(cats, sub, schemaFile), 'utf8');
          const schemaPath = join(dir, `schema-${n}.graphql`);
          writeFileSync(schemaPath, schemaText);
          const docPath = join(dir, `doc-${n}.graphql`);
          writeFileSync(docPath, query);
          const ruleNames = t.when.validate.map((r) => (r.endsWith('Rule') ? r : `${r}Rule`));
          const schema = g.buildASTSchema(g.parse(schemaText), { assumeValidSDL: true });
          const rules = g.specifiedRules.filter((r) => ruleNames.includes(r.name));
          if (rules.length !== ruleNames.length) throw new Error(`unknown rule in ${ruleNames}`);
          let jsErrors;
          try { jsErrors = g.validate(schema, g.parse(query), rules); } catch (e) { jsErrors = [{ message: e.message }]; }
          const line = JSON.parse(ours(['validate', '--assume-valid-sdl', '--schema', schemaPath, '--rules', ruleNames.join(','), docPath]).trim());
          const jsAccepts = jsErrors.length === 0;
          if (line.accepted !== jsAccepts) throw new Error(`graphql-js ${jsAccepts ? 'accepts' : 'rejects'}, bff ${line.accepted ? 'accepts' : 'rejects'}: ${JSON.stringify(line.errors)} vs ${JSON.stringify(jsErrors.map((e) => e.message))}`);
          if (line.errors.length !== jsErrors.length) throw new Error(`error counts ${jsErrors.length} vs ${line.errors.length}`);
          const jsMessages = jsErrors.map((e) => e.message).sort();
          const ourMessages = line.errors.map((e) => e.message).sort();
          if (JSON.stringify(jsMessages) !== JSON.stringify(ourMessages)) throw new Error(`messages differ: ${JSON.stringify(jsMessages)} vs ${JSON.stringify(ourMessages)}`);
          const count = thenList(t.then).find((a) => a['error-count'] !== undefined);
          if (jsAccepts !== expectPass || (count && count['error-count'] !== jsErrors.length)) {
            departures++;
            console.log(`note: graphql-js 16 departs from the scenario: ${name}`);
          }
        } else if (t.when.execute) {
          const ex = t.when.execute === true ? {} : t.when.execute;
          const bg = scenario.background || {};
          const schemaText = t.given.schema || bg.schema;
          const testData = t.given['test-data'] || bg['test-data'] || {};
          const schemaPath = join(dir, `schema-${n}.graphql`);
          writeFileSync(schemaPath, schemaText);
          const docPath = join(dir, `doc-${n}.graphql`);
          writeFileSync(docPath, query);
          const args = ['cats-execute', '--assume-valid-sdl', '--schema', schemaPath, '--test-data', JSON.stringify(testData)];
          if (ex['test-value'] !== undefined) args.push('--test-value', ex['test-value']);
          if (ex['operation-name'] !== undefined) args.push('--operation', ex['operation-name']);
          if (ex.variables !== undefined) args.push('--variables', JSON.stringify(ex.variables));
          if (ex['validate-query'] === false) args.push('--no-validate');
          args.push(docPath);
          const ourResponse = JSON.parse(ours(args).trim());
          const js = await executeWithCats(schemaText, testData, query, ex);
          executions++;
          if (('data' in js) !== ('data' in ourResponse) || JSON.stringify(js.data) !== JSON.stringify(ourResponse.data))
            throw new Error(`data: graphql-js ${JSON.stringify(js.data)} vs bff ${JSON.stringify(ourResponse.data)}`);
          if (JSON.stringify(errorSet(js)) !== JSON.stringify(errorSet(ourResponse)))
            throw new Error(`errors: graphql-js ${JSON.stringify(errorSet(js))} vs bff ${JSON.stringify(errorSet(ourResponse))}`);
          const why = catsAssertions(t.then, ourResponse);
          if (why) {
            departures++;
            console.log(`note: graphql-js 16 departs from the scenario: ${name}: ${why}`);
          }
        } else {
          throw new Error(`no action: ${JSON.stringify(t.when)}`);
        }
      } catch (e) {
        failures++;
        console.log(`FAIL ${name}: ${e.message.slice(0, 800)}`);
      }
    }
  }
}
rmSync(dir, { recursive: true, force: true });
console.log(`graphql-cats: ${n} tests (${n - executions} parse and validation, ${executions} execution), ${failures} disagreements with graphql-js ${g.version}, ${departures} where graphql-js 16 departs from the 2018 scenario`);
process.exit(failures || n - executions < 79 || executions < 22 ? 1 : 0);
