// Rendering of diagnostics for people (code frames, colors) and for programs (`--format json`).
// Separate from the stages: they return diagnostics as data and never format them.
import pc from "picocolors";
import { computeLineStarts } from "./json-source.js";
import type { Diagnostic, Severity } from "./diagnostics.js";

/** A diagnostic to render. The code is any stable `IAMCnnnn`, also the runtime's 5xxx codes. */
export type RenderableDiagnostic = Omit<Diagnostic, "code"> & { readonly code: string };

export interface RenderOptions {
  /** ANSI colors on or off; the CLI decides (TTY, `NO_COLOR`, `FORCE_COLOR`, `--no-color`). */
  readonly color: boolean;
  /** The text of a file, for code frames; undefined when it cannot be read. */
  readonly readSource?: (file: string) => string | undefined;
  /** How a file name is shown, e.g. relative to the working directory. */
  readonly displayPath?: (file: string) => string;
  /** Append the `N errors, M warnings` line (default true). */
  readonly summary?: boolean;
}

/** The JSON form of one diagnostic (`--format json`). */
export interface DiagnosticJson {
  readonly code: string;
  readonly severity: Severity;
  readonly message: string;
  readonly file?: string;
  readonly line?: number;
  readonly column?: number;
  readonly offset?: number;
  readonly endOffset?: number;
  readonly pointer?: string;
  readonly help?: string;
}

/** The JSON document of a run's diagnostics (`--format json`). */
export interface DiagnosticsJson {
  readonly errors: number;
  readonly warnings: number;
  readonly diagnostics: readonly DiagnosticJson[];
}

const TAB = "    ";
/** Widest source excerpt shown; longer lines (minified JSON) are cut to a window around the span. */
const MAX_LINE_WIDTH = 160;
/** Context kept left of the span when a long line is cut. */
const LEFT_CONTEXT = 40;
/** Multi-line spans longer than this show their first lines and their last. */
const MAX_FRAME_LINES = 4;

/** Renders diagnostics as `FILE:LINE:COL - error CODE: message`, a code frame, `help:` and a summary line. */
export function renderDiagnostics(diagnostics: readonly RenderableDiagnostic[], options: RenderOptions): string {
  if (diagnostics.length === 0) return "";
  const c = pc.createColors(options.color);
  const sources = new Map<string, string | undefined>();
  const readSource = (file: string): string | undefined => {
    if (!options.readSource) return undefined;
    if (!sources.has(file)) sources.set(file, options.readSource(file));
    return sources.get(file);
  };
  const blocks = diagnostics.map((d) => renderOne(d, c, readSource, options.displayPath ?? ((f) => f)));
  if (options.summary !== false) blocks.push(summaryLine(diagnostics, c));
  return blocks.join("\n\n") + "\n";
}

/** The `N errors, M warnings` line. */
export function summaryLine(diagnostics: readonly RenderableDiagnostic[], c = pc.createColors(false)): string {
  const { errors, warnings } = count(diagnostics);
  const text = `${plural(errors, "error")}, ${plural(warnings, "warning")}`;
  if (errors > 0) return c.bold(c.red(text));
  return warnings > 0 ? c.bold(c.yellow(text)) : text;
}

/** Diagnostics as a JSON-ready value, with error and warning counts. */
export function diagnosticsToJson(diagnostics: readonly RenderableDiagnostic[]): DiagnosticsJson {
  const { errors, warnings } = count(diagnostics);
  return { errors, warnings, diagnostics: diagnostics.map(diagnosticToJson) };
}

function diagnosticToJson(d: RenderableDiagnostic): DiagnosticJson {
  const file = d.span?.file ?? d.file;
  return {
    code: d.code,
    severity: d.severity,
    message: d.message,
    ...(file !== undefined && { file }),
    ...(d.span && { line: d.span.line, column: d.span.column, offset: d.span.offset, endOffset: d.span.endOffset }),
    ...(d.pointer !== undefined && { pointer: d.pointer }),
    ...(d.help !== undefined && { help: d.help }),
  };
}

type Colors = ReturnType<typeof pc.createColors>;

function renderOne(
  d: RenderableDiagnostic,
  c: Colors,
  readSource: (file: string) => string | undefined,
  displayPath: (file: string) => string,
): string {
  const paint = d.severity === "error" ? c.red : c.yellow;
  const file = d.span?.file ?? d.file;
  let location: string | undefined;
  if (file !== undefined) {
    const shown = displayPath(file);
    if (d.span) location = `${shown}:${d.span.line}:${d.span.column}`;
    else if (d.pointer) location = `${shown}#${d.pointer}`;
    else location = shown;
  }
  const head = `${paint(c.bold(d.severity))} ${c.gray(d.code)}: ${c.bold(d.message)}`;
  const lines = [location === undefined ? head : `${c.cyan(location)} - ${head}`];
  const source = d.span && file !== undefined ? readSource(file) : undefined;
  if (d.span && source !== undefined) lines.push(...codeFrame(source, d.span, paint, c));
  if (d.help) lines.push(`  ${c.cyan(c.bold("help:"))} ${d.help}`);
  return lines.join("\n");
}

interface SpanLike {
  readonly line: number;
  readonly column: number;
  readonly offset: number;
  readonly endOffset: number;
}

/** The source lines a span covers, each followed by a line of carets under the covered text. */
export function codeFrame(
  source: string,
  span: SpanLike,
  paint: (s: string) => string = (s) => s,
  c: Colors = pc.createColors(false),
): string[] {
  const starts = computeLineStarts(source);
  const resolved = resolveSpan(source, starts, span);
  if (!resolved) return [];
  const { start, end } = resolved;
  const firstLine = lineOf(starts, start);
  // a span ending just after a line break ends on the line before it
  const lastLine = Math.max(firstLine, end > start ? lineOf(starts, end - 1) : firstLine);
  let shown: (number | "gap")[] = [];
  for (let l = firstLine; l <= lastLine; l++) shown.push(l);
  if (shown.length > MAX_FRAME_LINES) {
    shown = [...shown.slice(0, MAX_FRAME_LINES - 1), "gap", lastLine];
  }
  const width = String(lastLine + 1).length;
  const gutter = (label: string) => c.gray(`${label.padStart(width)} |`);
  const out: string[] = [];
  for (const l of shown) {
    if (l === "gap") {
      out.push(c.gray("..."));
      continue;
    }
    const lineStart = starts[l] ?? 0;
    const text = lineText(source, starts, l);
    let from = Math.max(start, lineStart) - lineStart;
    let to = Math.min(end, lineStart + text.length) - lineStart;
    // inner lines of a multi-line span are underlined from their text, not their indentation
    if (l > firstLine) from = Math.max(from, text.length - text.trimStart().length);
    if (l < lastLine) to = Math.min(to, text.trimEnd().length);
    // an empty span, or one at the end of a line, still gets one caret
    to = Math.max(to, from + 1);
    const { display, caretFrom, caretTo } = layoutLine(text, from, to);
    out.push(`${gutter(String(l + 1))} ${display}`);
    out.push(`${gutter("")} ${" ".repeat(caretFrom)}${paint("^".repeat(Math.max(1, caretTo - caretFrom)))}`);
  }
  return out;
}

/** Offsets of the span in `source`, trusting offsets when they agree with the line, else line/column. */
function resolveSpan(source: string, starts: readonly number[], span: SpanLike): { start: number; end: number } | undefined {
  const length = Math.max(0, span.endOffset - span.offset);
  if (span.offset >= 0 && span.offset <= source.length && lineOf(starts, span.offset) === span.line - 1) {
    return { start: span.offset, end: Math.min(source.length, span.offset + length) };
  }
  const lineStart = starts[span.line - 1];
  if (lineStart === undefined) return undefined;
  const start = Math.min(lineStart + Math.max(0, span.column - 1), source.length);
  return { start, end: Math.min(source.length, start + length) };
}


/** 0-based line of an offset. */
function lineOf(starts: readonly number[], offset: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((starts[mid] ?? 0) <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

function lineText(source: string, starts: readonly number[], line: number): string {
  const from = starts[line] ?? source.length;
  const next = starts[line + 1] ?? source.length;
  return source.slice(from, next).replace(/\r?\n$|\r$/, "");
}

/**
 * The display form of a line (tabs expanded, control characters made visible, cut to a window
 * when long) and the display columns of the underlined range [from, to) given in UTF-16 units.
 */
function layoutLine(text: string, from: number, to: number): { display: string; caretFrom: number; caretTo: number } {
  const cells: string[] = [];
  const columnAt: number[] = []; // display column of each UTF-16 index, and of text.length
  for (let i = 0; i < text.length; ) {
    const cp = text.codePointAt(i) ?? 0;
    const units = cp > 0xffff ? 2 : 1;
    for (let u = 0; u < units; u++) columnAt[i + u] = cells.length;
    if (cp === 9) cells.push(...TAB);
    else if (cp < 32 || cp === 127) cells.push("\uFFFD");
    else cells.push(String.fromCodePoint(cp));
    i += units;
  }
  columnAt[text.length] = cells.length;
  let caretFrom = columnAt[Math.min(from, text.length)] ?? cells.length;
  let caretTo = to > text.length ? cells.length + (to - text.length) : (columnAt[to] ?? cells.length);
  if (cells.length <= MAX_LINE_WIDTH) return { display: cells.join(""), caretFrom, caretTo };
  const windowStart = Math.max(0, Math.min(caretFrom - LEFT_CONTEXT, cells.length - MAX_LINE_WIDTH));
  const windowEnd = Math.min(cells.length, windowStart + MAX_LINE_WIDTH);
  const prefix = windowStart > 0 ? "…" : "";
  const suffix = windowEnd < cells.length ? "…" : "";
  caretFrom = caretFrom - windowStart + prefix.length;
  caretTo = Math.min(caretTo, windowEnd + 1) - windowStart + prefix.length;
  return { display: prefix + cells.slice(windowStart, windowEnd).join("") + suffix, caretFrom, caretTo };
}

function count(diagnostics: readonly RenderableDiagnostic[]): { errors: number; warnings: number } {
  let errors = 0;
  let warnings = 0;
  for (const d of diagnostics) {
    if (d.severity === "error") errors++;
    else warnings++;
  }
  return { errors, warnings };
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
