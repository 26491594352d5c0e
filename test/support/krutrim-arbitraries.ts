// fast-check generators of random `krutrim` workspaces and requests, drawn from small pools so
// that services, operations, resources and principals collide often (collisions are where bugs
// live). Manifests are valid by construction: unique ids, every reference resolved, no custom
// policy under a system-managed name; `krutrimWorkspaceFromJson` (krutrim-workspace.ts) loads them.
import fc from "fast-check";

/** Users the manifests may list; requests also come from outsiders and the anonymous caller. */
export const KRUTRIM_USERS = ["user/ravi", "user/mei", "user/asha", "user/tom"];
export const KRUTRIM_OUTSIDERS = ["user/ghost", "ravi", "USER/RAVI"];

const ROLES = ["vm-ops", "readers", "admins", "net", "iam-ops"];
const GROUPS = ["platform", "auditors", "oncall"];
const CUSTOM = ["NoKbs", "ReadAll", "VmProd", "Mixed"];

/** System-managed policies the roles pick from: the usual trio levels and every scoped sub-area kind. */
export const KRUTRIM_SYSTEM_POOL = [
  "KVMFullAccess", "KVMReadOnlyAccess", "KVMReadWriteAccess", "KBlockStorageReadWriteAccess", "KVPCFullAccess",
  "KIAMUserManagerAccess", "KIAMGroupReadOnlyAccess", "KIAMRolereadWriteAccess", "KIAMReadOnlyAccessAllResources",
  "KMAASApiKeyReadOnlyAccess", "KObjectStorageAccessKeyFullAccess", "KSecurityGroupWriteAccess", "KKSReadAccess",
];

const SERVICES = ["vm", "kbs", "vpc", "iam", "maas", "kos", "securityGroup", "kks", "All"];
const OPERATIONS = ["Create", "Read", "Update", "Delete"];
const RESOURCE_PATTERNS = ["*", "vm/prod-*", "vm/dev-?", "kbs/vol-1", "user/*", "group/ops", "*-1", "apikey/*", "vpc/*/subnet-?"];

/** Resources requests name: some match the patterns above, some nearly do. */
export const KRUTRIM_RESOURCES = [
  "*", "vm/prod-web", "vm/prod-", "vm/dev-1", "vm/dev-12", "VM/PROD-WEB", "kbs/vol-1", "kbs/vol-10", "user/ravi", "group/ops",
  "role/admin", "policy/p", "mapping/m", "apikey/k-1", "accesskey/a-1", "vpc/main/subnet-a", "vpc/main/subnet-ab", "x-1", "",
];

const SERVICE_WORDS = ["vm", "kbs", "vpc", "iam", "maas", "kos", "securityGroup", "kks", "billing", "VM", "Kbs", "securitygroup", "nope"];
const OPERATION_WORDS = ["Create", "Read", "Update", "Delete", "read", "DELETE", "Reboot", "*"];

const pick = <T>(items: readonly T[]) => fc.constantFrom(...items);
const some = <T>(items: readonly T[], maxLength: number) => fc.uniqueArray(pick(items), { maxLength });

const rule = fc.record({
  service: pick(SERVICES),
  operations: fc.oneof(
    { weight: 4, arbitrary: fc.uniqueArray(pick(OPERATIONS), { minLength: 1, maxLength: 4 }) },
    { weight: 1, arbitrary: fc.constant(["*"]) },
  ),
  effect: fc.constantFrom("Allow", "Allow", "Deny"),
  resources: fc.option(fc.uniqueArray(pick(RESOURCE_PATTERNS), { minLength: 1, maxLength: 2 }), { freq: 2 }),
}).map((r) => (r.resources === null ? { service: r.service, operations: r.operations, effect: r.effect } : r));

/** A random krutrim manifest (inline custom policies), valid by construction. */
export const krutrimManifestArbitrary = fc
  .record({
    policies: fc.uniqueArray(
      fc.record({ id: pick(CUSTOM), named: fc.boolean(), rules: fc.array(rule, { minLength: 1, maxLength: 3 }) }),
      { maxLength: 4, selector: (p) => p.id },
    ),
    roles: fc.uniqueArray(
      fc.record({ id: pick(ROLES), custom: some(CUSTOM, 2), system: some(KRUTRIM_SYSTEM_POOL, 2) }),
      { maxLength: 5, selector: (r) => r.id },
    ),
    groups: fc.uniqueArray(fc.record({ id: pick(GROUPS), roles: some(ROLES, 2) }), { maxLength: 3, selector: (g) => g.id }),
    users: fc.uniqueArray(
      fc.record({ id: pick(KRUTRIM_USERS), roles: fc.option(some(ROLES, 2)), groups: fc.option(some(GROUPS, 2)) }),
      { minLength: 1, maxLength: 4, selector: (u) => u.id },
    ),
  })
  .map((w) => {
    // references only to what exists; custom policies only under ids that are defined
    const policyIds = new Set(w.policies.map((p) => p.id));
    const roleIds = new Set(w.roles.map((r) => r.id));
    const groupIds = new Set(w.groups.map((g) => g.id));
    return {
      model: "krutrim",
      policies: w.policies.map((p) => ({
        ...(p.named ? {} : { id: p.id }),
        document: { name: p.id, description: `random ${p.id}`, rules: p.rules },
      })),
      roles: w.roles.map((r) => ({ id: r.id, policies: [...r.custom.filter((id) => policyIds.has(id)), ...r.system] })),
      groups: w.groups.map((g) => ({ id: g.id, roles: g.roles.filter((id) => roleIds.has(id)) })),
      users: w.users.map((u) => {
        const out: Record<string, unknown> = { id: u.id };
        if (u.roles !== null) out.roles = u.roles.filter((id) => roleIds.has(id));
        if (u.groups !== null) out.groups = u.groups.filter((id) => groupIds.has(id));
        return out;
      }),
    };
  });

/** A random request: actions `service:Operation` in any case, unknown ones, odd shapes. */
export const krutrimRequestArbitrary = fc.record({
  principal: fc.constantFrom<string | null>(...KRUTRIM_USERS, ...KRUTRIM_OUTSIDERS, null),
  action: fc.oneof(
    { weight: 8, arbitrary: fc.tuple(pick(SERVICE_WORDS), pick(OPERATION_WORDS)).map(([s, o]) => `${s}:${o}`) },
    { weight: 1, arbitrary: pick(["*", "vm", "vm:", ":Read", "vm:Read:x", "*:Read"]) },
  ),
  resource: pick(KRUTRIM_RESOURCES),
});

/** A manifest and requests to ask of it. */
export const krutrimCaseArbitrary = fc.record({
  manifest: krutrimManifestArbitrary,
  requests: fc.array(krutrimRequestArbitrary, { minLength: 1, maxLength: 20 }),
});
