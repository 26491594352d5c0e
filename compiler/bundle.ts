// Stage: the decision table as a bundle payload (the wire shapes of runtime/format.ts), in the
// load-ready layout of runtime/wire.ts: every table the runtime reads is derived here, once, so
// that loading a bundle only checks it.
import {
  SPELLINGS_MAX, automatonTable, int32Bytes,
  type AutomatonTable, type BundlePayload, type DimensionName, type PayloadTables, type TableName, type WireDimension, type WireStatementSource,
} from "../runtime/format.js";
import { encodeStatementSources } from "./encode-bundle.js";
import { layoutPackedSparseMaps } from "./layout-sparse-maps.js";
import { AUX, LEAF, L_ALLOW, L_DENY, L_MATCHED, L_OPEN, NODE, N_CLASS, N_EDGES, N_OTHER, N_RUN, RUN_AUX, RUN_NONE, RUN_SINK } from "../runtime/wire.js";
import { classify, type Automaton } from "./automaton.js";
import type { Condition, PrincipalRef, SourceDigest, Statement, Template, Workspace } from "./ir.js";
import { slotNames } from "./specialize.js";
import { LEAF_ALLOW, LEAF_DENY, LEAF_MATCHED, LEAF_MATCHED_COUNT, LEAF_OPEN_SIZE, type DecisionTable, type Dimension, type ProvenanceColumns } from "./table.js";

export function tableToPayload(
  table: DecisionTable,
  compiler: string,
  workspace: Workspace,
  build?: BundlePayload["build"],
): BundlePayload {
  const sources = workspace.sources;
  const statementText = statementTexts(workspace);
  const tables: Partial<Record<TableName, Int32Array>> = {};
  const dimension = (name: DimensionName, d: Dimension, fold: boolean): WireDimension => {
    const main = automatonTables(d.main);
    const wild = automatonTables(d.wild);
    for (const [table, values] of Object.entries(main.tables)) tables[automatonTable(name, "main", table as AutomatonTable)] = values;
    for (const [table, values] of Object.entries(wild.tables)) tables[automatonTable(name, "wild", table as AutomatonTable)] = values;
    tables[`${name}.mainFacts`] = mainClassFacts(d.mainBits, d.mainGroup);
    tables[`${name}.wildFacts`] = wildClassFacts(d.wildBits, d.wildGroup, d.wildKms);
    // A few spellings, classified now as the runtime's walk would.
    const spellings = d.literals.length <= SPELLINGS_MAX ? d.literals : [];
    const spellingFacts = new Int32Array(4 * spellings.length);
    spellings.forEach((spelling, i) => {
      const k = classify(d.main, spelling, fold);
      const c = classify(d.wild, spelling, fold);
      const g = d.mainGroup[k]!;
      spellingFacts.set([k, d.mainBits[k]! | d.wildBits[c]!, g >= 0 ? g : d.wildGroup[c]!, d.wildKms[c]!], 4 * i);
    });
    tables[`${name}.spellingFacts`] = spellingFacts;
    tables[`${name}.resume`] = d.resume;
    return { groupCount: d.groupCount, mainWidth: main.width, wildWidth: wild.width, literals: d.literals, spellings, ...(d.wildGate === undefined ? {} : { gate: d.wildGate }) };
  };
  const actions = dimension("actions", table.actions, true);
  const resources = dimension("resources", table.resources, false);
  tables.principalClass = Int32Array.from(table.principals, ([, c]) => c);
  tables.outsiderAccountClass = Int32Array.from(table.accountClasses, ([, c]) => c);
  tables.classKind = Int32Array.from(table.classes, (c) => c.kind);
  const classActions = layoutPackedSparseMaps(table.classActions);
  tables["classActions.head"] = classActions.head;
  tables["classActions.slots"] = classActions.slots;
  const rows = layoutPackedSparseMaps(table.rows);
  tables["rows.head"] = rows.head;
  tables["rows.slots"] = rows.slots;
  const termStart = [0];
  const termBits: number[] = [];
  for (const perKind of table.terms) {
    for (const terms of perKind) {
      termBits.push(...terms);
      termStart.push(termBits.length);
    }
  }
  tables.termStart = Int32Array.from(termStart);
  tables.termBits = Int32Array.from(termBits);
  const leaves = leafTables(table.leaves);
  tables["leaves.record"] = leaves.record;
  tables["leaves.open"] = leaves.open;
  tables["leaves.matched"] = leaves.matched;
  return {
    model: table.model,
    compiler,
    sources: sources.map((s) => [s.file, s.sha256] as const),
    ...(build === undefined ? {} : { build }),
    slots: slotNames(table.model),
    accounts: table.accounts,
    groupCount: table.accounts.length + 2,
    actions,
    resources,
    principals: table.principals.map(([id]) => id),
    outsiderAccounts: table.accountClasses.map(([id]) => id),
    stranger: table.stranger,
    anonymous: table.anonymous,
    refused: table.refused,
    classes: {
      names: table.classes.map((c) => c.name),
      facts: table.classes.map((c) => c.facts.map(([k, v]) => [k, v] as const)),
    },
    kinds: table.kinds.map((k) => ({
      outsider: k.outsider, account: k.account ?? null, role: k.role, boundary: k.boundary, session: k.session, scpLevels: k.scpLevels,
    })),
    predicates: table.predicates,
    tables: tables as PayloadTables,
    provenance: provenanceColumns(table.provenance, statementText),
  };
}

/**
 * Per main class: bits, group or -1. Written field by field (an array literal per class cost an
 * allocation per class), in a function of its own, like wildClassFacts: see automatonTables on
 * code after a loop that ran once. Given the columns, not the dimension: the two dimensions'
 * objects differ in shape, and the second deoptimized the loop compiled for the first.
 */
function mainClassFacts(bits: Int32Array, group: Int32Array): Int32Array {
  const facts = new Int32Array(2 * bits.length);
  for (let k = 0; k < bits.length; k++) {
    facts[2 * k] = bits[k]!;
    facts[2 * k + 1] = group[k]!;
  }
  return facts;
}

/** Per wild class: bits, group, KMS key 0/1. */
function wildClassFacts(bits: Int32Array, group: Int32Array, kms: Int32Array): Int32Array {
  const facts = new Int32Array(3 * bits.length);
  for (let c = 0; c < bits.length; c++) {
    facts[3 * c] = bits[c]!;
    facts[3 * c + 1] = group[c]!;
    facts[3 * c + 2] = kms[c]!;
  }
  return facts;
}

/** The provenance as the payload holds it: its columns, and each statement's text, asked for once each. */
function provenanceColumns(provenance: ProvenanceColumns, statementText: (policy: string, index: number) => WireStatementSource): BundlePayload["provenance"] {
  const { policy, sid, index, layer, deny } = provenance;
  const text = encodeStatementSources(policy.length, (id) => statementText(policy[id]!, index[id]!));
  return { policy, sid, index: int32Bytes(index), layer, deny: int32Bytes(deny), text };
}

/** The leaves' tables: one record per leaf and a sentinel that ends the last leaf's lists, their open statements, their matched ids. */
function leafTables(leaves: DecisionTable["leaves"]): { record: Int32Array; open: Int32Array; matched: Int32Array } {
  const { data, start } = leaves;
  const count = start.length - 1;
  const matchedTotal = matchedCount(leaves);
  const record = new Int32Array(LEAF * (count + 1));
  const open = new Int32Array(start[count]! - start[0]! - LEAF_MATCHED * count - matchedTotal);
  const matched = new Int32Array(matchedTotal);
  let openAt = 0;
  let matchedAt = 0;
  for (let l = 0; l < count; l++) {
    const at = start[l]!;
    const matchedCount = data[at + LEAF_MATCHED_COUNT]!;
    const openFrom = at + LEAF_MATCHED + matchedCount;
    record[LEAF * l + L_DENY] = data[at + LEAF_DENY]!;
    record[LEAF * l + L_ALLOW] = data[at + LEAF_ALLOW]!;
    record[LEAF * l + L_OPEN] = openAt / LEAF_OPEN_SIZE;
    record[LEAF * l + L_MATCHED] = matchedAt;
    // Copied by loops: most lists are a few ints, and a subarray view per list cost more than them.
    for (let i = at + LEAF_MATCHED; i < openFrom; i++) matched[matchedAt++] = data[i]!;
    for (let i = openFrom, end = start[l + 1]!; i < end; i++) open[openAt++] = data[i]!;
  }
  record[LEAF * count + L_OPEN] = openAt / LEAF_OPEN_SIZE;
  record[LEAF * count + L_MATCHED] = matchedAt;
  return { record, open, matched };
}

/** How many matched ids the leaves list, all together. Its own function: see automatonTables on code after a loop that ran once. */
function matchedCount(leaves: DecisionTable["leaves"]): number {
  const { data, start } = leaves;
  let total = 0;
  for (let l = 0; l + 1 < start.length; l++) total += data[start[l]! + LEAF_MATCHED_COUNT]!;
  return total;
}

/** Automata up to this many table cells get a dense transition table (at most 256 KiB). */
const DENSE_CELLS = 1 << 16;
/** In a large automaton, states with at least this many edges get a fan row; the rest are scanned. */
const FAN_EDGES = 5;

/**
 * An automaton in the runtime's layout (runtime/wire.ts): a record per state, the edges other
 * than run edges, skip lists and fan rows through aux records, and the character columns of the
 * dense and fan rows.
 *
 * A compile runs each of these loops once, over every state (575,000 at 100,000 statements), so
 * they run unoptimized until V8 has compiled them on the spot (OSR), which takes ~10 ms a loop
 * when its compiler thread is busy with the table's functions: at 100,000 statements the first
 * automaton took 55 ms, the larger second one 12. Hence few passes, each a function of its own
 * (code after a loop that had not run yet has no type feedback, and a second pass there fell
 * back to unoptimized code), with the rare states' work out of the loop (auxRecords). Two
 * passes, not one: the first sizes the edge list, which listing into room for every edge and
 * cutting it cost 14 MB of buffers at 10,000 wildcard statements, enough to start a
 * mark-compact.
 */
function automatonTables(a: Automaton): { tables: Record<AutomatonTable, Int32Array>; width: number } {
  const states = a.otherTarget.length;
  const nodes = new Int32Array(NODE * (states + 1));
  const ascii = new Int32Array(128);
  const wideChars = new Set<number>();
  const edges = new Int32Array(2 * scanEdges(a, nodes, ascii, wideChars));
  const { wide, width } = alphabet(ascii, wideChars);
  const small = states * width <= DENSE_CELLS;
  const { aux, skip, fanStates } = auxRecords(a, nodes, stateRecords(a, nodes, edges, small), small);
  const columns = { ascii, wide, width };
  const dense = new Int32Array(small ? states * width : 0);
  if (small) for (let s = 0; s < states; s++) transitionRow(a, columns, dense, s, s);
  const fan = new Int32Array(fanStates.length * width);
  fanStates.forEach((s, row) => transitionRow(a, columns, fan, row, s));
  return {
    tables: { nodes, edges, aux: Int32Array.from(aux), skip: Int32Array.from(skip), dense, fan, ascii, wide: Int32Array.from(wide) },
    width,
  };
}

/**
 * One pass over the edges: marks the characters they name (ASCII ones in `ascii`, the others in
 * `wideChars`), finds each state's run edge (to the next state, taken by one compare: the rest
 * of a trie chain) and writes it in the state's record. Returns how many edges are not run edges
 * (the edges the records list).
 */
function scanEdges(a: Automaton, nodes: Int32Array, ascii: Int32Array, wideChars: Set<number>): number {
  const { edgeStart, edgeChar, edgeTarget } = a;
  let listed = 0;
  for (let s = 0; s + 1 < edgeStart.length; s++) {
    const end = edgeStart[s + 1]!;
    let run = RUN_NONE;
    for (let e = edgeStart[s]!; e < end; e++) {
      const char = edgeChar[e]!;
      if (char < 128) ascii[char] = 1;
      else wideChars.add(char);
      if (edgeTarget[e] === s + 1 && run === RUN_NONE) run = char;
      else listed++;
    }
    nodes[NODE * s + N_RUN] = run;
  }
  return listed;
}

/**
 * The alphabet of the characters scanEdges marked: a column per character, in character order;
 * column 0 for the others. Turns `ascii` into the ASCII characters' columns; `wide` holds
 * (character, column) pairs for the others.
 */
function alphabet(ascii: Int32Array, wideChars: Set<number>): { wide: number[]; width: number } {
  let width = 1;
  for (let char = 0; char < 128; char++) if (ascii[char] !== 0) ascii[char] = width++;
  const wide: number[] = [];
  for (const char of [...wideChars].sort((x, y) => x - y)) wide.push(char, width++);
  return { wide, width };
}

/**
 * The rest of the states' records (after scanEdges), their listed edges, and the sentinel record
 * that ends the last state's edges. Returns the few states that loop on other characters
 * or have a fan row, whose run field auxRecords writes: out of this loop, as code V8 compiles
 * here before any such state has come by deoptimizes at the first (the wild automata have them),
 * and the loop ran unoptimized again for the next automaton (~10 ms at 100,000 statements).
 */
function stateRecords(a: Automaton, nodes: Int32Array, edges: Int32Array, small: boolean): number[] {
  const { edgeStart, edgeChar, edgeTarget, otherTarget, stateClass } = a;
  const states = otherTarget.length;
  const rare: number[] = [];
  // The sentinel first: code after a loop V8 compiled on the spot had no type feedback, and
  // deoptimized, so that the next automaton's loop ran unoptimized again.
  nodes[NODE * states + N_RUN] = RUN_NONE;
  nodes[NODE * states + N_EDGES] = edges.length / 2;
  nodes[NODE * states + N_OTHER] = -1;
  let edgeCount = 0;
  for (let s = 0; s < states; s++) {
    const first = edgeStart[s]!;
    const end = edgeStart[s + 1]!;
    const other = otherTarget[s]!;
    const at = NODE * s;
    const run = nodes[at + N_RUN]!;
    nodes[at + N_EDGES] = edgeCount;
    for (let e = first; e < end; e++) {
      if (edgeChar[e] === run) continue;
      edges[2 * edgeCount] = edgeChar[e]!;
      edges[2 * edgeCount++ + 1] = edgeTarget[e]!;
    }
    nodes[at + N_OTHER] = other;
    nodes[at + N_CLASS] = stateClass[s]!;
    if (other === s || (!small && end - first >= FAN_EDGES)) rare.push(s);
  }
  return rare;
}

/**
 * What the states stateRecords left need (they loop on other characters or have FAN_EDGES
 * edges): a skip list (the characters that leave the state, when 1 to 3 do), a fan row (in a
 * large automaton), both through an aux record (AUX ints); and their run field: the aux record,
 * RUN_SINK (nothing leaves the state), or the run edge as it was.
 */
function auxRecords(a: Automaton, nodes: Int32Array, states: readonly number[], small: boolean): { aux: number[]; skip: number[]; fanStates: number[] } {
  const aux: number[] = [];
  const skip: number[] = [];
  const fanStates: number[] = [];
  for (const s of states) {
    const first = a.edgeStart[s]!;
    const end = a.edgeStart[s + 1]!;
    let skipAt = -1;
    if (a.otherTarget[s] === s) {
      let leaving = 0;
      for (let e = first; e < end; e++) if (a.edgeTarget[e] !== s) leaving++;
      if (leaving >= 1 && leaving <= 3) {
        skipAt = skip.length;
        for (let e = first; e < end; e++) if (a.edgeTarget[e] !== s) skip.push(a.edgeChar[e]!);
        for (; leaving < 3; leaving++) skip.push(-1);
      }
    }
    const fan = !small && end - first >= FAN_EDGES ? fanStates.push(s) - 1 : -1;
    const at = NODE * s + N_RUN;
    if (skipAt >= 0 || fan >= 0) {
      aux.push(nodes[at]!, skipAt, fan);
      nodes[at] = RUN_AUX - (aux.length / AUX - 1);
    } else if (first === end) {
      nodes[at] = RUN_SINK;
    }
  }
  return { aux, skip, fanStates };
}

/** State s's transitions as row `row` of `table` (a dense or fan row): its other target, then its edges' targets in their columns. */
function transitionRow(a: Automaton, columns: { ascii: Int32Array; wide: readonly number[]; width: number }, table: Int32Array, row: number, s: number): void {
  const { ascii, wide, width } = columns;
  table.fill(a.otherTarget[s]!, row * width, (row + 1) * width);
  for (let e = a.edgeStart[s]!; e < a.edgeStart[s + 1]!; e++) {
    const char = a.edgeChar[e]!;
    table[row * width + (char < 128 ? ascii[char]! : wideColumn(wide, char))] = a.edgeTarget[e]!;
  }
}

/** A non-ASCII character's column, by binary search of the alphabet's (character, column) pairs (in character order). */
function wideColumn(wide: readonly number[], char: number): number {
  let lo = 0;
  let hi = wide.length / 2 - 1;
  for (;;) {
    const mid = (lo + hi) >> 1;
    const c = wide[2 * mid]!;
    if (c === char) return wide[2 * mid + 1]!;
    if (c < char) lo = mid + 1;
    else hi = mid - 1;
  }
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
  const fileName = sourceNames(workspace.sources);
  // A policy's statements come one after another: its lookup is kept for the next.
  let lastPolicy: string | undefined;
  let statements: readonly Statement[] | undefined;
  let resources: string[] | undefined;
  return (policy, index) => {
    if (policy !== lastPolicy) {
      lastPolicy = policy;
      statements = workspace.policies.get(policy)?.statements;
      resources = attached.get(policy);
    }
    const statement = statements?.[index];
    const text = statementSource(statement, fileName);
    return resources === undefined || statement?.principals === undefined ? text : [text[0], text[1], resources, false, text[4], text[5], text[6], text[7]];
  };
}

/**
 * A statement as written (its text, not its lowering), for explain and the analysis commands.
 * By loops, not maps: this runs once per statement, mostly unoptimized, where a map's callback
 * calls cost more than the lists' one or two items.
 */
function statementSource(statement: Statement | undefined, fileName: (file: string) => string | undefined): WireStatementSource {
  if (statement === undefined) return [[], false, [], false, null, false, [], null];
  const { actions, resources, principals, conditions } = statement;
  const conditionTexts: string[] = [];
  for (let i = 0; i < conditions.length; i++) conditionTexts.push(conditionText(conditions[i]!));
  return [
    patternSources(actions.patterns), actions.negated,
    patternSources(resources.patterns), resources.negated,
    principals === undefined ? null : principalNames(principals.refs), principals?.negated ?? false,
    conditionTexts,
    locationOf(statement, fileName),
  ];
}

function patternSources(patterns: readonly Template[]): string[] {
  const sources: string[] = [];
  for (let i = 0; i < patterns.length; i++) sources.push(patterns[i]!.source);
  return sources;
}

function principalNames(refs: readonly PrincipalRef[]): string[] {
  const names: string[] = [];
  for (let i = 0; i < refs.length; i++) {
    const ref = refs[i]!;
    names.push(ref.kind === "everyone" ? "*" : ref.kind === "account" ? ref.account : ref.id);
  }
  return names;
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
function locationOf(statement: Statement, fileName: (file: string) => string | undefined): string | null {
  const origin = statement.source.origin;
  if (origin === undefined) return null;
  const named = fileName(origin.file);
  if (named === undefined) return null;
  return origin.span === undefined ? `${named}#${origin.pointer}` : `${named}:${origin.span.line}:${origin.span.column}`;
}

/**
 * A file's name as `sources` spells it, or undefined: remembered per file, since a policy file
 * holds many statements and searching `sources` for each was quadratic.
 */
function sourceNames(sources: readonly SourceDigest[]): (file: string) => string | undefined {
  const known = new Map<string, string | null>();
  return (path) => {
    let named = known.get(path);
    if (named === undefined) {
      const file = path.split("\\").join("/");
      named = sources.find((s) => file === s.file || file.endsWith(`/${s.file}`))?.file ?? null;
      known.set(path, named);
    }
    return named ?? undefined;
  };
}
