// `.iam` text → the located JSON tree of the manifest (or manifest fragment) it declares.
// Syntax errors are returned as data, several per run: a file that does not parse as a whole is
// parsed again declaration by declaration, so that one broken declaration hides no other.
import { EOF, type CstNode, type IRecognitionException, type IToken, type TokenType } from "chevrotain";
import type { Node } from "jsonc-parser";
import { plainValue, sealTree, type RawNumbers } from "./located.js";
import { describeFound, iamParser, recoveringParser, MANIFEST_FIELDS, RULE_MODELS, type IamParser } from "./parser.js";
import { quote, type TextProblem } from "./problems.js";
import { Comma, ENTITY_KINDS, Equals, EqualsEquals, IAM_LEXER, K, LBrace, LBracket, NotEquals, RBrace, RBracket, StringLiteral, TestKeyword, Word } from "./tokens.js";
import { IamVisitor } from "./visitor.js";

/** A `#` comment: where it is and whether code precedes it on its line. */
export interface CommentToken {
  readonly offset: number;
  readonly text: string;
  readonly trailing: boolean;
}

/** What parsing a `.iam` text gives. */
export interface IamParse {
  /** The located tree, when the text has no syntax error. */
  readonly tree: Node | undefined;
  /** The plain value of the tree (undefined with syntax errors). */
  readonly value: unknown;
  readonly rawNumbers: RawNumbers;
  readonly problems: readonly TextProblem[];
  readonly comments: readonly CommentToken[];
  /** The model the policies were read as: the file's `model`, else the caller's, else `aws`. */
  readonly model: string;
  /** Whether the file declares its model itself. */
  readonly declaresModel: boolean;
}

export interface ParseOptions {
  /** The model to read policies as when the file has no `model` line (default `aws`). */
  readonly model?: string;
}

/** Parses `.iam` text. Pure; never throws for bad input. */
export function parseIam(text: string, options: ParseOptions = {}): IamParse {
  const lexed = IAM_LEXER.tokenize(text);
  const problems = characterProblems(text, lexed.errors);
  const comments = (lexed.groups.comments ?? []).map((token: IToken) => ({
    offset: token.startOffset,
    text: token.image,
    trailing: codeBefore(text, token.startOffset),
  }));
  const tokens = lexed.tokens;
  const declared = declaredModel(tokens);
  const model = declared ?? options.model ?? "aws";
  const tooDeep = nestingProblem(tokens);
  if (tooDeep !== undefined) {
    // the parser recurses per bracket: refuse before it runs out of stack
    return { tree: undefined, value: undefined, rawNumbers: { get: () => undefined }, problems: [...problems, tooDeep], comments, model, declaresModel: declared !== undefined };
  }
  iamParser().rules = recoveringParser().rules = RULE_MODELS.has(model);

  let visitor = new IamVisitor(model);
  // declaration by declaration: each CST is visited and dropped at once, which keeps the heap
  // small (most of a big file's parse time is otherwise the garbage collector's)
  let failed = false;
  for (const declaration of declarations(tokens)) {
    const parsed = parseChunk(declaration, iamParser());
    if (parsed.errors.length > 0) {
      failed = true;
      break;
    }
    for (const item of parsed.items) visitor.item(item);
  }
  if (failed) {
    visitor = new IamVisitor(model);
    // parse again declaration by declaration: every broken one is reported, the others checked
    const chunks = splitDeclarations(tokens, text);
    chunks.forEach((chunk, index) => {
      const next = chunks[index + 1]?.[0];
      if (!startsDeclaration(chunk[0]!)) {
        // not a declaration at all: one error for the stretch up to the next declaration
        problems.push(notADeclaration(chunk[0]!));
        return;
      }
      const parsed = parseChunk(chunk, recoveringParser());
      if (parsed.errors.length === 0) for (const item of parsed.items) visitor.item(item);
      else if (chunk[0]?.tokenType === K.policy) problems.push(...policyProblems(chunk, text, next));
      // what recovery reports after a unit's first error mostly follows from it: one per unit
      else problems.push(...parsed.errors.slice(0, 1).map((error) => syntaxProblem(error, text, chunk, next)));
    });
  }
  problems.push(...visitor.problems);
  const unique = problems.length === 0 ? problems : dedupe(problems);
  if (unique.length > 0) {
    return { tree: undefined, value: undefined, rawNumbers: { get: () => undefined }, problems: unique, comments, model, declaresModel: declared !== undefined };
  }
  const tree = sealTree(visitor.result());
  const { value, rawNumbers } = plainValue(tree, text);
  return { tree, value, rawNumbers, problems: [], comments, model, declaresModel: declared !== undefined };
}

/** How deep `[` and `{` may nest in a `.iam` file; real policies need fewer than ten levels. */
export const MAX_IAM_NESTING = 64;

/** IAMC1110 at the first bracket past MAX_IAM_NESTING levels, if any. */
function nestingProblem(tokens: readonly IToken[]): TextProblem | undefined {
  let depth = 0;
  for (const token of tokens) {
    const type = token.tokenType;
    if (type === LBrace || type === LBracket) {
      if (++depth > MAX_IAM_NESTING) {
        return {
          code: "IAMC1110", message: `values nest deeper than ${MAX_IAM_NESTING} levels here`,
          help: "flatten the value: policies, conditions and tags need only a few levels of brackets",
          offset: token.startOffset, endOffset: token.startOffset + 1,
        };
      }
    } else if (type === RBrace || type === RBracket) depth--;
  }
  return undefined;
}

/** Whether code stands before `offset` on its line. */
function codeBefore(text: string, offset: number): boolean {
  for (let i = offset - 1; i >= 0; i--) {
    const char = text.charCodeAt(i);
    if (char === 10 || char === 13) return false;
    if (char !== 32 && char !== 9) return true;
  }
  return false;
}

function parseChunk(tokens: IToken[], parser: IamParser = recoveringParser()): { items: CstNode[]; errors: IRecognitionException[] } {
  parser.input = tokens;
  const cst = parser.file();
  // without recovery, a failed parse returns no tree
  const items = ((cst as CstNode | undefined)?.children.item ?? []) as CstNode[];
  return { items, errors: parser.errors };
}

const ITEM_STARTS: ReadonlySet<TokenType> = new Set([K.sid, K.statement, K.version, K.id, K.name, K.description]);
/** Tokens after which a value comes next (a value starting the next line still belongs to them). */
const AWAITS_VALUE: ReadonlySet<TokenType> = new Set([
  Comma, K.and, K.on, K.by, K.when, K.not, K.sid, K.is, K.in, K.like, EqualsEquals, NotEquals, LBracket, Equals,
  K.allow, K.deny, K.AWS, K.Service, K.Federated, K.CanonicalUser, K.version, K.id, K.name, K.description,
]);

const EFFECTS: ReadonlySet<TokenType> = new Set([K.allow, K.deny]);

/**
 * The syntax errors of a broken policy, body item by body item: recovery inside one body would
 * skip the statements after the first error, so each is parsed on its own, then the frame
 * (`policy NAME {` ... `}`) without them.
 */
function policyProblems(chunk: readonly IToken[], text: string, next: IToken | undefined): TextProblem[] {
  let open = -1;
  let close = -1;
  let depth = 0;
  for (let i = 0; i < chunk.length; i++) {
    const type = chunk[i]!.tokenType;
    if (type === LBrace || type === LBracket) {
      if (depth === 0 && type === LBrace && open === -1) open = i;
      depth++;
    } else if (type === RBrace || type === RBracket) {
      depth--;
      if (depth === 0 && open !== -1 && close === -1 && type === RBrace) close = i;
    }
  }
  if (open === -1) {
    return parseChunk([...chunk]).errors.slice(0, 1).map((error) => syntaxProblem(error, text, chunk, next));
  }
  const body = chunk.slice(open + 1, close === -1 ? chunk.length : close);
  const items: IToken[][] = [];
  let current: IToken[] = [];
  let pendingEffect = false;
  depth = 0;
  let previous: IToken | undefined;
  for (const token of body) {
    const type = token.tokenType;
    // a value that starts a line where no value is awaited is a misspelt statement: it starts an item
    const strayWord = isWordLike(type) && !codeBefore(text, token.startOffset) && previous !== undefined && !AWAITS_VALUE.has(previous.tokenType);
    const starts = depth === 0 && (ITEM_STARTS.has(type) || (EFFECTS.has(type) && !pendingEffect) || strayWord);
    if (starts && current.length > 0) {
      items.push(current);
      current = [];
    }
    if (depth === 0 && (type === K.sid || type === K.statement)) pendingEffect = true;
    else if (depth === 0 && (EFFECTS.has(type) || ITEM_STARTS.has(type))) pendingEffect = false;
    current.push(token);
    previous = token;
    if (type === LBrace || type === LBracket) depth++;
    else if ((type === RBrace || type === RBracket) && depth > 0) depth--;
  }
  if (current.length > 0) items.push(current);
  const problems: TextProblem[] = [];
  const frame = [...chunk.slice(0, open + 1), ...(close === -1 ? [] : chunk.slice(close))];
  // an unclosed body ends where its last item ends
  problems.push(...parseChunk(frame).errors.slice(0, 1).map((error) => syntaxProblem(error, text, close === -1 ? chunk : frame, next)));
  items.forEach((item, index) => {
    const parser = recoveringParser();
    parser.input = item;
    parser.bodyItem();
    const after = items[index + 1]?.[0] ?? (close === -1 ? next : chunk[close]);
    problems.push(...parser.errors.slice(0, 1).map((error) => syntaxProblem(error, text, item, after, "policyBody")));
  });
  return problems;
}

/** Tokens after which the next token is a value (an id, a name, a list item), whatever word it is. */
const BEFORE_VALUE: ReadonlySet<TokenType> = new Set([K.policy, K.model, K.from, K.in, Comma]);

/**
 * Cuts a token stream where a declaration surely starts: `model` and `policy` at nesting depth 0
 * (reserved: never a value), and a declaration word or list name at depth 0 after a complete
 * value. Cutting too rarely is harmless (a piece may hold several declarations); cutting in the
 * wrong place is not, hence only where no value can stand.
 */
function* declarations(tokens: IToken[]): Generator<IToken[]> {
  let start = 0;
  let depth = 0;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    const type = token.tokenType;
    if (type === LBrace || type === LBracket) depth++;
    else if (type === RBrace || type === RBracket) depth--;
    else if (depth === 0 && i > start) {
      let cut = type === K.model || type === K.policy;
      if (!cut && (type === Word ? MANIFEST_FIELDS.has(token.image) : isEntityKind(type))) {
        const previous = tokens[i - 1]!.tokenType;
        cut = !BEFORE_VALUE.has(previous) && !isEntityKind(previous) && !(previous === Word && MANIFEST_FIELDS.has(tokens[i - 1]!.image));
      }
      if (cut) {
        yield tokens.slice(start, i);
        start = i;
      }
    }
  }
  if (start < tokens.length) yield tokens.slice(start);
}

const isEntityKind = (type: TokenType): boolean => type !== Word && (type.CATEGORIES ?? []).includes(Word);

/** The first `model NAME` of the token stream, if any. */
function declaredModel(tokens: readonly IToken[]): string | undefined {
  for (let i = 0; i < tokens.length - 1; i++) {
    if (tokens[i]!.tokenType !== K.model) continue;
    const next = tokens[i + 1]!;
    if (next.tokenType === StringLiteral) {
      try {
        return JSON.parse(next.image) as string;
      } catch {
        return undefined;
      }
    }
    return isWordLike(next.tokenType) ? next.image : undefined;
  }
  return undefined;
}

const isWordLike = (type: TokenType): boolean => type === Word || (type.CATEGORIES ?? []).includes(Word);

const DECLARATION_WORDS: ReadonlySet<string> = new Set(["model", "policy", "test", ...Object.keys(ENTITY_KINDS)]);
/** Tokens after which a word is a value, not the start of a declaration. */
const VALUE_BEFORE: ReadonlySet<TokenType> = new Set([K.policy, K.model, K.in, K.from]);

/**
 * Splits tokens where a declaration starts: a declaration word at nesting depth 0 that does not
 * stand where a value goes, or one at the start of an unindented line (a `}` may be missing).
 */
function splitDeclarations(tokens: readonly IToken[], text: string): IToken[][] {
  const chunks: IToken[][] = [];
  let current: IToken[] = [];
  let depth = 0;
  tokens.forEach((token, index) => {
    const previous = tokens[index - 1];
    const image = token.image;
    const declarationWord = token.tokenType === Word ? MANIFEST_FIELDS.has(image) : DECLARATION_WORDS.has(image);
    let starts = false;
    if (declarationWord && current.length > 0) {
      const atLineStart = token.startOffset === 0 || text[token.startOffset - 1] === "\n" || text[token.startOffset - 1] === "\r";
      const afterValueWord = previous !== undefined && (VALUE_BEFORE.has(previous.tokenType) || (previous.tokenType.CATEGORIES ?? []).includes(Word) && DECLARATION_WORDS.has(previous.image) && previous.tokenType !== Word);
      starts = atLineStart || (depth === 0 && !afterValueWord && previous?.image !== ",");
    }
    if (starts) {
      chunks.push(current);
      current = [];
      depth = 0;
    }
    current.push(token);
    if (image === "{" || image === "[") depth++;
    else if ((image === "}" || image === "]") && depth > 0) depth--;
  });
  if (current.length > 0) chunks.push(current);
  return chunks;
}

function startsDeclaration(token: IToken): boolean {
  const type = token.tokenType;
  if (type === K.model || type === K.policy || type === TestKeyword) return true;
  if (type === Word) return MANIFEST_FIELDS.has(token.image);
  return (type.CATEGORIES ?? []).includes(Word) && Object.hasOwn(ENTITY_KINDS, token.image);
}

function notADeclaration(token: IToken): TextProblem {
  const near = closest(token.image, KEYWORD_HINTS);
  const help = HELP_BY_RULE.item!;
  return {
    code: "IAMC1102",
    message: `expected a declaration (\`model\`, \`policy\`, \`account\`, \`group\`, \`principal\`, \`resource\`, ...), ${describeFound(token)}`,
    help: near !== undefined && near !== token.image ? `did you mean \`${near}\`? ${help}` : help,
    offset: token.startOffset,
    endOffset: token.startOffset + token.image.length,
  };
}

const HELP_BY_RULE: Readonly<Record<string, string>> = {
  item: "a file holds declarations: `model aws`, `policy NAME { ... }`, `account ID { ... }`, `group`, `principal`, `resource`, `role`, `user`, `accesskey`, `trust`; a test file `test NAME { ... }`",
  policyDecl: "a policy is `policy NAME { STATEMENTS }`, or `policy NAME from FILE`",
  policyBody: "a statement is `allow ACTIONS on RESOURCES [by PRINCIPALS] [when CONDITIONS]`; end the policy with `}`",
  bodyItem: "a statement is `allow ACTIONS on RESOURCES [by PRINCIPALS] [when CONDITIONS]`",
  statement: "a statement is `allow ACTIONS on RESOURCES [by PRINCIPALS] [when CONDITIONS]` (a krutrim rule: `allow SERVICE OPERATIONS [on RESOURCES]`)",
  statementTail: "a statement is `allow ACTIONS on RESOURCES [by PRINCIPALS] [when CONDITIONS]`",
  ruleTail: "a rule is `allow SERVICE OPERATIONS [on RESOURCES]`, e.g. `allow vm Create, Read`",
  onClause: "write the resources after `on`, separated by `,`",
  byClause: "write `by *`, or `by AWS ARN, ...` (also `Service`, `Federated`, `CanonicalUser`)",
  principalKind: "write the principals after the kind, separated by `,`",
  whenClause: "conditions are `KEY OPERATOR VALUES` joined by `and`, e.g. `aws:SourceIp in 10.0.0.0/8`",
  condition: "a condition is `KEY OPERATOR VALUES`: `==`, `!=`, `is`, `in`, `like`, `not in`, `not like` or a name such as `StringEquals`",
  entityDecl: "a declaration is `KIND ID [in account ACCOUNT] { FIELD VALUES ... }`",
  testDecl: "a test is `test NAME { principal P  action A  resource R  expect allow }` (also `context`, `identity`, `via`)",
  testField: "a test's field is `NAME VALUES`, e.g. `action s3:GetObject`; `expect` takes `allow`, `deny`, `ExplicitDeny` or `ImplicitDeny`",
  values: "a value goes here; several are separated by `,` (quote a value that holds spaces or punctuation)",
  value: "a value is a word, a \"quoted string\", `json(...)`, a `[list]` or a `{ key = value }` object",
  list: "a list is `[a, b, c]`",
  object: "an object is `{ key = value, ... }`",
  modelDecl: "write `model aws` (or `cloudalus`, `krutrim`)",
  attribute: "write the attribute's value after it, e.g. `version 2012-10-17`",
  manifestField: "write the field's value after it, e.g. `accounts []`",
};

const KEYWORD_HINTS = ["on", "by", "when", "and", "allow", "deny", "policy", "model", "not", "sid", "version", "statement", "test", ...Object.keys(ENTITY_KINDS)];

function syntaxProblem(error: IRecognitionException, text: string, chunk: readonly IToken[], next: IToken | undefined, unit = "item"): TextProblem {
  const token = error.token;
  let message = error.message;
  if (token.tokenType === EOF) {
    // the unit ended too early: point just after its last token, where the missing part goes
    if (next !== undefined) message = message.replace("found the end of the file", `found ${quote(next.image)}`);
    const last = chunk[chunk.length - 1];
    const offset = last === undefined ? text.length : last.startOffset + last.image.length;
    return { code: "IAMC1102", message, help: helpFor(error, unit), offset, endOffset: offset };
  }
  const previous = (error as { previousToken?: IToken }).previousToken;
  const unitStart = chunk[0]?.startOffset ?? 0;
  if (previous !== undefined && previous.startOffset >= unitStart && !(error.name === "NotAllInputParsedException")) {
    const previousEnd = previous.startOffset + previous.image.length;
    // something is missing at the end of a line: point there, not at the next line's first word
    if (/[\r\n]/.test(text.slice(previousEnd, token.startOffset))) {
      return { code: "IAMC1102", message, help: helpFor(error, unit), offset: previousEnd, endOffset: previousEnd };
    }
  }
  const offset = token.startOffset;
  let help = helpFor(error, unit);
  const near = closest(token.image, KEYWORD_HINTS);
  if (near !== undefined && near !== token.image) help = `did you mean \`${near}\`? ${help}`;
  return { code: "IAMC1102", message, help, offset, endOffset: offset + token.image.length };
}

function helpFor(error: IRecognitionException, unit = "item"): string {
  const rules = error.context?.ruleStack ?? [];
  if (rules.length === 0) return HELP_BY_RULE[unit] ?? HELP_BY_RULE.item!;
  for (let i = rules.length - 1; i >= 0; i--) {
    const help = HELP_BY_RULE[rules[i]!];
    if (help !== undefined) return help;
  }
  return HELP_BY_RULE.item!;
}

/** The keyword one or two edits away from `word`, if exactly one is closest. */
function closest(word: string, candidates: readonly string[]): string | undefined {
  if (word.length < 2) return undefined;
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of candidates) {
    const d = distance(word.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance && d <= Math.max(1, Math.floor(candidate.length / 3))) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length]!;
}

const CHARACTER_HELP: Readonly<Record<string, string>> = {
  "'": "strings use double quotes: `\"...\"`",
  "(": "parentheses appear only in `json(...)`; quote a value that holds them",
  ")": "parentheses appear only in `json(...)`; quote a value that holds them",
  "=": "`=` appears only in `{ key = value }` and `==`; quote a value that holds it",
  "!": "`!` appears only in `!=`; quote a value that holds it",
  "<": "quote a value that holds `<`",
  ">": "quote a value that holds `>`",
};

/** IAMC1101 for each character the lexer skipped; a `'single-quoted'` text is one problem. */
function characterProblems(text: string, errors: readonly { offset: number; length: number }[]): TextProblem[] {
  const problems: TextProblem[] = [];
  let covered = -1;
  for (const error of errors) {
    if (error.offset < covered) continue;
    if (text[error.offset] === "'") {
      const close = text.indexOf("'", error.offset + 1);
      const lineEnd = text.slice(error.offset).search(/[\r\n]/);
      if (close !== -1 && (lineEnd === -1 || close < error.offset + lineEnd)) {
        covered = close + 1;
        problems.push({
          code: "IAMC1101",
          message: `single-quoted text ${quote(text.slice(error.offset, close + 1))}`,
          help: `strings use double quotes: ${quote(JSON.stringify(text.slice(error.offset + 1, close)))}`,
          offset: error.offset,
          endOffset: close + 1,
        });
        continue;
      }
    }
    problems.push(unexpectedCharacter(text, error.offset, error.length));
  }
  return problems;
}

function unexpectedCharacter(text: string, offset: number, length: number): TextProblem {
  const char = text.slice(offset, offset + Math.max(1, length)).slice(0, 1);
  const shown = /[\x00-\x1f\x7f]/.test(char) ? `U+${char.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")}` : char;
  return {
    code: "IAMC1101",
    message: `unexpected character ${quote(shown)}`,
    help: CHARACTER_HELP[char] ?? "quote a value that holds this character",
    offset,
    endOffset: offset + Math.max(1, length),
  };
}

/**
 * One problem per offset, and no syntax error right after a character the lexer skipped (it
 * follows from that one).
 */
function dedupe(problems: readonly TextProblem[]): TextProblem[] {
  const seen = new Set<number>();
  const skipped = new Set(problems.filter((p) => p.code === "IAMC1101").map((p) => p.endOffset));
  return [...problems]
    .sort((a, b) => a.offset - b.offset)
    .filter((p) => {
      if (seen.has(p.offset)) return false;
      seen.add(p.offset);
      return p.code !== "IAMC1102" || !skipped.has(p.offset);
    });
}
