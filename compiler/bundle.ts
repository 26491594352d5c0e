// Stage: the decision table as a bundle payload (the wire shapes of runtime/format.ts).
import { int32Bytes, type BundlePayload, type WireSparseMaps } from "../runtime/format.js";
import type { Automaton } from "./automaton.js";
import type { SourceDigest } from "./ir.js";
import { SLOT_NAMES } from "./specialize.js";
import type { DecisionTable, SparseMap } from "./table.js";

export function tableToPayload(table: DecisionTable, compiler: string, sources: readonly SourceDigest[]): BundlePayload {
  const automaton = (a: Automaton, broad: Int32Array) => ({
    edgeStart: int32Bytes(a.edgeStart),
    edgeChar: int32Bytes(a.edgeChar),
    edgeTarget: int32Bytes(a.edgeTarget),
    otherTarget: int32Bytes(a.otherTarget),
    stateClass: int32Bytes(a.stateClass),
    broad: int32Bytes(broad),
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
    model: "aws",
    compiler,
    sources: sources.map((s) => [s.file, s.sha256] as const),
    slots: SLOT_NAMES,
    accounts: table.accounts,
    groupCount: table.accounts.length + 2,
    actions: automaton(table.actionAutomaton, table.actionBroad),
    resources: {
      ...automaton(table.resourceAutomaton, table.resourceBroad),
      group: int32Bytes(table.resourceGroup),
      kms: int32Bytes(table.resourceKms),
    },
    principals: table.principals.map(([id]) => id),
    principalClass: int32Bytes(table.principals.map(([, c]) => c)),
    outsiderAccounts: table.accountClasses.map(([id]) => id),
    outsiderAccountClass: int32Bytes(table.accountClasses.map(([, c]) => c)),
    stranger: table.stranger,
    anonymous: table.anonymous,
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
    },
  };
}

function sparseMaps(maps: readonly SparseMap[]): WireSparseMaps {
  const start = [0];
  const defaultStart = [0];
  const keys: number[] = [];
  const values: number[] = [];
  const defaultKeys: number[] = [];
  const defaultValues: number[] = [];
  for (const m of maps) {
    for (let i = 0; i < m.keys.length; i++) { keys.push(m.keys[i]!); values.push(m.values[i]!); }
    start.push(keys.length);
    for (let i = 0; i < m.defaultKeys.length; i++) { defaultKeys.push(m.defaultKeys[i]!); defaultValues.push(m.defaultValues[i]!); }
    defaultStart.push(defaultKeys.length);
  }
  return {
    mask: int32Bytes(maps.map((m) => m.mask)),
    start: int32Bytes(start),
    keys: int32Bytes(keys),
    values: int32Bytes(values),
    defaultStart: int32Bytes(defaultStart),
    defaultKeys: int32Bytes(defaultKeys),
    defaultValues: int32Bytes(defaultValues),
  };
}
