// A parsed JSON file that remembers where everything came from: the text, the syntax tree and
// the line table, so that any JSON pointer can be turned back into a line:column span.
import { getNodeValue, parseTree, printParseErrorCode, type Node, type ParseError } from "jsonc-parser";
import type { Diagnostic, Result } from "./diagnostics.js";
import type { Origin, Span } from "./ir.js";

/** A path into a JSON value: object keys and array indices. */
export type JsonPath = readonly (string | number)[];

/** A JSON file, parsed. */
export interface JsonSource {
  /** The file name used in diagnostics and origins. */
  readonly file: string;
  readonly text: string;
  /** The root value's node. */
  readonly tree: Node;
  /** The plain value of the whole file. */
  readonly value: unknown;
  /** Offset of the first character of each line. */
  readonly lineStarts: readonly number[];
}

/** A JSON pointer (RFC 6901) for `path`: `""` for the root, `/a/0/b~1c` otherwise. */
export function encodePointer(path: JsonPath): string {
  return path.map((segment) => `/${String(segment).replaceAll("~", "~0").replaceAll("/", "~1")}`).join("");
}

/** The segments of a JSON pointer, unescaped. */
export function decodePointer(pointer: string): string[] {
  if (pointer === "") return [];
  return pointer
    .slice(1)
    .split("/")
    .map((segment) => segment.replaceAll("~1", "/").replaceAll("~0", "~"));
}

/** Start offset of every line; `\r\n`, `\r` and `\n` all end a line (as jsonc-parser counts them). */
export function computeLineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    const char = text.charCodeAt(i);
    if (char === 13 /* \r */) {
      if (text.charCodeAt(i + 1) === 10) i++;
      starts.push(i + 1);
    } else if (char === 10 /* \n */) starts.push(i + 1);
  }
  return starts;
}

/** 1-based line and column of `offset`, columns counted in UTF-16 code units. */
function positionOf(lineStarts: readonly number[], offset: number): { line: number; column: number } {
  let low = 0;
  let high = lineStarts.length - 1;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if (lineStarts[mid]! <= offset) low = mid;
    else high = mid - 1;
  }
  return { line: low + 1, column: offset - lineStarts[low]! + 1 };
}

/** The span of the half-open range `[offset, endOffset)` of a file. */
export function spanAt(
  source: Pick<JsonSource, "file" | "lineStarts">,
  offset: number,
  endOffset: number,
): Span {
  const { line, column } = positionOf(source.lineStarts, offset);
  return { file: source.file, line, column, offset, endOffset };
}

/** The span of a syntax-tree node. */
export function spanOfNode(source: JsonSource, node: Node): Span {
  return spanAt(source, node.offset, node.offset + node.length);
}

/**
 * The value node at `path`, or undefined. For a key written twice, the last one is found, as
 * its value is the one that counts.
 */
export function nodeAt(source: JsonSource, path: JsonPath): Node | undefined {
  let node: Node | undefined = source.tree;
  for (const segment of path) {
    node = childOf(node, segment);
    if (node === undefined) return undefined;
  }
  return node;
}

/** The property node (key and value together) of `path`'s last segment, when it is an object key. */
function propertyAt(source: JsonSource, path: JsonPath): Node | undefined {
  if (path.length === 0) return undefined;
  const parent = nodeAt(source, path.slice(0, -1));
  if (parent?.type !== "object") return undefined;
  const key = String(path[path.length - 1]);
  let found: Node | undefined;
  for (const property of parent.children ?? []) if (property.children?.[0]?.value === key) found = property;
  return found;
}

function childOf(node: Node, segment: string | number): Node | undefined {
  if (node.type === "array") {
    const index = typeof segment === "number" ? segment : /^(0|[1-9][0-9]*)$/.test(segment) ? Number(segment) : -1;
    return index < 0 ? undefined : node.children?.[index];
  }
  if (node.type === "object") {
    let found: Node | undefined;
    for (const property of node.children ?? []) {
      if (property.children?.[0]?.value === String(segment)) found = property.children[1];
    }
    return found;
  }
  return undefined;
}

/** Which part of a located object member a span covers. */
export type SpanTarget = "value" | "key" | "property";

/**
 * The span of the JSON value at `pointer` (or of its key, or of key and value together), or
 * undefined when the file has nothing there.
 */
export function pointerToSpan(source: JsonSource, pointer: string, target: SpanTarget = "value"): Span | undefined {
  return pathToSpan(source, decodePointer(pointer), target);
}

/** {@link pointerToSpan} for a path. */
export function pathToSpan(source: JsonSource, path: JsonPath, target: SpanTarget = "value"): Span | undefined {
  if (target !== "value") {
    const property = propertyAt(source, path);
    const node = target === "key" ? property?.children?.[0] : property;
    if (node !== undefined) return spanOfNode(source, node);
  }
  const node = nodeAt(source, path);
  return node === undefined ? undefined : spanOfNode(source, node);
}

/** The origin of the value at `path`: file, pointer and span. */
export function originAt(source: JsonSource, path: JsonPath, target: SpanTarget = "value"): Origin {
  const span = pathToSpan(source, path, target);
  const pointer = encodePointer(path);
  return span === undefined ? { file: source.file, pointer } : { file: source.file, pointer, span };
}

/**
 * The JSON text of the value at `path` exactly as written (a number keeps its written form). For
 * a `.iam` source the tree's number nodes span the number inside `json(...)`, so this is the same.
 */
export function rawTextAt(source: JsonSource, path: JsonPath): string | undefined {
  const node = nodeAt(source, path);
  return node === undefined ? undefined : source.text.slice(node.offset, node.offset + node.length);
}

// ---------------------------------------------------------------------------------------------
// Parsing

const PARSE_MESSAGES: Record<string, { message: (text: string) => string; help: string }> = {
  InvalidSymbol: { message: (t) => `unexpected \`${t}\``, help: "JSON strings use double quotes; values are strings, numbers, `true`, `false`, `null`, objects or arrays" },
  InvalidNumberFormat: { message: (t) => `malformed number \`${t}\``, help: "write a decimal number like `42`, `-1` or `2.5`" },
  PropertyNameExpected: { message: () => "expected a property name in double quotes", help: "remove a trailing comma, or quote the name with `\"`" },
  ValueExpected: { message: () => "expected a value", help: "remove a trailing comma, or write the missing value" },
  ColonExpected: { message: () => "expected `:` after the property name", help: "write `\"name\": value`" },
  CommaExpected: { message: () => "expected `,` between entries", help: "add the missing `,`" },
  CloseBraceExpected: { message: () => "expected `}` to close the object", help: "add the missing `}`, or a missing `,` between entries" },
  CloseBracketExpected: { message: () => "expected `]` to close the array", help: "add the missing `]`, or a missing `,` between items" },
  EndOfFileExpected: { message: () => "unexpected text after the end of the JSON value", help: "a file holds exactly one JSON value" },
  InvalidCommentToken: { message: () => "comments are not allowed in JSON", help: "remove the comment" },
  UnexpectedEndOfComment: { message: () => "unterminated comment", help: "remove the comment: JSON has none" },
  UnexpectedEndOfString: { message: () => "unterminated string", help: "close the string with `\"`" },
  UnexpectedEndOfNumber: { message: (t) => `malformed number \`${t}\``, help: "write a decimal number like `42`, `-1` or `2.5`" },
  InvalidUnicode: { message: () => "malformed `\\u` escape", help: "write four hex digits after `\\u`" },
  InvalidEscapeCharacter: { message: (t) => `invalid escape \`${t}\``, help: "JSON escapes are `\\\"` `\\\\` `\\/` `\\b` `\\f` `\\n` `\\r` `\\t` `\\uXXXX`" },
  InvalidCharacter: { message: () => "control character in a string", help: "escape it (`\\n`, `\\t`, `\\u0000`)" },
};

const shorten = (text: string): string => (text.length > 24 ? `${text.slice(0, 24)}…` : text).replaceAll("`", "'");

function parseErrorDiagnostic(partial: Pick<JsonSource, "file" | "lineStarts" | "text">, error: ParseError): Diagnostic {
  const name = printParseErrorCode(error.error);
  const entry = PARSE_MESSAGES[name] ?? { message: () => `malformed JSON (${name})`, help: "fix the JSON syntax here" };
  const text = shorten(partial.text.slice(error.offset, error.offset + Math.max(error.length, 1)));
  const endOffset = Math.min(partial.text.length, error.offset + Math.max(error.length, 0));
  return {
    code: "IAMC1001",
    severity: "error",
    message: text === "" && name === "ValueExpected" ? "unexpected end of file, expected a value" : entry.message(text),
    file: partial.file,
    span: spanAt(partial, error.offset, Math.max(endOffset, error.offset)),
    help: entry.help,
  };
}

/** IAMC1005 for each key written twice in one object: which value counts would be a guess. */
function findDuplicateKeys(source: JsonSource): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const walk = (node: Node, path: (string | number)[]): void => {
    if (node.type === "object") {
      const seen = new Map<string, Node>();
      for (const property of node.children ?? []) {
        const [keyNode, valueNode] = property.children ?? [];
        if (keyNode === undefined) continue;
        const key = String(keyNode.value);
        const first = seen.get(key);
        if (first !== undefined) {
          const at = spanOfNode(source, first);
          diagnostics.push({
            code: "IAMC1005",
            severity: "error",
            message: `duplicate key \`${key}\``,
            file: source.file,
            pointer: encodePointer([...path, key]),
            span: spanOfNode(source, keyNode),
            help: `\`${key}\` is also written at ${at.line}:${at.column}; keep one of them`,
          });
        } else seen.set(key, keyNode);
        if (valueNode !== undefined) walk(valueNode, [...path, key]);
      }
    } else if (node.type === "array") {
      (node.children ?? []).forEach((child, index) => walk(child, [...path, index]));
    }
  };
  walk(source.tree, []);
  return diagnostics;
}

/** How deep objects and arrays may nest; a manifest with inline policies needs about ten levels. */
export const MAX_JSON_NESTING = 64;

/** The offset of the first `[` or `{` past `limit` levels (strings skipped), or undefined. */
function offsetPastNesting(text: string, limit: number): number | undefined {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      for (i++; i < text.length; i++) {
        const d = text.charCodeAt(i);
        if (d === 0x5c /* \ */) i++;
        else if (d === 0x22 || d === 0x0a) break; // a newline ends a broken string: the parser reports it
      }
    } else if (c === 0x5b /* [ */ || c === 0x7b /* { */) {
      if (++depth > limit) return i;
    } else if (c === 0x5d /* ] */ || c === 0x7d /* } */) depth--;
  }
  return undefined;
}

/**
 * Parses strict JSON (no comments, no trailing commas). Every syntax error is reported as
 * IAMC1001 with its line:column, and every duplicate key as IAMC1005.
 */
export function parseJsonSource(file: string, text: string): Result<JsonSource> {
  // a byte order mark is not JSON; blank it rather than drop it so offsets stay those of the file
  const body = text.charCodeAt(0) === 0xfeff ? ` ${text.slice(1)}` : text;
  const lineStarts = computeLineStarts(body);
  const tooDeep = offsetPastNesting(body, MAX_JSON_NESTING);
  if (tooDeep !== undefined) {
    // the tree parser and every walk over the tree recurse per level: refuse before the stack runs out
    return {
      value: undefined,
      diagnostics: [{
        code: "IAMC1007", severity: "error", message: `values nest deeper than ${MAX_JSON_NESTING} levels here`, file,
        span: spanAt({ file, lineStarts }, tooDeep, tooDeep + 1),
        help: "flatten the value: policies, conditions and tags need only a few levels of brackets",
      }],
    };
  }
  const errors: ParseError[] = [];
  const tree = parseTree(body, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  const partial = { file, lineStarts, text: body };
  if (errors.length > 0 || tree === undefined) {
    // the parser's recovery can report twice at one place: the first says it best
    const atOffset = new Set<number>();
    const diagnostics = errors
      .filter((error) => !atOffset.has(error.offset) && atOffset.add(error.offset))
      .map((error) => parseErrorDiagnostic(partial, error));
    if (diagnostics.length === 0) {
      diagnostics.push({ code: "IAMC1001", severity: "error", message: "the file holds no JSON value", file, span: spanAt(partial, 0, 0), help: "write a JSON object" });
    }
    return { value: undefined, diagnostics };
  }
  const source: JsonSource = { file, text: body, tree, value: getNodeValue(tree), lineStarts };
  const diagnostics = findDuplicateKeys(source);
  return { value: diagnostics.length === 0 ? source : undefined, diagnostics };
}
