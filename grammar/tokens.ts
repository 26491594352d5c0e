// The DSL's tokens and its one lexer. A bare word is anything without spaces or punctuation, so
// ARNs, actions, CIDRs and condition keys need no quotes; `${...}` inside a word may hold spaces
// and commas (`${aws:PrincipalTag/team, 'default'}`). Keywords are reserved where they would be
// ambiguous; the declaration words (`account`, `user`, ...) are also words, so `kind user` reads.
import { createToken, Lexer, type TokenType } from "chevrotain";

// a word's characters: not space, not punctuation the grammar uses or reserves
const WORD_START = String.raw`[^\s,;{}\[\]()"'=<>!#]`;
const VARIABLE = String.raw`\$\{[^}\r\n]*\}`;
/** A bare word, as the lexer reads it (`#` cannot start one: it starts a comment). */
const WORD_START_TEST = new RegExp(`^${WORD_START}$`);
// runs of plain characters are matched at once; `$` opens a `${...}` variable or stands alone
const PLAIN_CHARS = String.raw`[^\s,;{}\[\]()"'=<>!$]+`;
export const WORD_PATTERN = new RegExp(String.raw`(?:${VARIABLE}|${WORD_START})(?:${PLAIN_CHARS}|${VARIABLE}|\$)*`);

export const WhiteSpace = createToken({ name: "WhiteSpace", pattern: /\s+/, group: Lexer.SKIPPED, line_breaks: true });
export const Comment = createToken({ name: "Comment", pattern: /#[^\r\n]*/, group: "comments" });

/** Any quoted string, closed or not (an unclosed one is reported and read to the line's end). */
export const StringLike = createToken({ name: "StringLike", pattern: Lexer.NA });
export const StringLiteral = createToken({ name: "StringLiteral", pattern: /"(?:[^"\\\r\n]|\\[^\r\n])*"/, categories: [StringLike] });
export const UnterminatedString = createToken({ name: "UnterminatedString", pattern: /"(?:[^"\\\r\n]|\\[^\r\n])*\\?/, categories: [StringLike] });
/** A typed JSON scalar: `json(true)`, `json(10)`, `json("x")`, `json(null)`. */
export const JsonLiteral = createToken({
  name: "JsonLiteral",
  pattern: /json\([ \t]*(?:"(?:[^"\\\r\n]|\\[^\r\n])*"|-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?|true|false|null)[ \t]*\)/,
  start_chars_hint: ["j"],
});

export const LBrace = createToken({ name: "LBrace", pattern: "{", label: "`{`" });
export const RBrace = createToken({ name: "RBrace", pattern: "}", label: "`}`" });
export const LBracket = createToken({ name: "LBracket", pattern: "[", label: "`[`" });
export const RBracket = createToken({ name: "RBracket", pattern: "]", label: "`]`" });
export const Comma = createToken({ name: "Comma", pattern: ",", label: "`,`" });
export const Semicolon = createToken({ name: "Semicolon", pattern: ";", label: "`;`" });
export const EqualsEquals = createToken({ name: "EqualsEquals", pattern: "==", label: "`==`" });
export const NotEquals = createToken({ name: "NotEquals", pattern: "!=", label: "`!=`" });
export const Equals = createToken({ name: "Equals", pattern: "=", label: "`=`" });

export const Word = createToken({
  name: "Word",
  pattern: WORD_PATTERN,
  label: "a value",
  // chevrotain cannot analyze a complement set: list the start characters (as char codes)
  start_chars_hint: Array.from({ length: 0x10000 }, (_, code) => code).filter((code) => WORD_START_TEST.test(String.fromCharCode(code))),
  line_breaks: false,
});

/** Reserved words: a value spelled like one is written in quotes. */
export const KEYWORDS = [
  "model", "policy", "from", "in", "version", "id", "name", "description", "statement", "sid",
  "allow", "deny", "not", "on", "by", "when", "and", "is", "like",
  "AWS", "Service", "Federated", "CanonicalUser",
] as const;

/** Declaration words and the manifest list each one adds to. They are words too (`kind user`). */
export const ENTITY_KINDS = {
  account: "accounts",
  group: "groups",
  principal: "principals",
  resource: "resources",
  role: "roles",
  user: "users",
  accesskey: "accessKeys",
  trust: "trusts",
} as const;

export type EntityKind = keyof typeof ENTITY_KINDS;

/** Every keyword token, for field names (inside a body any word names a field). */
export const Keyword = createToken({ name: "Keyword", pattern: Lexer.NA });
/** Every declaration word. */
export const EntityKindToken = createToken({ name: "EntityKind", pattern: Lexer.NA, categories: [Word] });

const keyword = (image: string, categories: TokenType[] = [Keyword]): TokenType =>
  createToken({ name: `K_${image}`, pattern: image, longer_alt: Word, label: `\`${image}\``, categories });

export const K = Object.fromEntries(KEYWORDS.map((image) => [image, keyword(image)])) as Record<(typeof KEYWORDS)[number], TokenType>;
export const ENTITY_TOKENS = Object.fromEntries(
  Object.keys(ENTITY_KINDS).map((image) => [image, keyword(image, [EntityKindToken, Word])]),
) as Record<EntityKind, TokenType>;

/**
 * `test`: starts a policy test (`test "alice reads" { ... }`). Like the declaration words it is a
 * word everywhere else, so `resource test` and a value `test` need no quotes.
 */
export const TestKeyword = keyword("test", [Word]);

/** Token types in lexing order: first match wins, keywords yield to longer words. */
export const ALL_TOKENS: TokenType[] = [
  WhiteSpace,
  Comment,
  StringLike,
  StringLiteral,
  UnterminatedString,
  JsonLiteral,
  LBrace,
  RBrace,
  LBracket,
  RBracket,
  Comma,
  Semicolon,
  EqualsEquals,
  NotEquals,
  Equals,
  Keyword,
  EntityKindToken,
  ...Object.values(ENTITY_TOKENS),
  TestKeyword,
  ...Object.values(K),
  Word,
];

/** The lexer, built once. */
export const IAM_LEXER = new Lexer(ALL_TOKENS, {
  positionTracking: "onlyOffset",
  ensureOptimizations: true,
  recoveryEnabled: true,
});

const RESERVED: ReadonlySet<string> = new Set(KEYWORDS);
const WHOLE_WORD = new RegExp(`^${WORD_PATTERN.source}$`);

/** Whether `text` can be written without quotes where a value goes. */
export function isBareWord(text: string): boolean {
  return !RESERVED.has(text) && WHOLE_WORD.test(text);
}
