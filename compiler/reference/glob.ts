// The reference matcher for IAM wildcards: obviously right, not fast. The compiled automata and
// the runtime are checked against it.
import type { Template, TemplatePart } from "../ir.js";
import { foldString } from "../automaton.js";

/** A token of a glob after variables are resolved: a literal character, `?` or `*`. */
type GlobToken = { readonly kind: "char"; readonly char: string } | { readonly kind: "any" } | { readonly kind: "star" };

/** Resolves a policy variable to its value, or undefined when it cannot be resolved. */
export type VariableResolver = (key: string) => string | undefined;

const NO_VARIABLES: VariableResolver = () => undefined;

/**
 * Turns template parts into glob tokens. Returns undefined when a variable has no value and no
 * fallback: AWS then treats the element as not matching.
 */
export function tokenize(
  parts: readonly TemplatePart[],
  resolve: VariableResolver = NO_VARIABLES,
  wildcards = true,
): GlobToken[] | undefined {
  const tokens: GlobToken[] = [];
  const pushLiteral = (text: string) => {
    for (const char of text.split("")) tokens.push({ kind: "char", char });
  };
  for (const part of parts) {
    if (part.kind === "literal") pushLiteral(part.text);
    else if (part.kind === "variable") {
      const value = resolve(part.key) ?? part.fallback;
      if (value === undefined) return undefined;
      pushLiteral(value);
    } else if (!wildcards) pushLiteral(part.text);
    else {
      for (const char of part.text.split("")) {
        if (char === "*") tokens.push({ kind: "star" });
        else if (char === "?") tokens.push({ kind: "any" });
        else tokens.push({ kind: "char", char });
      }
    }
  }
  return tokens;
}

/** Whether `text` matches the tokens as a whole; `*` spans any run of characters, `?` one. */
export function matchTokens(tokens: readonly GlobToken[], text: string, ignoreCase = false): boolean {
  // UTF-16 code units, as the automata walk them; case folding likewise unit by unit.
  const chars = (ignoreCase ? foldString(text) : text).split("");
  // matches[j] = the first i tokens match the first j characters
  let matches: boolean[] = new Array<boolean>(chars.length + 1).fill(false);
  matches[0] = true;
  for (const token of tokens) {
    const next = new Array<boolean>(chars.length + 1).fill(false);
    if (token.kind === "star") {
      let seen = false;
      for (let j = 0; j <= chars.length; j++) {
        seen ||= matches[j]!;
        next[j] = seen;
      }
    } else {
      const want = token.kind === "char" ? (ignoreCase ? foldString(token.char) : token.char) : undefined;
      for (let j = 1; j <= chars.length; j++) {
        next[j] = matches[j - 1]! && (want === undefined || chars[j - 1] === want);
      }
    }
    matches = next;
  }
  return matches[chars.length]!;
}

/** Whether `text` matches a pattern template (Action, Resource, StringLike value). */
export function matchTemplate(
  pattern: Template,
  text: string,
  options: { readonly ignoreCase?: boolean; readonly resolve?: VariableResolver } = {},
): boolean {
  const tokens = tokenize(pattern.parts, options.resolve);
  return tokens !== undefined && matchTokens(tokens, text, options.ignoreCase ?? false);
}
