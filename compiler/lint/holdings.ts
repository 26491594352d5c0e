// Who holds which policy, per model: the facts the cross-statement findings (shadowed and
// duplicate statements, policies attached to nobody) and the limit-layer exemptions stand on.
import type { AwsWorkspace, CloudalusWorkspace, KrutrimWorkspace, Origin, Workspace } from "../ir.js";

/**
 * How a policy is referenced. `limit` uses only bound what something else grants (AWS
 * boundaries, session policies, SCP and RCP levels); the others grant.
 */
export type UseKind = "identity" | "group" | "boundary" | "session" | "scp" | "rcp" | "resource" | "role" | "trust";

const LIMIT_USES: ReadonlySet<UseKind> = new Set<UseKind>(["boundary", "session", "scp", "rcp"]);

/** One reference to a policy, and whether it reaches anyone. */
export interface PolicyUse {
  readonly kind: UseKind;
  /** The referring entity: a principal, group, account, resource, role or trust id. */
  readonly by: string;
  /** False for an AWS group with no member, or a krutrim role no user holds. */
  readonly reachesSomeone: boolean;
  readonly origin?: Origin;
}

/**
 * Holders of the policies: the parties a policy's statements apply to (AWS principals and
 * resources, krutrim users, cloudalus trusts and resources), each with the slots it holds the
 * policy in. A slot is an evaluation layer in which allows add up (AWS: `identity`, `boundary`,
 * `session`, `scp[0]`, ...): two equal allows are redundant only in the same slot, while a deny
 * in any slot applies to the holder.
 */
export interface Holdings {
  readonly uses: ReadonlyMap<string, readonly PolicyUse[]>;
  /** policy id → holder → slots */
  readonly holders: ReadonlyMap<string, ReadonlyMap<string, ReadonlySet<string>>>;
}

/** The holdings of a workspace. */
export function holdingsOf(workspace: Workspace): Holdings {
  const builder = holdingsBuilder();
  if (workspace.model === "aws") collectAws(workspace, builder);
  else if (workspace.model === "krutrim") collectKrutrim(workspace, builder);
  else collectCloudalus(workspace, builder);
  return { uses: builder.uses, holders: builder.holders };
}

/** Whether every reference to the policy is a limit layer (and there is at least one). */
export function isLimitOnly(holdings: Holdings, policy: string): boolean {
  const uses = holdings.uses.get(policy) ?? [];
  return uses.length > 0 && uses.every((use) => LIMIT_USES.has(use.kind));
}

/** The holders of a policy, whatever the slot. */
export function holdersOf(holdings: Holdings, policy: string): ReadonlySet<string> {
  return new Set(holdings.holders.get(policy)?.keys() ?? []);
}

/** Collects uses and holders as the model's entities are read. */
interface HoldingsBuilder {
  readonly uses: Map<string, PolicyUse[]>;
  readonly holders: Map<string, Map<string, Set<string>>>;
  use(policy: string, use: PolicyUse): void;
  hold(policy: string, holder: string, slot: string): void;
}

function holdingsBuilder(): HoldingsBuilder {
  const uses = new Map<string, PolicyUse[]>();
  const holders = new Map<string, Map<string, Set<string>>>();
  return {
    uses,
    holders,
    use(policy, use) {
      let list = uses.get(policy);
      if (list === undefined) uses.set(policy, (list = []));
      list.push(use);
    },
    hold(policy, holder, slot) {
      let byHolder = holders.get(policy);
      if (byHolder === undefined) holders.set(policy, (byHolder = new Map()));
      let slots = byHolder.get(holder);
      if (slots === undefined) byHolder.set(holder, (slots = new Set()));
      slots.add(slot);
    },
  };
}

const originOf = (entity: { readonly origin?: Origin }) => (entity.origin === undefined ? {} : { origin: entity.origin });

function collectAws(workspace: AwsWorkspace, b: HoldingsBuilder): void {
  const members = new Map<string, number>();
  for (const principal of workspace.principals) for (const group of principal.groups) members.set(group, (members.get(group) ?? 0) + 1);
  const groups = new Map(workspace.groups.map((g) => [g.id, g] as const));
  const accounts = new Map(workspace.accounts.map((a) => [a.id, a] as const));

  for (const group of workspace.groups) {
    const reaches = (members.get(group.id) ?? 0) > 0;
    for (const policy of group.policies) b.use(policy, { kind: "group", by: group.id, reachesSomeone: reaches, ...originOf(group) });
  }
  for (const account of workspace.accounts) {
    for (const [kind, levels] of [["scp", account.scps], ["rcp", account.rcps]] as const) {
      for (const level of levels) for (const policy of level) b.use(policy, { kind, by: account.id, reachesSomeone: true, ...originOf(account) });
    }
  }
  for (const principal of workspace.principals) {
    const holder = `principal:${principal.id}`;
    const grant = (policy: string, kind: UseKind, slot: string) => {
      if (kind !== "group") b.use(policy, { kind, by: principal.id, reachesSomeone: true, ...originOf(principal) });
      b.hold(policy, holder, slot);
    };
    for (const policy of principal.policies) grant(policy, "identity", "identity");
    for (const id of principal.groups) for (const policy of groups.get(id)?.policies ?? []) grant(policy, "group", "identity");
    if (principal.boundary !== undefined) grant(principal.boundary, "boundary", "boundary");
    for (const policy of principal.sessionPolicies ?? []) grant(policy, "session", "session");
    // SCPs bind every principal of the account; RCPs bind the account's resources, whose
    // callers the manifest cannot enumerate, so they hold no holder here
    const account = principal.account === undefined ? undefined : accounts.get(principal.account);
    account?.scps.forEach((level, i) => level.forEach((policy) => b.hold(policy, holder, `scp[${i}]`)));
  }
  for (const resource of workspace.resources) {
    if (resource.policy === undefined) continue;
    b.use(resource.policy, { kind: "resource", by: resource.id, reachesSomeone: true, ...originOf(resource) });
    b.hold(resource.policy, `resource:${resource.id}`, "resource");
  }
}

function collectKrutrim(workspace: KrutrimWorkspace, b: HoldingsBuilder): void {
  const groupRoles = new Map(workspace.groups.map((g) => [g.id, g.roles] as const));
  const holdersOfRole = new Map<string, Set<string>>();
  for (const user of workspace.users) {
    const roles = [...user.roles, ...user.groups.flatMap((g) => groupRoles.get(g) ?? [])];
    for (const role of roles) {
      let users = holdersOfRole.get(role);
      if (users === undefined) holdersOfRole.set(role, (users = new Set()));
      users.add(`user:${user.id}`);
    }
  }
  for (const role of workspace.roles) {
    const users = holdersOfRole.get(role.id) ?? new Set<string>();
    for (const policy of role.policies) {
      b.use(policy, { kind: "role", by: role.id, reachesSomeone: users.size > 0, ...originOf(role) });
      // every role is one layer: any allow suffices, a deny anywhere wins
      for (const user of users) b.hold(policy, user, "role");
    }
  }
}

function collectCloudalus(workspace: CloudalusWorkspace, b: HoldingsBuilder): void {
  // a trust's policy binds only requests relying on that trust, a resource policy only requests
  // on that resource: each is its own holder
  for (const trust of workspace.trusts) {
    b.use(trust.policy, { kind: "trust", by: trust.id, reachesSomeone: true, ...originOf(trust) });
    b.hold(trust.policy, `trust:${trust.id}`, "trust");
  }
  for (const resource of workspace.resources) {
    if (resource.policy === undefined) continue;
    b.use(resource.policy, { kind: "resource", by: resource.id, reachesSomeone: true, ...originOf(resource) });
    b.hold(resource.policy, `resource:${resource.id}`, "resource");
  }
}
