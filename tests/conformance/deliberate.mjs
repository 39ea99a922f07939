// The differences from the oracle (graphql-js 16.15) that are ours on purpose: the
// September 2025 spec's validation rules graphql-js 16 does not have or applies only in
// part (docs/decisions/spec-vs-graphql-js.md). A suite accepts a disagreement only when
// it is exactly these: our extra messages are all of these forms, graphql-js reports
// none of them, and what is left of ours is what graphql-js said (for a subscription
// whose top level uses @skip or @include we say nothing more of it, so graphql-js's own
// single-root-field messages for it may be missing from ours).
const sub = '(?:Subscription "\\w+"|Anonymous Subscription)';
export const deliberateRules = [
  { rule: 'KnownOperationTypesRule', message: /^The (?:query|mutation|subscription) operation is not supported by the schema\.$/ },
  { rule: 'SingleFieldSubscriptionsRule', message: new RegExp(`^${sub} must not use \`@skip\` or \`@include\` directives in the top level selection\\.$`) },
  { rule: 'VariablesInAllowedPositionRule', message: /^Variable "\$\w+" is of type "[\w![\]]+" but must be non-nullable to be used for OneOf Input Object "\w+"\.$/ },
];
const isDeliberate = (m) => deliberateRules.some((d) => d.message.test(m));
const quietedBySkip = new RegExp(`^(${sub}) must (?:select only one top level field|not select an introspection top level field)\\.$`);

const sorted = (a) => JSON.stringify([...a].sort());

// js, ours: message lists. Returns null when they agree outright, the deliberate
// messages when the disagreement is exactly those, or false otherwise.
export function deliberateDifference(js, ours) {
  if (sorted(js) === sorted(ours)) return null;
  if (js.some(isDeliberate)) return false;
  const extra = ours.filter(isDeliberate);
  if (extra.length === 0) return false;
  const skipped = new Set(extra.map((m) => (m.match(new RegExp(`^(${sub}) must not use`)) || [])[1]).filter(Boolean));
  const jsLeft = js.filter((m) => { const q = m.match(quietedBySkip); return !(q && skipped.has(q[1])); });
  return sorted(jsLeft) === sorted(ours.filter((m) => !isDeliberate(m))) ? extra : false;
}
