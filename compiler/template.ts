// Policy variables: `${aws:username}`, `${aws:PrincipalTag/team, 'none'}`, and the escapes
// `${*}`, `${?}`, `${$}`. Read only under `"Version": "2012-10-17"`.
import type { Template, TemplatePart } from "./ir.js";

/** A template, or why the text is not one. */
export type TemplateResult =
  | { readonly ok: true; readonly template: Template }
  | { readonly ok: false; readonly message: string; readonly help: string };

const ESCAPES = new Set(["*", "?", "$"]);
// AWS's form of a default: a single-quoted string after a comma, spaces allowed around it
const WITH_FALLBACK = /^([^,]*),\s*'([^']*)'\s*$/;

/** The text as one `text` part: no variables are read. */
export function plainTemplate(text: string): Template {
  return { source: text, parts: [{ kind: "text", text }] };
}

/** Splits `text` into text, literal and variable parts; an empty or unterminated `${` is an error. */
export function parseTemplate(text: string): TemplateResult {
  const parts: TemplatePart[] = [];
  let rest = 0;
  let at = text.indexOf("${");
  if (at === -1) return { ok: true, template: plainTemplate(text) };
  while (at !== -1) {
    const close = text.indexOf("}", at + 2);
    if (close === -1) {
      return {
        ok: false,
        message: `unterminated policy variable in \`${text}\``,
        help: "close it with `}`, or write `${$}` for a literal `$`",
      };
    }
    if (at > rest) parts.push({ kind: "text", text: text.slice(rest, at) });
    const inner = text.slice(at + 2, close).trim();
    const written = text.slice(at, close + 1);
    if (inner === "") {
      return { ok: false, message: `empty policy variable \`${written}\` in \`${text}\``, help: "name a key, like `${aws:username}`" };
    }
    if (ESCAPES.has(inner)) parts.push({ kind: "literal", text: inner });
    else {
      const fallback = WITH_FALLBACK.exec(inner);
      const key = (fallback === null ? inner : fallback[1]!).trim();
      if (key === "" || /[${}'",]/.test(key)) {
        return {
          ok: false,
          message: `malformed policy variable \`${written}\` in \`${text}\``,
          help: "write `${key}` or `${key, 'default'}` (the default in single quotes)",
        };
      }
      parts.push(fallback === null ? { kind: "variable", key } : { kind: "variable", key, fallback: fallback[2]! });
    }
    rest = close + 1;
    at = text.indexOf("${", rest);
  }
  if (rest < text.length) parts.push({ kind: "text", text: text.slice(rest) });
  return { ok: true, template: { source: text, parts } };
}
