// Stage: specialize the workspace per caller. For every principal the manifest lists, and for
// every kind of outside caller, collect the statements that can apply to it, with what the
// manifest knows about it (ARN, account, user name, tags) substituted into policy variables and
// decided in conditions. Callers whose specialized statements coincide form one class and share
// one decision table.
import type {
  AwsPrincipal, AwsWorkspace, CloudalusWorkspace, Condition, ContextValue, Effect, KrutrimWorkspace, PatternSet, PrincipalRef, Statement,
  StatementSource, Template, TemplatePart, Workspace,
} from "./ir.js";
import { adoptionKey } from "../runtime/wire.js";
import { InternalError } from "./diagnostics.js";
import { evaluateCondition } from "./reference/conditions.js";
import { isAccessKeyId } from "./cloudalus-names.js";
import { accountOfArn, isRoleArn, userNameOfArn } from "./aws-names.js";

// Bits of a leaf's verdict masks: one per layer (and per kind of resource-policy grant).
export const SLOT_IDENTITY = 0;
export const SLOT_BOUNDARY = 1;
export const SLOT_SESSION = 2;
export const SLOT_GRANT_EVERYONE = 3;
export const SLOT_GRANT_DIRECT = 4;
export const SLOT_GRANT_ACCOUNT = 5;
export const SLOT_SCP = 6;
export const MAX_LEVELS = 12;
export const SLOT_RCP = SLOT_SCP + MAX_LEVELS;
export const SLOT_NAMES: readonly string[] = [
  "identity", "boundary", "session", "resource", "resource", "resource",
  ...Array.from({ length: MAX_LEVELS }, (_, i) => `scp[${i}]`),
  ...Array.from({ length: MAX_LEVELS }, (_, i) => `rcp[${i}]`),
];

/** cloudalus: the resource check's slot, then one slot per trust relied on. */
export const SLOT_CLOUDALUS_RESOURCE = 0;
export const MAX_TRUSTS = 29;

/** The layer names of a model's slots, as explain shows them. */
export function slotNames(model: Workspace["model"]): readonly string[] {
  if (model === "krutrim") return ["roles"];
  if (model === "cloudalus") return ["resource", ...Array.from({ length: MAX_TRUSTS }, (_, i) => `trust ${i + 1}`)];
  return SLOT_NAMES;
}

/** What a statement's resource match is limited to, beyond its own patterns. */
export type Scope =
  | { readonly kind: "any" }
  /** A resource policy: only resources governed by this `resources` entry. */
  | { readonly kind: "entry"; readonly entry: string }
  /** An RCP: only resources of this account. */
  | { readonly kind: "account"; readonly account: string };

/** A statement as it applies to one class of callers. */
export interface SpecializedStatement {
  readonly effect: Effect;
  readonly slot: number;
  readonly layer: string;
  readonly actions: PatternSet;
  /** Resource patterns with every variable the class knows substituted. */
  readonly resources: PatternSet;
  readonly scope: Scope;
  /** Conditions still open: they depend on the request. */
  readonly conditions: readonly Condition[];
  readonly source: StatementSource;
}

/** What the combination of layers depends on, per class of callers. */
export interface CallerKind {
  /**
   * The combination terms, when the model gives them as data (krutrim: the roles' layer must
   * allow). Absent for AWS, whose terms depend on accounts and resource groups (combinationTerms).
   */
  readonly terms?: readonly number[];
  /** With `terms`: the terms instead for resources of the caller's own group (`account`): cloudalus owners. */
  readonly ownTerms?: readonly number[];
  readonly outsider: boolean;
  readonly account?: string;
  readonly role: boolean;
  readonly boundary: boolean;
  readonly session: boolean;
  readonly scpLevels: number;
}

export interface CallerClass {
  /** The principal ids of the class (empty for outsider classes matched by account or not at all). */
  readonly members: string[];
  readonly name: string;
  readonly kind: CallerKind;
  /**
   * Principal-derived keys that open conditions read, with the manifest's value (null = known
   * absent). Part of the class identity, since they differ between principals.
   */
  readonly facts: readonly (readonly [string, ContextValue | null])[];
  readonly statements: readonly SpecializedStatement[];
}

/** How outside callers map onto classes. */
export interface CallerClasses {
  readonly classes: readonly CallerClass[];
  /** Principal id -> class (manifest principals and outsiders named by resource policies). */
  readonly byPrincipal: ReadonlyMap<string, number>;
  /** Account id -> class of an unnamed caller from that account. */
  readonly byAccount: ReadonlyMap<string, number>;
  /** An authenticated caller nothing names. */
  readonly stranger: number;
  /** `"principal": null`. */
  readonly anonymous: number;
  /** cloudalus: a request adopting an identity, or relying on trusts, that the workspace does not back. */
  readonly refused?: number;
}

/** Everything the manifest knows about a caller, as condition keys (lower-cased). */
interface CallerFacts {
  /** The value of an authoritative key (null = known absent), or undefined when the request decides. */
  readonly known: (lowerKey: string) => ContextValue | null | undefined;
}

const NO_FACTS: CallerFacts = { known: () => undefined };

function principalFacts(principal: AwsPrincipal): CallerFacts {
  const userName = userNameOfArn(principal.id);
  const tags = new Map(Object.entries(principal.tags).map(([k, v]) => [k.toLowerCase(), v]));
  return {
    known: (key) => {
      if (key === "aws:principalarn") return principal.id;
      if (key === "aws:principalaccount") return principal.account;
      if (key === "aws:username") return userName;
      if (key.startsWith("aws:principaltag/")) return tags.get(key.slice("aws:principaltag/".length)) ?? null;
      return undefined;
    },
  };
}

/** Groups every caller into classes and specializes their statements. */
export function specializeCallers(ws: Workspace): CallerClasses {
  if (ws.model === "krutrim") return specializeKrutrim(ws);
  if (ws.model === "cloudalus") return specializeCloudalus(ws);
  return specializeAws(ws);
}

/**
 * The classes of a model's callers. A class is known by its kind, facts and statements, each
 * statement by the short key the collector gives it (StatementCollector.keys): one JSON text of
 * all of a class's statements would pass V8's longest string at a million statements. A caller
 * whose class exists joins its members.
 */
function classRegistry(): { classes: CallerClass[]; add: (candidate: CallerClass, keys: readonly string[]) => number } {
  const classes: CallerClass[] = [];
  const classKeys = new Map<string, number>();
  const add = (candidate: CallerClass, keys: readonly string[]): number => {
    const key = `${JSON.stringify([candidate.kind, candidate.facts])}|${keys.join(",")}`;
    let id = classKeys.get(key);
    if (id === undefined) {
      classKeys.set(key, (id = classes.length));
      classes.push(candidate);
    } else {
      classes[id]!.members.push(...candidate.members);
    }
    return id;
  };
  return { classes, add };
}

function specializeAws(ws: AwsWorkspace): CallerClasses {
  const { classes, add } = classRegistry();
  const ids: StatementIds = new Map();
  const addClass = (candidate: CallerClass & { readonly keys: readonly string[] }): number => {
    const { keys, ...cls } = candidate;
    return add(cls, keys);
  };

  const byPrincipal = new Map<string, number>();
  for (const principal of ws.principals) {
    byPrincipal.set(principal.id, addClass(specializePrincipal(ws, principal, ids)));
  }

  // Outside callers: those named by resource policies, those from a named account, the rest.
  const namedIds = new Set<string>();
  const namedAccounts = new Set<string>();
  for (const id of resourceSidePolicyIds(ws)) {
    for (const statement of ws.policies.get(id)?.statements ?? []) {
      for (const ref of statement.principals?.refs ?? []) {
        if (ref.kind === "principal" && !byPrincipal.has(ref.id)) namedIds.add(ref.id);
        if (ref.kind === "account") namedAccounts.add(ref.account);
      }
    }
  }
  for (const id of [...namedIds].sort()) {
    byPrincipal.set(id, addClass(specializeOutsider(ws, id, accountOfArn(id), id, ids)));
  }
  // Every manifest account gets an outsider class too: its RCPs reach callers from it.
  for (const org of ws.accounts) namedAccounts.add(org.id);
  const byAccount = new Map<string, number>();
  for (const account of [...namedAccounts].sort()) {
    byAccount.set(account, addClass(specializeOutsider(ws, UNNAMED, account, `outside caller from ${account}`, ids)));
  }
  const stranger = addClass(specializeOutsider(ws, UNNAMED, undefined, "outside caller", ids));
  const anonymous = addClass(specializeOutsider(ws, null, undefined, "unauthenticated caller", ids));
  return { classes, byPrincipal, byAccount, stranger, anonymous };
}

/** A caller with an id no resource policy names. */
const UNNAMED = Symbol("unnamed caller");
type CallerId = string | null | typeof UNNAMED;

function resourceSidePolicyIds(ws: AwsWorkspace): string[] {
  const ids = ws.resources.flatMap((r) => (r.policy === undefined ? [] : [r.policy]));
  for (const account of ws.accounts) for (const level of account.rcps) ids.push(...level);
  return [...new Set(ids)];
}

function specializePrincipal(ws: AwsWorkspace, principal: AwsPrincipal, ids: StatementIds): CallerClass & { readonly keys: readonly string[] } {
  const facts = principalFacts(principal);
  const out = new StatementCollector(facts, ids);
  const groupPolicies = principal.groups.flatMap((g) => ws.groups.find((x) => x.id === g)?.policies ?? []);
  const identity = [...new Set([...principal.policies, ...groupPolicies])];
  const statementsOf = (ids: readonly string[]) => ids.flatMap((id) => ws.policies.get(id)?.statements ?? []);
  out.addAll(statementsOf(identity), SLOT_IDENTITY, "identity", { kind: "any" });
  if (principal.boundary !== undefined) out.addAll(statementsOf([principal.boundary]), SLOT_BOUNDARY, "boundary", { kind: "any" });
  // A role session given no session policy keeps the role's permissions; a federated user's
  // session without one has none.
  const inSession = principal.sessionPolicies !== undefined && (principal.sessionPolicies.length > 0 || !isRoleArn(principal.id));
  if (inSession) out.addAll(statementsOf(principal.sessionPolicies ?? []), SLOT_SESSION, "session", { kind: "any" });
  const account = ws.accounts.find((a) => a.id === principal.account);
  account?.scps.forEach((level, i) => out.addAll(statementsOf(level), SLOT_SCP + i, `scp[${i}]`, { kind: "any" }));
  addResourceSide(ws, out, principal.id, principal.account, principal.boundary !== undefined);
  return {
    members: [principal.id],
    name: principal.id,
    kind: {
      outsider: false,
      ...(principal.account === undefined ? {} : { account: principal.account }),
      role: isRoleArn(principal.id),
      boundary: principal.boundary !== undefined,
      session: inSession,
      scpLevels: account?.scps.length ?? 0,
    },
    facts: out.factsUsed(),
    statements: out.statements,
    keys: out.keys,
  };
}

function specializeOutsider(ws: AwsWorkspace, id: CallerId, account: string | undefined, name: string, ids: StatementIds): CallerClass & { readonly keys: readonly string[] } {
  const out = new StatementCollector(NO_FACTS, ids);
  addResourceSide(ws, out, id, account, false);
  return {
    members: typeof id === "string" ? [id] : [],
    name,
    kind: { outsider: true, ...(account === undefined ? {} : { account }), role: false, boundary: false, session: false, scpLevels: 0 },
    facts: [],
    statements: out.statements,
    keys: out.keys,
  };
}

/** Resource policies and RCPs, keeping only the statements that name this caller. */
function addResourceSide(ws: AwsWorkspace, out: StatementCollector, id: CallerId, account: string | undefined, hasBoundary: boolean): void {
  for (const resource of ws.resources) {
    if (resource.policy === undefined) continue;
    for (const statement of ws.policies.get(resource.policy)?.statements ?? []) {
      const grant = principalGrant(statement, id, account, hasBoundary);
      if (grant === undefined) continue;
      out.add(statement, grant, "resource", { kind: "entry", entry: resource.id });
    }
  }
  for (const org of ws.accounts) {
    org.rcps.forEach((level, i) => {
      for (const policyId of level) {
        for (const statement of ws.policies.get(policyId)?.statements ?? []) {
          if (principalGrant(statement, id, account, hasBoundary) === undefined) continue;
          out.add(statement, SLOT_RCP + i, `rcp[${i}]`, { kind: "account", account: org.id });
        }
      }
    });
  }
}

/** The slot of a resource-policy statement for this caller, or undefined when it does not apply. */
function principalGrant(statement: Statement, id: CallerId, account: string | undefined, hasBoundary: boolean): number | undefined {
  const set = statement.principals;
  if (set === undefined) return undefined;
  if (set.negated) {
    // AWS: a Deny with NotPrincipal always applies to a principal that has a permissions boundary.
    if (statement.effect === "Deny" && hasBoundary) return SLOT_GRANT_EVERYONE;
    // NotPrincipal lists exact principals; an account entry stands for the account's root only.
    const excluded = set.refs.some((ref) =>
      ref.kind === "everyone" || (typeof id === "string" && (ref.kind === "principal" ? ref.id === id : id === `arn:aws:iam::${ref.account}:root`)));
    return excluded ? undefined : SLOT_GRANT_EVERYONE;
  }
  const slots = set.refs.map((ref) => refSlot(ref, id, account)).filter((s) => s !== undefined);
  if (slots.includes(SLOT_GRANT_EVERYONE)) return SLOT_GRANT_EVERYONE;
  if (slots.includes(SLOT_GRANT_DIRECT)) return SLOT_GRANT_DIRECT;
  return slots.includes(SLOT_GRANT_ACCOUNT) ? SLOT_GRANT_ACCOUNT : undefined;
}

function refSlot(ref: PrincipalRef, id: CallerId, account: string | undefined): number | undefined {
  switch (ref.kind) {
    case "everyone": return SLOT_GRANT_EVERYONE;
    case "principal": return typeof id === "string" && ref.id === id ? SLOT_GRANT_DIRECT : undefined;
    case "account": return id !== null && account === ref.account ? SLOT_GRANT_ACCOUNT : undefined;
  }
}

/** Specializes statements against what is known of the caller, remembering the facts it read. */
// ---------------------------------------------------------------------------------------------
// Krutrim: policies act only through roles; a user holds its own roles and its groups' roles.
// Every statement a user reaches is in one layer, the roles (slot 0); deny anywhere wins, and an
// allow in that layer suffices: the one combination term is that slot's bit, given as data.

const KRUTRIM_KIND: CallerKind = {
  terms: [1 << SLOT_IDENTITY], outsider: false, role: false, boundary: false, session: false, scpLevels: 0,
};
const KRUTRIM_NOBODY: CallerKind = { ...KRUTRIM_KIND, outsider: true };

function specializeKrutrim(ws: KrutrimWorkspace): CallerClasses {
  const { classes, add: addClass } = classRegistry();
  const ids: StatementIds = new Map();
  const roles = new Map(ws.roles.map((r) => [r.id, r]));
  const groups = new Map(ws.groups.map((g) => [g.id, g]));
  const byPrincipal = new Map<string, number>();
  for (const user of ws.users) {
    const out = new StatementCollector(NO_FACTS, ids);
    // Where each grant comes through, named in its layer: `role R` or `role R via group G`.
    const through: [string, string][] = user.roles.map((role) => [role, `role ${role}`]);
    for (const group of user.groups) for (const role of groups.get(group)?.roles ?? []) through.push([role, `role ${role} via group ${group}`]);
    for (const [roleId, layer] of through) {
      for (const policyId of roles.get(roleId)?.policies ?? []) {
        out.addAll(ws.policies.get(policyId)?.statements ?? [], SLOT_IDENTITY, layer, { kind: "any" });
      }
    }
    byPrincipal.set(user.id, addClass({ members: [user.id], name: user.id, kind: KRUTRIM_KIND, facts: [], statements: out.statements }, out.keys));
  }
  const nobody = (name: string) => addClass({ members: [], name, kind: KRUTRIM_NOBODY, facts: [], statements: [] }, []);
  const stranger = nobody("unknown caller");
  const anonymous = nobody("unauthenticated caller");
  return { classes, byPrincipal, byAccount: new Map(), stranger, anonymous };
}

// ---------------------------------------------------------------------------------------------
// Cloudalus: a request names a caller, the identity it adopts and the trusts it relies on. Each
// valid (caller, identity, trusts) is a class: the trusts' policies in one slot each (all must
// allow), the resource-policy statements that admit the identity in the resource slot, and the
// identity as the class's "account", so that resources it owns form its own group. Terms, as
// data: own resources need every trust; others need every trust and the resource slot.

function specializeCloudalus(ws: CloudalusWorkspace): CallerClasses {
  const { classes, add: addClass } = classRegistry();
  const ids: StatementIds = new Map();
  const bit = (slot: number) => 1 << slot;
  /**
   * The class of a caller `name` adopting `identity` (undefined: unauthenticated) relying on
   * `trusts`; `owns`: whether the identity passes the resource check on what it owns (an outside
   * caller, one the manifest does not list, owns nothing).
   */
  const situation = (name: string, identity: string | undefined, trusts: readonly CloudalusWorkspace["trusts"][number][], owns = true): number => {
    const out = new StatementCollector(NO_FACTS, ids);
    trusts.forEach((trust, i) => {
      out.addAll(ws.policies.get(trust.policy)?.statements ?? [], SLOT_CLOUDALUS_RESOURCE + 1 + i, `trust ${trust.id}`, { kind: "any" });
    });
    for (const resource of ws.resources) {
      if (resource.policy === undefined) continue;
      for (const statement of ws.policies.get(resource.policy)?.statements ?? []) {
        const admits = statement.principals?.refs.some((ref) => ref.kind === "everyone" || (identity !== undefined && ref.kind === "principal" && ref.id === identity));
        if (admits === true) out.add(statement, SLOT_CLOUDALUS_RESOURCE, "resource", { kind: "entry", entry: resource.id });
      }
    }
    const trustBits = trusts.reduce((bits, _, i) => bits | bit(SLOT_CLOUDALUS_RESOURCE + 1 + i), 0);
    const kind: CallerKind = {
      terms: [trustBits | bit(SLOT_CLOUDALUS_RESOURCE)],
      ...(identity === undefined || !owns ? {} : { ownTerms: [trustBits], account: identity }),
      outsider: identity === undefined || !owns, role: false, boundary: false, session: false, scpLevels: 0,
    };
    return addClass({ members: [], name, kind, facts: [], statements: out.statements }, out.keys);
  };

  const byPrincipal = new Map<string, number>();
  for (const principal of ws.principals) {
    const names = [principal.id, ...ws.accessKeys.filter((k) => k.identity === principal.id).map((k) => k.id)];
    const self = situation(principal.id, principal.id, []);
    // Trusts naming this principal as trustee, by the identity they lend.
    const lent = new Map<string, CloudalusWorkspace["trusts"][number][]>();
    for (const trust of [...ws.trusts].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))) {
      if (trust.trustee !== principal.id) continue;
      (lent.get(trust.identity) ?? lent.set(trust.identity, []).get(trust.identity)!).push(trust);
    }
    const adoptions: [string | undefined, readonly string[] | undefined, number][] = [
      [principal.id, undefined, self], [principal.id, [], self], [undefined, [], self],
    ];
    for (const [identity, trusts] of lent) {
      if (trusts.length > MAX_TRUSTS) throw new InternalError(`more than ${MAX_TRUSTS} trusts from ${identity} to ${principal.id}`);
      const all = situation(`${principal.id} as ${identity}`, identity, trusts);
      if (identity !== principal.id) adoptions.push([identity, undefined, all]);
      // every non-empty subset the request may name in `via` (all of them, for up to 6 trusts)
      const subsets = trusts.length <= 6 ? nonEmptySubsets(trusts) : [...trusts.map((t) => [t]), trusts];
      for (const subset of subsets) {
        const cls = subset.length === trusts.length ? all : situation(`${principal.id} as ${identity} via ${subset.map((t) => t.id).join(", ")}`, identity, subset);
        adoptions.push([identity, subset.map((t) => t.id), cls]);
        // a trust a principal holds from itself may also be named without naming the identity
        if (identity === principal.id) adoptions.push([undefined, subset.map((t) => t.id), cls]);
      }
    }
    for (const name of names) {
      byPrincipal.set(name, self);
      classes[self]!.members.push(name);
      for (const [identity, via, cls] of adoptions) byPrincipal.set(adoptionKey(name, identity, via), cls);
    }
  }
  // Outside callers (unlisted principals, not access keys) that a resource policy names: they act
  // as themselves, and only statements naming them (or `*`) apply. Others are like the
  // unauthenticated caller: only `*` applies.
  const listed = new Set([...ws.principals.map((p) => p.id), ...ws.accessKeys.map((k) => k.id)]);
  const named = new Set<string>();
  for (const resource of ws.resources) {
    for (const statement of resource.policy === undefined ? [] : ws.policies.get(resource.policy)?.statements ?? []) {
      for (const ref of statement.principals?.refs ?? []) if (ref.kind === "principal" && !listed.has(ref.id) && !isAccessKeyId(ref.id)) named.add(ref.id);
    }
  }
  for (const id of [...named].sort()) byPrincipal.set(id, situation(id, id, [], false));
  const anonymous = situation("unauthenticated caller", undefined, []);
  // A request whose identity or trusts the workspace does not back: nothing applies.
  const refused = addClass({ members: [], name: "caller adopting an identity no trust backs", kind: { terms: [], outsider: true, role: false, boundary: false, session: false, scpLevels: 0 }, facts: [], statements: [] }, ["refused"]);
  return { classes, byPrincipal, byAccount: new Map(), stranger: anonymous, anonymous, refused };
}

function nonEmptySubsets<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let mask = 1; mask < 1 << items.length; mask++) out.push(items.filter((_, i) => (mask & (1 << i)) !== 0));
  return out;
}

/**
 * Ids of workspace statements by identity, for the keys of statements specialization left as they
 * were. One per compile, dropped with it: a module-level WeakMap kept a million entries alive that
 * every later full collection had to trace as ephemerons.
 */
type StatementIds = Map<Statement, number>;

class StatementCollector {
  readonly statements: SpecializedStatement[] = [];
  /**
   * Per statement, a key equal for equal specialized statements: the source statement's identity
   * with slot, layer and scope when specialization changed nothing in it (the common case, and
   * cheap), else its JSON text.
   */
  readonly keys: string[] = [];
  private readonly used = new Map<string, ContextValue | null>();
  /**
   * The key's tail for the last (slot, layer, scope) added: callers add runs of statements with
   * the same ones (addAll), and a JSON text of the scope per statement was about half the time
   * of adding one.
   */
  private lastPlace: { readonly slot: number; readonly layer: string; readonly scope: Scope; readonly tail: string } | undefined;

  constructor(private readonly facts: CallerFacts, private readonly ids: StatementIds) {}

  private idOf(statement: Statement): number {
    let id = this.ids.get(statement);
    if (id === undefined) this.ids.set(statement, (id = this.ids.size));
    return id;
  }

  addAll(statements: readonly Statement[], slot: number, layer: string, scope: Scope): void {
    for (const statement of statements) this.add(statement, slot, layer, scope);
  }

  add(statement: Statement, slot: number, layer: string, scope: Scope): void {
    const conditions: Condition[] = [];
    for (const condition of statement.conditions) {
      const decided = this.decide(condition);
      if (decided === false) return; // can never hold for this caller: the statement never applies
      if (decided === undefined) conditions.push(this.substituteCondition(condition));
    }
    const patterns = this.substituteAll(statement.resources.patterns);
    const samePatterns = patterns === statement.resources.patterns;
    const sameConditions = conditions.length === statement.conditions.length && conditions.every((c, i) => c === statement.conditions[i]);
    // What specialization left as it was is shared with the statement, not copied: at 100,000
    // statements the copies were 26 MB of live heap, traced by every full collection.
    const specialized: SpecializedStatement = {
      effect: statement.effect,
      slot,
      layer,
      actions: statement.actions,
      resources: samePatterns ? statement.resources : { negated: statement.resources.negated, patterns },
      scope,
      conditions: sameConditions ? statement.conditions : conditions,
      source: statement.source,
    };
    const unchanged = samePatterns && sameConditions;
    this.statements.push(specialized);
    this.keys.push(unchanged ? `#${this.idOf(statement)}${this.placeKey(slot, layer, scope)}` : JSON.stringify(specialized));
  }

  /** `/slot/layer/scope as JSON`: the part of an unchanged statement's key that says where it was added. */
  private placeKey(slot: number, layer: string, scope: Scope): string {
    const last = this.lastPlace;
    if (last !== undefined && last.slot === slot && last.layer === layer && last.scope === scope) return last.tail;
    const tail = `/${slot}/${layer}/${JSON.stringify(scope)}`;
    this.lastPlace = { slot, layer, scope, tail };
    return tail;
  }

  factsUsed(): (readonly [string, ContextValue | null])[] {
    return [...this.used].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  }

  private known(key: string): ContextValue | null | undefined {
    return this.facts.known(key.toLowerCase());
  }

  /** true / false when the condition is decided by what the manifest knows, else undefined. */
  private decide(condition: Condition): boolean | undefined {
    if (this.known(condition.key) === undefined) {
      // The key is the request's; remember nothing.
      return undefined;
    }
    const variablesKnown = condition.values.every((v) => v.parts.every((p) => p.kind !== "variable" || this.known(p.key) !== undefined));
    if (!variablesKnown) {
      this.used.set(condition.key.toLowerCase(), this.known(condition.key)!);
      return undefined;
    }
    return evaluateCondition(condition, (key) => this.known(key) ?? undefined);
  }

  /** The condition with the known variables substituted; the same object when there are none. */
  private substituteCondition(condition: Condition): Condition {
    const values = this.substituteAll(condition.values);
    return values === condition.values ? condition : { ...condition, values };
  }

  /**
   * Replaces the variables the manifest knows by their (literal) values. A value whose variable
   * is known to be absent (and has no fallback) matches nothing, so it is dropped. `templates`
   * itself when nothing changes (most statements): no copy to keep per statement and class.
   */
  private substituteAll(templates: readonly Template[]): readonly Template[] {
    let out: Template[] | undefined;
    for (let i = 0; i < templates.length; i++) {
      const template = templates[i]!;
      const substituted = this.substitute(template);
      if (out === undefined) {
        if (substituted === template) continue;
        out = templates.slice(0, i);
      }
      if (substituted !== undefined) out.push(substituted);
    }
    return out ?? templates;
  }

  private substitute(template: Template): Template | undefined {
    if (!template.parts.some((p) => p.kind === "variable" && this.known(p.key) !== undefined)) return template;
    const parts: TemplatePart[] = [];
    for (const part of template.parts) {
      if (part.kind !== "variable") { parts.push(part); continue; }
      const value = this.known(part.key);
      if (value === undefined) { parts.push(part); continue; }
      const text = value === null || Array.isArray(value) ? part.fallback : String(value);
      if (text === undefined) return undefined;
      parts.push({ kind: "literal", text });
    }
    return { source: template.source, parts };
  }
}
