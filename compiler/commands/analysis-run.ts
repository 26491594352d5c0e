// The work of `iamc diff`, `iamc access` and `iamc who`: load (or compile) the targets, ask
// compiler/analysis/, print for humans or as JSON.
import type { Command } from "commander";
import pc from "picocolors";
import { inspectBundle, type TableInspector } from "../../runtime/index.js";
import { nodeSha256 } from "../../runtime/node.js";
import {
  accessOf, AnalysisTooLarge, diffTables, whoMay,
  type AccessEntry, type RegionChange, type SideVerdict, type WhoEntry,
} from "../analysis/index.js";
import { bundleOrWorkspace, colorFor, emit, EXIT, usageError, type CommandContext, type GlobalOptions } from "../cli-support.js";
import type { AccessOptions, DiffOptions, WhoOptions } from "./analysis.js";

type Colors = ReturnType<typeof pc.createColors>;

async function inspect(context: CommandContext, target: string, globals: GlobalOptions): Promise<TableInspector | number> {
  const bytes = await bundleOrWorkspace(context.io, context.cwd, target, globals);
  return typeof bytes === "number" ? bytes : inspectBundle(bytes, { sha256: nodeSha256 });
}

/** Runs an analysis, turning "too large to enumerate" into a clear error rather than a crash. */
async function guarded(context: CommandContext, work: () => Promise<number>): Promise<number> {
  try {
    return await work();
  } catch (err) {
    if (!(err instanceof AnalysisTooLarge) && !(err instanceof ModelMismatch)) throw err;
    await emit(context.io.stderr, `iamc: error: ${err.message}\n`);
    return EXIT.invalidInput;
  }
}

class ModelMismatch extends Error {}

// ---------------------------------------------------------------------------------------------
// diff

export async function diffCommand(context: CommandContext, beforePath: string, afterPath: string, options: DiffOptions, globals: GlobalOptions): Promise<number> {
  return guarded(context, async () => {
    const before = await inspect(context, beforePath, globals);
    if (typeof before === "number") return before;
    const after = await inspect(context, afterPath, globals);
    if (typeof after === "number") return after;
    if (before.payload.model !== after.payload.model) {
      throw new ModelMismatch(`\`${beforePath}\` is a ${before.payload.model} workspace and \`${afterPath}\` a ${after.payload.model} one; diff compares two of the same model`);
    }
    const diff = diffTables(before, after);
    const failed = options.failOnNewAccess === true && diff.added.length > 0;
    if (options.json) {
      const entry = (c: RegionChange) => ({
        principal: c.principal,
        action: c.action,
        resource: c.resource,
        except: c.except,
        before: c.before.decision,
        after: c.after.decision,
        example: c.example,
        statements: { before: c.before.statements, after: c.after.statements },
        conditional: { before: c.before.conditional, after: c.after.conditional },
      });
      await emit(context.io.stdout, JSON.stringify({ added: diff.added.map(entry), removed: diff.removed.map(entry), changed: diff.changed.map(entry) }) + "\n");
      return failed ? EXIT.invalidInput : EXIT.ok;
    }
    const c = pc.createColors(colorFor(context.io.stdout, context.io.env, globals.color));
    const out: string[] = [];
    const section = (title: string, mark: string, paint: (s: string) => string, changes: readonly RegionChange[]) => {
      if (changes.length === 0) return;
      out.push(c.bold(`${title} (${changes.length})`));
      for (const [callers, entries] of byCallers(changes)) {
        out.push(`  ${callers.join(", ")}`);
        for (const e of entries) {
          const except = e.except.length === 0 ? "" : ` except ${e.except.join(", ")}`;
          out.push(`    ${paint(mark)} ${c.bold(e.action)} on ${e.resource}${except}   ${e.before.decision} -> ${paint(e.after.decision)}`);
          out.push(...verdictLines("before", e.before, c), ...verdictLines("after", e.after, c));
        }
      }
      out.push("");
    };
    section("access added", "+", c.green, diff.added);
    section("access removed", "-", c.red, diff.removed);
    section("decision changed, access the same", "~", c.yellow, diff.changed);
    if (out.length === 0) out.push("no decision changes");
    out.push(`${diff.added.length} added, ${diff.removed.length} removed, ${diff.changed.length} changed`
      + c.dim(` (${diff.stats.callers} callers x ${diff.stats.actionRegions} action regions x ${diff.stats.resourceRegions} resource regions compared)`));
    if (failed) out.push(c.red("new access: failing as asked by --fail-on-new-access"));
    await emit(context.io.stdout, out.join("\n") + "\n");
    return failed ? EXIT.invalidInput : EXIT.ok;
  });
}

/** Callers with the same entries are listed together: `alice, dan` then their changes. */
function byCallers(changes: readonly RegionChange[]): [string[], RegionChange[]][] {
  const perCaller = new Map<string, RegionChange[]>();
  for (const change of changes) perCaller.set(change.principal, [...(perCaller.get(change.principal) ?? []), change]);
  const groups = new Map<string, [string[], RegionChange[]]>();
  for (const [caller, entries] of perCaller) {
    const key = JSON.stringify(entries.map((e) => [e.action, e.resource, e.before, e.after]));
    const group = groups.get(key);
    if (group === undefined) groups.set(key, [[caller], entries]);
    else group[0].push(caller);
  }
  return [...groups.values()];
}

function verdictLines(label: string, v: SideVerdict, c: Colors): string[] {
  const lines: string[] = [];
  if (v.statements.length > 0) lines.push(`        ${c.dim(`${label}:`)} ${v.statements.join(", ")}`);
  for (const o of v.conditional) lines.push(`        ${c.dim(`${label}:`)} ${o.statement} ${o.effect === "Deny" ? "denies" : "allows"} when ${o.conditions}`);
  return lines;
}

// ---------------------------------------------------------------------------------------------
// access

export async function accessCommand(context: CommandContext, target: string, options: AccessOptions, globals: GlobalOptions, cmd: Command): Promise<number> {
  if (options.principal !== undefined && options.anonymous) usageError(cmd, "give --principal or --anonymous, not both");
  if (options.principal === undefined && !options.anonymous) usageError(cmd, "missing --principal (or --anonymous for the unauthenticated caller)");
  const caller = {
    principal: options.anonymous ? null : options.principal!,
    ...(options.identity !== undefined && { identity: options.identity }),
    ...(options.via !== undefined && { via: options.via.split(",").map((v) => v.trim()).filter((v) => v !== "") }),
  };
  return guarded(context, async () => {
    const table = await inspect(context, target, globals);
    if (typeof table === "number") return table;
    const entries = accessOf(table, caller).entries;
    const who = caller.principal ?? "the unauthenticated caller";
    if (options.json) {
      const entry = (e: AccessEntry) => ({
        action: e.action, resource: e.resource, except: e.except, decision: e.verdict.decision, example: e.example,
        statements: e.verdict.statements, conditional: e.verdict.conditional,
      });
      await emit(context.io.stdout, JSON.stringify({ principal: caller.principal, class: table.className(table.classOf(caller)), access: entries.map(entry) }) + "\n");
      return EXIT.ok;
    }
    const c = pc.createColors(colorFor(context.io.stdout, context.io.env, globals.color));
    const out = [entries.length === 0 ? `${who} may do nothing` : c.bold(`${who} may:`)];
    for (const e of entries) {
      const mark = e.verdict.decision === "Allow" ? c.green("allow") : c.yellow("if   ");
      out.push(`  ${mark} ${c.bold(e.action)} on ${e.resource}${e.except.length === 0 ? "" : ` except ${e.except.join(", ")}`}`);
      out.push(...verdictLines("by", e.verdict, c));
    }
    await emit(context.io.stdout, out.join("\n") + "\n");
    return EXIT.ok;
  });
}

// ---------------------------------------------------------------------------------------------
// who

export async function whoCommand(context: CommandContext, target: string, options: WhoOptions, globals: GlobalOptions): Promise<number> {
  return guarded(context, async () => {
    const table = await inspect(context, target, globals);
    if (typeof table === "number") return table;
    const entries = whoMay(table, options.action, options.resource);
    if (options.json) {
      const entry = (e: WhoEntry) => ({ principal: e.principal, request: e.request, decision: e.verdict.decision, statements: e.verdict.statements, conditional: e.verdict.conditional });
      await emit(context.io.stdout, JSON.stringify({ action: options.action, resource: options.resource, who: entries.map(entry) }) + "\n");
      return EXIT.ok;
    }
    const c = pc.createColors(colorFor(context.io.stdout, context.io.env, globals.color));
    const out = [entries.length === 0 ? `nobody may ${options.action} on ${options.resource}` : c.bold(`who may ${options.action} on ${options.resource}:`)];
    for (const e of entries) {
      const mark = e.verdict.decision === "Allow" ? c.green("allow") : c.yellow("if   ");
      out.push(`  ${mark} ${c.bold(e.principal)}`);
      out.push(...verdictLines("by", e.verdict, c));
    }
    await emit(context.io.stdout, out.join("\n") + "\n");
    return EXIT.ok;
  });
}
