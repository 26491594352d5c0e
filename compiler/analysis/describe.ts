// Saying regions and callers in words. A region is a set of strings no table tells apart; it is
// described by the most specific pattern any statement writes that matches it (every string of
// a region matches the same compiled patterns, so its example stands for all of it).
import { decodeStatementSources, type WireStatementSource } from "../../runtime/format.js";
import type { DecidingStatement, TableInspector } from "../../runtime/index.js";
import { matchTokens, tokenize } from "../reference/glob.js";
import type { Region } from "./regions.js";

/** A caller the analysis reports on: a listed principal or one kind of outside caller. */
export interface Caller {
  /** How to say it: the principal id, `ak/9f2c as org/acme via t-ci`, `any other caller`, ... */
  readonly label: string;
  /** A request's caller part that every table classifies as this caller. */
  readonly request: { readonly principal: string | null; readonly identity?: string; readonly via?: readonly string[] };
}

/** Stand-in principal for callers a table does not list (no manifest lists an id with this prefix). */
const OUTSIDE = "iamc:any-other-caller";

/** Every caller the tables can tell apart: listed principals (and adoptions), outside kinds. */
export function callersOf(tables: readonly TableInspector[]): Caller[] {
  const callers = new Map<string, Caller>();
  for (const table of tables) {
    for (const id of table.payload.principals) {
      if (callers.has(id)) continue;
      const [principal, identity, trusts] = id.split("\u0000");
      if (identity === undefined) callers.set(id, { label: id, request: { principal: id } });
      else {
        const via = trusts === "\u0001" ? undefined : trusts!.split("\u0000").filter((t) => t !== "");
        const adopted = identity === "\u0001" ? undefined : identity;
        const label = `${principal}${adopted === undefined ? "" : ` as ${adopted}`}${via === undefined ? "" : ` via ${via.join(", ") || "(no trust)"}`}`;
        callers.set(id, { label, request: { principal: principal!, ...(adopted === undefined ? {} : { identity: adopted }), ...(via === undefined ? {} : { via }) } });
      }
    }
  }
  for (const table of tables) {
    for (const account of table.payload.outsiderAccounts) {
      const key = `account:${account}`;
      if (!callers.has(key)) callers.set(key, { label: `any other principal of account ${account}`, request: { principal: `arn:aws:iam::${account}:user/${OUTSIDE}` } });
    }
  }
  if (tables.some((t) => t.payload.refused >= 0)) {
    // cloudalus: adopting an identity through trusts the bundle does not list as backing it
    callers.set("refused", { label: "a caller adopting an identity no trust backs", request: { principal: OUTSIDE, identity: OUTSIDE } });
  }
  callers.set("stranger", { label: "any other caller", request: { principal: OUTSIDE } });
  callers.set("anonymous", { label: "an unauthenticated caller", request: { principal: null } });
  // Labels name callers in reports: keep them unique even if two ids would read alike.
  const labels = new Set<string>();
  return [...callers.values()].map((c) => {
    let label = c.label;
    for (let n = 2; labels.has(label); n++) label = `${c.label} (${n})`;
    labels.add(label);
    return label === c.label ? c : { ...c, label };
  });
}

/** A table's statement texts, decoded once. */
export function statementTexts(table: TableInspector): readonly WireStatementSource[] {
  let texts = TEXTS.get(table);
  if (texts === undefined) {
    texts = decodeStatementSources(table.payload.provenance.text, table.payload.provenance.policy.length);
    TEXTS.set(table, texts);
  }
  return texts;
}
const TEXTS = new WeakMap<TableInspector, readonly WireStatementSource[]>();

/**
 * Names a region with the most specific pattern that matches it: among the patterns of the
 * statements that decide it when given (so a change granted by `logs:*` on `*` reads as that,
 * however finely other statements split `*`), else among every statement's.
 */
export class RegionNamer {
  private readonly tables: readonly TableInspector[];
  private readonly tokens = new Map<string, NonNullable<ReturnType<typeof tokenize>>>();
  private readonly everyPattern: readonly string[];

  constructor(tables: readonly TableInspector[], private readonly dimension: "actions" | "resources") {
    this.tables = tables;
    this.everyPattern = [...new Set(tables.flatMap((t) => statementTexts(t).flatMap((_, id) => this.patternsOf(t, id))))];
  }

  /** The positive patterns a statement writes in this dimension. */
  private writtenPatterns(table: TableInspector, statement: number): readonly string[] {
    const text = statementTexts(table)[statement];
    if (text === undefined) return [];
    const [actions, notAction, resources, notResource] = text;
    return this.dimension === "actions" ? (notAction ? [] : actions) : notResource ? [] : resources;
  }

  /** Those that read the same for every caller (a variable makes a pattern per caller). */
  private patternsOf(table: TableInspector, statement: number): readonly string[] {
    return this.writtenPatterns(table, statement).filter((p) => !p.includes("${"));
  }

  private readonly names = new Map<string, string>();

  /** `statements[k]`: provenance ids of the deciding statements in table k. */
  name(region: Region, statements?: readonly (readonly number[])[]): string {
    const key = `${region.key}\u0000${statements === undefined ? "" : statements.map((ids) => ids.join(",")).join("/")}`;
    let name = this.names.get(key);
    if (name === undefined) this.names.set(key, (name = this.nameOnce(region, statements)));
    return name;
  }

  private nameOnce(region: Region, statements?: readonly (readonly number[])[]): string {
    const example = exampleOf(region);
    if (statements !== undefined) {
      // A deciding pattern with a variable (`home/${aws:username}/*`) was specialized for the
      // caller; its text matches nothing as written. Where the region is a prefix, say that.
      const withVariables = statements.some((ids, k) => ids.some((id) => this.writtenPatterns(this.tables[k]!, id).some((p) => p.includes("${"))));
      if (withVariables && region.prefixClosed && region.example !== "") return `${region.example}*`;
      const own = [...new Set(statements.flatMap((ids, k) => ids.flatMap((id) => this.patternsOf(this.tables[k]!, id))))];
      const named = this.mostSpecific(own, example);
      if (named !== undefined) return named;
    }
    return this.mostSpecific(this.everyPattern, example) ?? (this.dimension === "actions" ? "(any other action)" : "(any other resource)");
  }

  private mostSpecific(patterns: readonly string[], text: string): string | undefined {
    const matching = patterns.filter((pattern) => this.matches(pattern, text));
    let best: string | undefined;
    for (const pattern of matching) {
      if (best === undefined || specificity(pattern) > specificity(best) || (specificity(pattern) === specificity(best) && pattern < best)) best = pattern;
    }
    if (this.dimension === "actions" && matching.length > 1) {
      // `billing:*` and `*:Read` both decide `billing:Read`: say the service of one and the
      // operation of the other, when that still matches.
      const halves = matching.map((p) => (p.includes(":") ? [p.slice(0, p.indexOf(":")), p.slice(p.indexOf(":") + 1)] : [p, p]) as [string, string]);
      const pick = (side: 0 | 1) => halves.map((h) => h[side]).reduce((a, b) => (specificity(b) > specificity(a) ? b : a));
      // (`billing::Read`, which `*:Read` matches too, reads as `billing:*Read`)
      const combined = [`${pick(0)}:${pick(1)}`, `${pick(0)}:*${pick(1)}`].find((c) => this.matches(c, text));
      if (combined !== undefined && specificity(combined) > specificity(best!)) best = combined;
    }
    return best;
  }

  private matches(pattern: string, text: string): boolean {
    let tokens = this.tokens.get(pattern);
    if (tokens === undefined) this.tokens.set(pattern, (tokens = tokenize([{ kind: "text", text: pattern }])!));
    return matchTokens(tokens, text, this.dimension === "actions");
  }
}

/** A region's example: its shortest string, unless that is empty and it has another. */
export function exampleOf(region: Region): string {
  return region.example === "" ? (region.examples.find((e) => e !== "") ?? "") : region.example;
}

/** Longer literal text before the first wildcard is more specific; a pattern with no wildcard most. */
function specificity(pattern: string): number {
  const wild = pattern.search(/[*?]/);
  return wild < 0 ? 1e6 + pattern.length : wild * 100 + Math.min(pattern.length, 99);
}

/** `ReadAppData/ReadBucket (identity)` or `ReadAppData#0 (identity)`. */
export function statementName(s: DecidingStatement): string {
  return `${s.policy}${s.sid === undefined ? `#${s.index}` : `/${s.sid}`} (${s.layer})`;
}

/** Conditions of a statement as written, joined: `aws:SecureTransport Bool true and ...`. */
export function conditionsOf(table: TableInspector, statement: number): string {
  return statementTexts(table)[statement]?.[6].join(" and ") ?? "";
}
