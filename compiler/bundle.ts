// Stage: the decision table as a bundle payload (the wire shapes of runtime/format.ts).
import { encodeStatementSources, int32Bytes, type BundlePayload, type WireDimension, type WireSparseMaps, type WireStatementSource } from "../runtime/format.js";
import type { Automaton } from "./automaton.js";
import type { Condition, PrincipalRef, SourceDigest, Statement, Workspace } from "./ir.js";
import { slotNames } from "./specialize.js";
import type { DecisionTable, Dimension, SparseMap } from "./table.js";

export function tableToPayload(
  table: DecisionTable,
  compiler: string,
  workspace: Workspace,
  build?: BundlePayload["build"],
): BundlePayload {
  const sources = workspace.sources;
  const statementText = statementTexts(workspace);
  const automaton = (a: Automaton) => ({
    edgeStart: int32Bytes(a.edgeStart),
    edgeChar: int32Bytes(a.edgeChar),
    edgeTarget: int32Bytes(a.edgeTarget),
    otherTarget: int32Bytes(a.otherTarget),
    stateClass: int32Bytes(a.stateClass),
  });
  const dimension = (d: Dimension): WireDimension => ({
    main: automaton(d.main),
    mainBits: int32Bytes(d.mainBits),
    mainGroup: int32Bytes(d.mainGroup),
    wild: automaton(d.wild),
    wildBits: int32Bytes(d.wildBits),
    wildGroup: int32Bytes(d.wildGroup),
    wildKms: int32Bytes(d.wildKms),
    groupCount: d.groupCount,
    literals: d.literals,
  });
  const termStart = [0];
  const termBits: number[] = [];
  for (const perKind of table.terms) {
    for (const terms of perKind) {
      termBits.push(...terms);
      termStart.push(termBits.length);
    }
  }
  const openStart = [0];
  const open: number[] = [];
  const matchedStart = [0];
  const matched: number[] = [];
  for (const leaf of table.leaves) {
    for (const entry of leaf.open) open.push(...entry);
    openStart.push(open.length / 4);
    matched.push(...leaf.matched);
    matchedStart.push(matched.length);
  }
  return {
    model: table.model,
    compiler,
    sources: sources.map((s) => [s.file, s.sha256] as const),
    ...(build === undefined ? {} : { build }),
    slots: slotNames(table.model),
    accounts: table.accounts,
    groupCount: table.accounts.length + 2,
    actions: dimension(table.actions),
    resources: dimension(table.resources),
    principals: table.principals.map(([id]) => id),
    principalClass: int32Bytes(table.principals.map(([, c]) => c)),
    outsiderAccounts: table.accountClasses.map(([id]) => id),
    outsiderAccountClass: int32Bytes(table.accountClasses.map(([, c]) => c)),
    stranger: table.stranger,
    anonymous: table.anonymous,
    refused: table.refused,
    classes: {
      names: table.classes.map((c) => c.name),
      kind: int32Bytes(table.classes.map((c) => c.kind)),
      facts: table.classes.map((c) => c.facts.map(([k, v]) => [k, v] as const)),
      actions: sparseMaps(table.classes.map((c) => c.actions)),
    },
    kinds: table.kinds.map((k) => ({
      outsider: k.outsider, account: k.account ?? null, role: k.role, boundary: k.boundary, session: k.session, scpLevels: k.scpLevels,
    })),
    termStart: int32Bytes(termStart),
    termBits: int32Bytes(termBits),
    rows: sparseMaps(table.rows),
    leaves: {
      allow: int32Bytes(table.leaves.map((l) => l.allow)),
      deny: int32Bytes(table.leaves.map((l) => l.deny)),
      openStart: int32Bytes(openStart),
      open: int32Bytes(open),
      matchedStart: int32Bytes(matchedStart),
      matched: int32Bytes(matched),
    },
    predicates: table.predicates,
    provenance: {
      policy: table.provenance.map((p) => p.policy),
      sid: table.provenance.map((p) => p.sid ?? null),
      index: int32Bytes(table.provenance.map((p) => p.index)),
      layer: table.provenance.map((p) => p.layer),
      deny: int32Bytes(table.provenance.map((p) => (p.effect === "Deny" ? 1 : 0))),
      text: encodeStatementSources(table.provenance.map((p) => statementText(p.policy, p.index))),
    },
  };
}

function sparseMaps(maps: readonly SparseMap[]): WireSparseMaps {
  const start = [0];
  const defaultStart = [0];
  const main: number[] = [];
  const bits: number[] = [];
  const group: number[] = [];
  const values: number[] = [];
  const defaultBits: number[] = [];
  const defaultGroup: number[] = [];
  const defaultValues: number[] = [];
  for (const m of maps) {
    for (const [k, b, g, v] of m.explicit) { main.push(k); bits.push(b); group.push(g); values.push(v); }
    start.push(main.length);
    for (const [b, g, v] of m.defaults) { defaultBits.push(b); defaultGroup.push(g); defaultValues.push(v); }
    defaultStart.push(defaultBits.length);
  }
  return {
    mask: int32Bytes(maps.map((m) => m.mask)),
    start: int32Bytes(start),
    main: int32Bytes(main),
    bits: int32Bytes(bits),
    group: int32Bytes(group),
    values: int32Bytes(values),
    defaultStart: int32Bytes(defaultStart),
    defaultBits: int32Bytes(defaultBits),
    defaultGroup: int32Bytes(defaultGroup),
    defaultValues: int32Bytes(defaultValues),
  };
}

/**
 * Statements as written (their text, not their lowering), for explain and the analysis commands.
 * A cloudalus resource policy speaks of the resources it is attached to (its lowering says `*`):
 * their ids stand as its resources.
 */
function statementTexts(workspace: Workspace): (policy: string, index: number) => WireStatementSource {
  const attached = new Map<string, string[]>();
  if (workspace.model === "cloudalus") {
    for (const r of workspace.resources) if (r.policy !== undefined) attached.set(r.policy, [...(attached.get(r.policy) ?? []), r.id]);
  }
  return (policy, index) => {
    const statement = workspace.policies.get(policy)?.statements[index];
    const text = statementSource(statement, workspace.sources);
    const resources = attached.get(policy);
    return resources === undefined || statement?.principals === undefined ? text : [text[0], text[1], resources, false, text[4], text[5], text[6], text[7]];
  };
}

/** A statement as written (its text, not its lowering), for explain and the analysis commands. */
function statementSource(statement: Statement | undefined, sources: readonly SourceDigest[]): WireStatementSource {
  if (statement === undefined) return [[], false, [], false, null, false, [], null];
  const principal = (ref: PrincipalRef) => (ref.kind === "everyone" ? "*" : ref.kind === "account" ? ref.account : ref.id);
  return [
    statement.actions.patterns.map((p) => p.source), statement.actions.negated,
    statement.resources.patterns.map((p) => p.source), statement.resources.negated,
    statement.principals === undefined ? null : statement.principals.refs.map(principal), statement.principals?.negated ?? false,
    statement.conditions.map(conditionText),
    locationOf(statement, sources),
  ];
}

/** `ForAnyValue:StringLike aws:TagKeys a*, b*`: one condition, as a policy would write it. */
export function conditionText(c: Condition): string {
  const qualifier = c.qualifier === "none" ? "" : `${c.qualifier}:`;
  return `${qualifier}${c.operator}${c.ifExists ? "IfExists" : ""} ${c.key} ${c.values.map((v) => v.source).join(", ")}`;
}

/**
 * `policies/app.json:12:7`: where the statement is, with the file named as in `sources` (relative
 * to the manifest), so that bundles do not depend on where the workspace lies.
 */
function locationOf(statement: Statement, sources: readonly SourceDigest[]): string | null {
  const origin = statement.source.origin;
  if (origin === undefined) return null;
  const file = origin.file.split("\\").join("/");
  const named = sources.find((s) => file === s.file || file.endsWith(`/${s.file}`))?.file;
  if (named === undefined) return null;
  return origin.span === undefined ? `${named}#${origin.pointer}` : `${named}:${origin.span.line}:${origin.span.column}`;
}
