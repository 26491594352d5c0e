// grammar/: the terse DSL. Text in, located JSON out (the same tree a JSON file gives, so every
// later stage reports on DSL line:column); a value in, canonical text out. Pure: no I/O.
import { placeComments } from "./comments.js";
import { parseIam, type ParseOptions } from "./parse.js";
import { printIam } from "./print.js";
import type { TextProblem, ValueProblem } from "./problems.js";

/** Parse `.iam` text into a located JSON tree and its plain value. */
export { parseIam, type CommentToken, type IamParse, type ParseOptions } from "./parse.js";
/** Print a manifest (or fragment) value as canonical `.iam` text. */
export { printIam, type CommentPlacement, type PrintOptions } from "./print.js";
/** Put comments back where they were when a parsed file is printed. */
export { placeComments } from "./comments.js";
/** Canonical JSON: the key order and layout that round-trip through the DSL byte for byte. */
export { CANONICAL_ORDER, writeCanonicalJson, type JsonWriteOptions } from "./canonical.js";
/** A located tree's plain value and the written form of its numbers. */
export { plainValue, NO_RAW_NUMBERS, type RawNumbers } from "./located.js";
/** Problems as data: code, message, help, and offsets or a path. */
export { quote, type GrammarCode, type TextProblem, type ValueProblem } from "./problems.js";
/** The reserved words, the declaration words, and whether a string needs no quotes. */
export { ENTITY_KINDS, KEYWORDS, isBareWord } from "./tokens.js";
/** Entity fields that are always lists, and the condition operators' short forms. */
export { LIST_FIELDS, OPERATOR_SUGAR } from "./visitor.js";

/** `fmt`: parse, then print the value again with the file's comments. */
export function formatIam(
  text: string,
  options: ParseOptions = {},
): { text: string | undefined; problems: readonly TextProblem[]; printProblems: readonly ValueProblem[] } {
  const parsed = parseIam(text, options);
  if (parsed.tree === undefined) return { text: undefined, problems: parsed.problems, printProblems: [] };
  const printed = printIam(parsed.value, {
    model: parsed.model,
    rawNumbers: parsed.rawNumbers,
    comments: placeComments(parsed.tree, text, parsed.comments),
  });
  return { text: printed.text, problems: [], printProblems: printed.problems };
}
