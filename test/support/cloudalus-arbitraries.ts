// fast-check generators of random `cloudalus` workspaces and requests, drawn from small pools so
// that identities, trusts, actions and resources collide often (collisions are where bugs live).
// Manifests are valid by construction: unique ids, access keys of programmatic principals only,
// trustees listed, trust policies with `Resource` statements only and resource policies with
// `Identity` statements only; `cloudalusWorkspaceFromJson` (cloudalus-workspace.ts) loads them.
// Requests come from listed principals, access keys, unknown ids and `null`, and sometimes adopt
// an identity or name trusts, rightly or wrongly.
import fc from "fast-check";

/** Principals the manifests may list, with their kinds; `pi/deployer` is always listed. */
export const CLOUDALUS_PRINCIPALS = [
  { id: "pi/deployer", kind: "programmatic" },
  { id: "pi/ci", kind: "programmatic" },
  { id: "user/ana", kind: "user" },
  { id: "user/bo", kind: "user" },
] as const;

/** Identities a trust may let its trustee adopt, a resource be owned by, a resource policy name. */
export const CLOUDALUS_IDENTITIES = ["org/acme", "org/beta", "pi/deployer", "pi/ci", "user/ana", "user/bo"];
export const CLOUDALUS_ACCESS_KEYS = ["ak/1", "ak/2"];
export const CLOUDALUS_TRUST_IDS = ["t-1", "t-2", "t-3"];
export const CLOUDALUS_RESOURCE_IDS = ["kvdb/orders", "kvdb/cache", "org/acme", "pi/deployer", "ak/1", "org_user/ana"];

const TRUST_POLICIES = ["TrustA", "TrustB"];
const RESOURCE_POLICIES = ["OrdersPolicy", "OpenPolicy"];
const ACTION_PATTERNS = ["kvdb:Get", "kvdb:Put", "kvdb:*", "kvdb:G?t", "org:*", "*", "KVDB:DELETE"];
const RESOURCE_PATTERNS = ["*", "kvdb/*", "kvdb/orders", "kvdb/c?che", "org/acme", "pi/*", "ak/1"];
const IDENTITY_REFS = ["*", "org/acme", "org/beta", "pi/deployer", "pi/ci", "user/ana", "user/bo"];

/** Callers requests name: listed principals, access keys, an unknown key, non-principals. */
export const CLOUDALUS_CALLERS: readonly (string | null)[] = [
  "pi/deployer", "pi/ci", "user/ana", "user/bo", "ak/1", "ak/2", "ak/unknown", "org/acme", "user/ghost", "PI/DEPLOYER", null,
];
const ACTIONS = ["kvdb:Get", "KVDB:get", "kvdb:Put", "kvdb:Delete", "kvdb:Gat", "org:Read", "kvdb:", "*"];
const REQUEST_RESOURCES = [...CLOUDALUS_RESOURCE_IDS, "kvdb/other", "KVDB/orders", "kvdb/ca"];

const pick = <T>(items: readonly T[]) => fc.constantFrom(...items);
const some = <T>(items: readonly T[], minLength: number, maxLength: number) => fc.uniqueArray(pick(items), { minLength, maxLength });
const oneOrList = (items: readonly string[]) =>
  some(items, 1, 2).chain((list) => (list.length === 1 ? fc.constantFrom<string | string[]>(list[0]!, list) : fc.constant<string | string[]>(list)));
const effect = fc.constantFrom("Allow", "Allow", "Deny");

const trustStatement = fc.record({ Effect: effect, Action: oneOrList(ACTION_PATTERNS), Resource: oneOrList(RESOURCE_PATTERNS) });
const resourceStatement = fc.record({ Effect: effect, Action: oneOrList(ACTION_PATTERNS), Identity: oneOrList(IDENTITY_REFS) });

/** A random cloudalus manifest (inline policies), valid by construction. */
export const cloudalusManifestArbitrary = fc
  .record({
    trustPolicies: fc.tuple(...TRUST_POLICIES.map(() => fc.array(trustStatement, { minLength: 1, maxLength: 3 }))),
    resourcePolicies: fc.tuple(...RESOURCE_POLICIES.map(() => fc.array(resourceStatement, { minLength: 1, maxLength: 3 }))),
    others: some(CLOUDALUS_PRINCIPALS.slice(1), 1, 2),
    keys: fc.array(fc.nat(), { minLength: 0, maxLength: 2 }),
    trusts: fc.array(
      fc.record({ identity: pick(CLOUDALUS_IDENTITIES), trustee: fc.nat(), policy: pick(TRUST_POLICIES) }),
      { minLength: 1, maxLength: 3 },
    ),
    resources: fc.uniqueArray(
      fc.record({ id: pick(CLOUDALUS_RESOURCE_IDS), owner: fc.option(pick(CLOUDALUS_IDENTITIES)), policy: fc.option(pick(RESOURCE_POLICIES)) }),
      { minLength: 2, maxLength: 4, selector: (r) => r.id },
    ),
    useId: fc.boolean(),
  })
  .map((w) => {
    const principals = [CLOUDALUS_PRINCIPALS[0], ...w.others];
    const programmatic = principals.filter((p) => p.kind === "programmatic");
    return {
      model: "cloudalus",
      policies: [
        ...TRUST_POLICIES.map((id, i) => ({ ...(w.useId ? { id } : {}), document: { Id: id, Statement: w.trustPolicies[i]! } })),
        ...RESOURCE_POLICIES.map((id, i) => ({ id, document: { Version: "2024-01-01", Statement: w.resourcePolicies[i]! } })),
      ],
      principals: principals.map((p) => ({ id: p.id, kind: p.kind })),
      accessKeys: w.keys.map((n, i) => ({ id: CLOUDALUS_ACCESS_KEYS[i]!, identity: programmatic[n % programmatic.length]!.id })),
      trusts: w.trusts.map((t, i) => ({
        id: CLOUDALUS_TRUST_IDS[i]!,
        identity: t.identity,
        trustee: principals[t.trustee % principals.length]!.id,
        policy: t.policy,
      })),
      resources: w.resources.map((r) => ({
        id: r.id,
        ...(r.owner === null ? {} : { owner: r.owner }),
        ...(r.policy === null ? {} : { policy: r.policy }),
      })),
    };
  });

/** A random request: any caller; `identity` and `via` sometimes set, sometimes wrong. */
export const cloudalusRequestArbitrary: fc.Arbitrary<CloudalusRequestJson> = fc
  .record({
    principal: pick(CLOUDALUS_CALLERS),
    action: pick(ACTIONS),
    resource: pick(REQUEST_RESOURCES),
    identity: fc.option(pick([...CLOUDALUS_IDENTITIES, "user/ghost", "ak/1"]), { freq: 2 }),
    via: fc.option(fc.array(pick([...CLOUDALUS_TRUST_IDS, "t-missing"]), { maxLength: 3 }), { freq: 3 }),
  })
  .map((r) => ({
    principal: r.principal,
    action: r.action,
    resource: r.resource,
    ...(r.identity === null ? {} : { identity: r.identity }),
    ...(r.via === null ? {} : { via: r.via }),
  }));

/** A manifest the arbitrary makes. */
export type CloudalusManifestJson = typeof cloudalusManifestArbitrary extends fc.Arbitrary<infer M> ? M : never;

/** A request as JSON (a `Request` of compiler/ir.ts). */
export interface CloudalusRequestJson {
  readonly principal: string | null;
  readonly action: string;
  readonly resource: string;
  readonly identity?: string;
  readonly via?: readonly string[];
}

/**
 * Requests that fit a manifest: a trustee (or its access key) adopting a trust's identity, by
 * default or naming the trust, or a listed principal acting as itself, on a listed resource.
 * Most random requests fail the adoption; these reach the trust and resource checks.
 */
export function cloudalusFittingRequestArbitrary(manifest: CloudalusManifestJson): fc.Arbitrary<CloudalusRequestJson> {
  const keysOf = (id: string) => manifest.accessKeys.filter((k) => k.identity === id).map((k) => k.id);
  const resources = [...manifest.resources.map((r) => r.id), "kvdb/other"];
  const adopting = fc.record({ trust: pick(manifest.trusts), byKey: fc.boolean(), named: fc.boolean(), action: pick(ACTIONS), resource: pick(resources) }).map((r) => {
    const keys = keysOf(r.trust.trustee);
    return {
      principal: r.byKey && keys.length > 0 ? keys[0]! : r.trust.trustee,
      action: r.action,
      resource: r.resource,
      identity: r.trust.identity,
      ...(r.named ? { via: [r.trust.id] } : {}),
    };
  });
  const itself = fc.record({ principal: pick(manifest.principals.map((p): string => p.id)), action: pick(ACTIONS), resource: pick(resources) });
  return fc.oneof<fc.Arbitrary<CloudalusRequestJson>[]>(adopting, itself);
}

/** A manifest and requests to ask of it: random ones and ones that fit the manifest. */
export const cloudalusCaseArbitrary = cloudalusManifestArbitrary.chain((manifest) =>
  fc.record({
    manifest: fc.constant(manifest),
    requests: fc.array(fc.oneof(cloudalusRequestArbitrary, cloudalusFittingRequestArbitrary(manifest)), { minLength: 1, maxLength: 20 }),
  }),
);
