// The floor: the least work any engine could do for the standard workload. A Map lookup of the
// caller, a Map lookup of the action, then a walk over the resource's `/` segments through a trie
// of the deny patterns and one of the allow patterns that apply to that action. iamc's runtime is
// compared to this.
//
// It is built from the same manifest as every other engine, but it only understands what the
// standard workload uses: identity policies held by principals, Action and Resource as strings or
// lists, `*` (no `?`, no policy variables, no conditions). Actions are `*`, `service:*` or exact;
// they are compared as written (IAM compares them case-insensitively; iamc folds case, the floor
// does not). A `*` is taken not to cross a `/` except when it is a whole segment or ends or
// starts a segment (`a/*/b`, `bucket*/x`, `x/*y`), which is how IAM treats every pattern here.
// Anything else is refused at build time, so a floor row is never silently wrong.
import type { BenchRequest } from "../workloads.js";

// ---------------------------------------------------------------------------------------------
// The manifest, flattened. Shared by the Cedar and casbin translations.

/** One IAM statement of the standard workload, held by one principal. */
export interface FlatStatement {
  readonly principal: string;
  readonly policy: string;
  readonly effect: "Allow" | "Deny";
  readonly actions: readonly string[];
  readonly resources: readonly string[];
}

/** The decision every peer returns: Allow or not. */
export interface PeerEngine {
  readonly name: string;
  /** True when the request is allowed. */
  check(request: BenchRequest): boolean;
}

const SUPPORTED_KEYS = new Set(["Sid", "Effect", "Action", "Resource"]);

/** A manifest as the peer translations read it. */
interface PeerManifest {
  readonly policies?: { id: string; document: { Statement?: unknown } }[];
  readonly groups?: { id: string; policies?: string[] }[];
  readonly principals?: { id: string; policies?: string[]; groups?: string[] }[];
}

/**
 * The statements of an iamc manifest (as built by the bench workloads), one per principal that
 * holds them: a group's policies are identity policies of each member, flattened onto it.
 */
export function flattenManifest(manifest: unknown): FlatStatement[] {
  const m = manifest as PeerManifest;
  if (!Array.isArray(m.policies) || !Array.isArray(m.principals)) throw new Error("manifest has no policies or principals");
  const byId = new Map(m.policies.map((p) => [p.id, p]));
  const groupPolicies = new Map((m.groups ?? []).map((g) => [g.id, g.policies ?? []]));
  const out: FlatStatement[] = [];
  for (const principal of m.principals) {
    const held = [...(principal.policies ?? [])];
    for (const group of principal.groups ?? []) {
      const policies = groupPolicies.get(group);
      if (policies === undefined) throw new Error(`principal ${principal.id} is in unknown group ${group}`);
      held.push(...policies);
    }
    for (const policyId of held) out.push(...policyStatements(byId, policyId, principal.id));
  }
  return out;
}

/** Who holds what, for engines with roles or groups of their own: direct holders and groups apart. */
export interface Holdings {
  /** Statements of policies held directly, with their principal; of group policies, with the group id as principal. */
  readonly statements: readonly (FlatStatement & { readonly group: boolean })[];
  /** Principal id -> its groups. */
  readonly memberships: ReadonlyMap<string, readonly string[]>;
}

export function holdings(manifest: unknown): Holdings {
  const m = manifest as PeerManifest;
  if (!Array.isArray(m.policies) || !Array.isArray(m.principals)) throw new Error("manifest has no policies or principals");
  const byId = new Map(m.policies.map((p) => [p.id, p]));
  const statements: (FlatStatement & { group: boolean })[] = [];
  for (const principal of m.principals) {
    for (const policyId of principal.policies ?? []) statements.push(...policyStatements(byId, policyId, principal.id).map((s) => ({ ...s, group: false })));
  }
  const groups = new Set((m.groups ?? []).map((g) => g.id));
  for (const group of m.groups ?? []) {
    for (const policyId of group.policies ?? []) statements.push(...policyStatements(byId, policyId, group.id).map((s) => ({ ...s, group: true })));
  }
  const memberships = new Map<string, string[]>();
  for (const principal of m.principals) {
    for (const group of principal.groups ?? []) if (!groups.has(group)) throw new Error(`principal ${principal.id} is in unknown group ${group}`);
    memberships.set(principal.id, principal.groups ?? []);
  }
  return { statements, memberships };
}

/** One policy's statements as held by `holder`; refuses what the translations cannot say. */
function policyStatements(byId: ReadonlyMap<string, { document: { Statement?: unknown } }>, policyId: string, holder: string): FlatStatement[] {
  const policy = byId.get(policyId);
  if (policy === undefined) throw new Error(`${holder} holds unknown policy ${policyId}`);
  const raw = policy.document.Statement;
  const statements = (Array.isArray(raw) ? raw : [raw]) as Record<string, unknown>[];
  return statements.map((s) => {
    for (const key of Object.keys(s)) {
      if (!SUPPORTED_KEYS.has(key)) throw new Error(`statement element ${key} is not supported by the peer translations`);
    }
    if (s.Effect !== "Allow" && s.Effect !== "Deny") throw new Error(`bad Effect ${String(s.Effect)}`);
    const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : [String(v)]);
    const actions = list(s.Action);
    const resources = list(s.Resource);
    for (const text of [...actions, ...resources]) {
      if (text.includes("?") || text.includes("${")) throw new Error(`pattern ${text}: \`?\` and policy variables are not supported by the peer translations`);
    }
    return { principal: holder, policy: policyId, effect: s.Effect, actions, resources };
  });
}

/** How an action pattern matches: every action, every action of a service, or one action. */
export type ActionPattern = { readonly kind: "any" } | { readonly kind: "service"; readonly service: string } | { readonly kind: "exact"; readonly action: string };

export function parseActionPattern(pattern: string): ActionPattern {
  if (pattern === "*") return { kind: "any" };
  const star = pattern.indexOf("*");
  if (star === -1) return { kind: "exact", action: pattern };
  if (star === pattern.length - 1 && pattern.indexOf(":") === star - 1) return { kind: "service", service: pattern.slice(0, star - 1) };
  throw new Error(`action pattern ${pattern} is not supported by the peer translations (only *, service:* and exact)`);
}

export function actionMatches(pattern: ActionPattern, action: string): boolean {
  return pattern.kind === "any" || (pattern.kind === "exact" ? pattern.action === action : action.startsWith(pattern.service + ":"));
}

// ---------------------------------------------------------------------------------------------
// The segment trie.

interface TrieNode {
  /** Children by exact segment text. */
  readonly lit: Map<string, TrieNode>;
  /** Children by a segment glob (a `*` inside one segment). */
  readonly globs: { readonly re: RegExp; readonly node: TrieNode }[];
  /** Skip zero or more whole segments, then go on from this node. */
  gap: TrieNode | undefined;
  /** A pattern ends here: the resource may end here. */
  end: boolean;
  /** A pattern ends here with `/*`: whatever follows the `/` matches, even nothing. */
  rest: boolean;
}

function node(): TrieNode {
  return { lit: new Map(), globs: [], gap: undefined, end: false, rest: false };
}

/** A sticky regex for one segment: tested at a segment's start, it must end at the segment's end. */
function segmentRegex(segment: string): RegExp {
  return new RegExp(segment.split("*").map((s) => s.replace(/[.+^${}()|[\]\\?]/g, "\\$&")).join("[^/]*") + "(?=/|$)", "y");
}

function child(parent: TrieNode, segment: string): TrieNode {
  if (!segment.includes("*")) {
    let next = parent.lit.get(segment);
    if (next === undefined) parent.lit.set(segment, (next = node()));
    return next;
  }
  const source = segmentRegex(segment).source;
  const found = parent.globs.find((g) => g.re.source === source);
  if (found !== undefined) return found.node;
  const next = node();
  parent.globs.push({ re: new RegExp(source, "y"), node: next });
  return next;
}

function gapOf(parent: TrieNode): TrieNode {
  return (parent.gap ??= node());
}

/** Adds an IAM resource pattern to the trie. */
function insert(root: TrieNode, pattern: string): void {
  if (pattern === "*") {
    // Matches every resource: the root "rests" on an empty prefix. Express it as: any first
    // segment, then anything.
    const any = child(root, "*");
    any.end = true;
    any.rest = true;
    return;
  }
  const segments = pattern.split("/");
  let at = root;
  for (let j = 0; j < segments.length; j++) {
    const segment = segments[j]!;
    const last = j === segments.length - 1;
    if (last && segment === "*" && j > 0) {
      at.rest = true;
      return;
    }
    if (segment.includes("*") && segment !== "*" && !segment.startsWith("*") && !segment.endsWith("*")) {
      throw new Error(`resource pattern ${pattern}: a \`*\` only in the middle of a segment is not supported by the floor`);
    }
    // A leading `*` may also eat whole segments before it; a trailing one, whole segments after.
    if (segment.startsWith("*") && segment !== "*") at = gapOf(at);
    at = child(at, segment);
    if (segment.endsWith("*")) {
      if (last) {
        at.end = true;
        at.rest = true;
        return;
      }
      at = gapOf(at);
    }
  }
  at.end = true;
}

/** Does the resource, from segment start `pos`, match a pattern continuing at `at`? */
function walk(at: TrieNode, text: string, pos: number): boolean {
  let end = text.indexOf("/", pos);
  if (end === -1) end = text.length;
  if (at.lit.size > 0) {
    const next = at.lit.get(text.slice(pos, end));
    if (next !== undefined && after(next, text, end)) return true;
  }
  for (const g of at.globs) {
    g.re.lastIndex = pos;
    if (g.re.test(text) && after(g.node, text, end)) return true;
  }
  if (at.gap !== undefined) {
    // Skip k >= 0 segments.
    let p = pos;
    for (;;) {
      if ((at.gap.rest && p > 0) || walk(at.gap, text, p)) return true;
      const slash = text.indexOf("/", p);
      if (slash === -1) return false;
      p = slash + 1;
    }
  }
  return false;
}

function after(at: TrieNode, text: string, end: number): boolean {
  if (end === text.length) return at.end;
  return at.rest || walk(at, text, end + 1);
}

interface ActionEntry {
  readonly allow: TrieNode;
  readonly deny: TrieNode | undefined;
}

/** The floor engine over a manifest. */
export function setupFloor(manifest: unknown): PeerEngine {
  const statements = flattenManifest(manifest);
  const byPrincipal = new Map<string, Map<string, ActionEntry>>();
  const principals = new Set(statements.map((s) => s.principal));
  for (const principal of principals) {
    const mine = statements.filter((s) => s.principal === principal);
    const denies = mine.filter((s) => s.effect === "Deny").map((s) => ({ actions: s.actions.map(parseActionPattern), resources: s.resources }));
    // Allows keyed by exact action. An allow on `*` or `service:*` would need the allow trie to be
    // looked up by service too; the standard workload has none, so the floor refuses them.
    const allows = new Map<string, TrieNode>();
    for (const s of mine) {
      if (s.effect !== "Allow") continue;
      for (const a of s.actions) {
        const pattern = parseActionPattern(a);
        if (pattern.kind !== "exact") throw new Error(`floor: allow on ${a} is not supported (allows must name exact actions)`);
        let root = allows.get(a);
        if (root === undefined) allows.set(a, (root = node()));
        for (const r of s.resources) insert(root, r);
      }
    }
    // One deny trie per distinct set of deny statements that apply to an action, shared.
    const denyTries = new Map<string, TrieNode | undefined>();
    const entries = new Map<string, ActionEntry>();
    for (const [action, allow] of allows) {
      const applying = denies.flatMap((d, i) => (d.actions.some((p) => actionMatches(p, action)) ? [i] : []));
      const key = applying.join(",");
      if (!denyTries.has(key)) {
        let root: TrieNode | undefined;
        for (const i of applying) for (const r of denies[i]!.resources) insert((root ??= node()), r);
        denyTries.set(key, root);
      }
      entries.set(action, { allow, deny: denyTries.get(key) });
    }
    byPrincipal.set(principal, entries);
  }
  return {
    name: "floor (Map + segment trie)",
    check(request: BenchRequest): boolean {
      const entry = byPrincipal.get(request.principal)?.get(request.action);
      if (entry === undefined) return false;
      if (entry.deny !== undefined && walk(entry.deny, request.resource, 0)) return false;
      return walk(entry.allow, request.resource, 0);
    },
  };
}
