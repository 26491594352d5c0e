// A manifest (or manifest fragment) value → canonical `.iam` text. Total over what the schemas
// accept: a string and a list of one stay apart (`a` vs `[a]`), numbers and booleans stay typed
// (`json(1)` vs `1`), and every key keeps its place in the value. What has no DSL form (an
// unknown top-level key, a statement that is not an object, ...) is a problem, never a guess.
import { CANONICAL_ORDER, ENTITY_LISTS, orderedKeys } from "./canonical.js";
import { NO_RAW_NUMBERS, type RawNumbers } from "./located.js";
import { MANIFEST_FIELDS, RULE_MODELS } from "./parser.js";
import { quote, type ValueProblem } from "./problems.js";
import { ENTITY_KINDS, isBareWord, WORD_PATTERN } from "./tokens.js";
import { ATTRIBUTES, LIST_FIELDS, OPERATOR_SUGAR, TEST_DECISIONS, TEST_LIST_FIELDS, keysOf, type ModelKeys } from "./visitor.js";

/** Comments to put back, by the JSON pointer of the item they belong to. */
export interface CommentPlacement {
  /** Whole-line comments before the item. */
  leading(pointer: string): readonly string[];
  /** A comment at the end of the item's last line. */
  trailing(pointer: string): readonly string[];
  /** Comments after the last item of a block (a policy body, an entity body, the file: `""`). */
  blockEnd(pointer: string): readonly string[];
  /** Comments no item took (each comment is given out once), printed at the end so that none is lost. */
  rest(): readonly string[];
}

export interface PrintOptions {
  /** How to read policies when the value names no model (default `aws`). */
  readonly model?: string;
  /** Numbers as written in the source. */
  readonly rawNumbers?: RawNumbers;
  readonly comments?: CommentPlacement;
  /** Line width the layout aims at (default 100). */
  readonly width?: number;
}

type Path = readonly (string | number)[];

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

const pointerOf = (path: Path): string => path.map((s) => `/${String(s).replaceAll("~", "~0").replaceAll("/", "~1")}`).join("");

const KIND_OF_LIST: Readonly<Record<string, string>> = Object.fromEntries(Object.entries(ENTITY_KINDS).map(([kind, list]) => [list, kind]));
const KEYWORD_OF_ATTRIBUTE: Readonly<Record<string, string>> = Object.fromEntries(Object.entries(ATTRIBUTES).map(([keyword, key]) => [key, keyword]));
const PRINCIPAL_KINDS: readonly string[] = CANONICAL_ORDER.principal;
/** `Allow` -> `allow`: the decisions a test's `expect` writes as a keyword. */
const DECISION_KEYWORDS: Readonly<Record<string, string>> = Object.fromEntries(Object.entries(TEST_DECISIONS).map(([keyword, decision]) => [decision, keyword]));
const INDENT = "  ";

/** A printed item: its lines, without indentation (added by the caller). */
type Lines = string[];

/** Prints a workspace or fragment value as canonical `.iam` text, or says what has no DSL form. */
export function printIam(value: unknown, options: PrintOptions = {}): { text: string | undefined; problems: readonly ValueProblem[] } {
  const printer = new Printer(value, options);
  const text = printer.file();
  return printer.problems.length > 0 ? { text: undefined, problems: printer.problems } : { text, problems: [] };
}

class Printer {
  readonly problems: ValueProblem[] = [];
  private readonly model: string;
  private readonly keys: ModelKeys;
  private readonly raw: RawNumbers;
  private readonly width: number;

  constructor(
    private readonly root: unknown,
    private readonly options: PrintOptions,
  ) {
    const declared = isRecord(root) && typeof root.model === "string" ? root.model : undefined;
    this.model = declared ?? options.model ?? "aws";
    this.keys = keysOf(this.model);
    this.raw = options.rawNumbers ?? NO_RAW_NUMBERS;
    this.width = options.width ?? 100;
  }

  private problem(path: Path, message: string, help: string): void {
    this.problems.push({ code: "IAMC1106", message, help, path });
  }

  // -------------------------------------------------------------------------------------------
  // The file

  file(): string {
    const root = this.root;
    if (!isRecord(root)) {
      this.problem([], "a workspace is an object of declarations", "convert a manifest (an object with `model`, `policies`, ...) or a policy document");
      return "";
    }
    const blocks: { lines: Lines; kind: string; multiline: boolean }[] = [];
    for (const key of orderedKeys(root, "manifest")) {
      const value = root[key];
      const path = [key];
      if (key === "model") {
        blocks.push(this.block(path, [`model ${this.values(value, "value", root, key, path)}`], key));
      } else if (key === "policies" && Array.isArray(value) && value.length > 0 && value.every(isRecord)) {
        value.forEach((entry, index) => blocks.push(this.block([key, index], this.policy(entry, [key, index]), key)));
      } else if (ENTITY_LISTS.has(key) && Array.isArray(value) && value.length > 0 && value.every(isRecord)) {
        value.forEach((entity, index) => blocks.push(this.block([key, index], this.entity(key, entity, [key, index]), key)));
      } else if (key === "tests" && Array.isArray(value) && value.length > 0 && value.every(isRecord)) {
        value.forEach((test, index) => blocks.push(this.block([key, index], this.test(test, [key, index]), key)));
      } else if (MANIFEST_FIELDS.has(key)) {
        blocks.push(this.block(path, [`${key} ${this.values(value, "value", root, key, path)}`], key));
      } else {
        this.problem(path, `the manifest field ${quote(key)} has no DSL form`, "a `.iam` file declares `model`, policies and the model's entities; remove the field or keep the workspace in JSON");
      }
    }
    const out: string[] = [];
    blocks.forEach((block, index) => {
      const previous = blocks[index - 1];
      if (previous !== undefined && (previous.kind !== block.kind || previous.multiline || block.multiline)) out.push("");
      out.push(...block.lines);
    });
    const tail = [...(this.options.comments?.blockEnd("") ?? []), ...(this.options.comments?.rest() ?? [])];
    if (tail.length > 0) {
      if (out.length > 0) out.push("");
      out.push(...tail);
    }
    return out.length === 0 ? "" : `${out.join("\n")}\n`;
  }

  /** An item's lines with its comments: leading ones before, a trailing one at the end of its last line. */
  private withComments(path: Path, lines: Lines): Lines {
    const comments = this.options.comments;
    if (comments === undefined) return lines;
    const pointer = pointerOf(path);
    const leading = [...comments.leading(pointer)];
    const trailing = [...comments.trailing(pointer)];
    // one trailing comment stays at the line's end; more go before the item, where they stay
    const last = trailing.pop();
    leading.push(...trailing);
    const out = [...leading, ...lines];
    if (last !== undefined && out.length > 0) out[out.length - 1] = `${out[out.length - 1]}  ${last}`;
    return out;
  }

  private block(path: Path, lines: Lines, kind: string): { lines: Lines; kind: string; multiline: boolean } {
    const multiline = lines.length > 1;
    return { lines: this.withComments(path, lines), kind, multiline };
  }

  private blockEnd(path: Path): string[] {
    return [...(this.options.comments?.blockEnd(pointerOf(path)) ?? [])];
  }

  // -------------------------------------------------------------------------------------------
  // Policies

  private policy(entry: Record<string, unknown>, path: Path): Lines {
    for (const key of Object.keys(entry)) {
      if (!(CANONICAL_ORDER.policyEntry as readonly string[]).includes(key)) {
        this.problem([...path, key], `a policy entry's field ${quote(key)} has no DSL form`, "a policy entry has `id`, `file` and `document`");
      }
    }
    let header = "policy";
    const { id, file, document } = entry;
    if (id !== undefined) header += ` ${this.scalar(id, [...path, "id"], entry, "id")}`;
    const descriptionInHeader = id !== undefined && isRecord(document) && typeof document.description === "string";
    if (descriptionInHeader) header += ` ${JSON.stringify(document.description)}`;
    if (file !== undefined) header += ` from ${this.scalar(file, [...path, "file"], entry, "file")}`;
    if (document === undefined) {
      if (id === undefined && file === undefined) this.problem(path, "a policy entry with neither `id`, `file` nor `document` has no DSL form", "give the entry a `document` or a `file`");
      return [header];
    }
    const documentPath = [...path, "document"];
    if (!isRecord(document)) {
      this.problem(documentPath, "a policy document that is not an object has no DSL form", "a policy document is an object with `Statement` (or `rules`)");
      return [header];
    }
    const body: Lines = [];
    for (const key of orderedKeys(document, "document")) {
      const value = document[key];
      const keyPath = [...documentPath, key];
      const keyword = KEYWORD_OF_ATTRIBUTE[key];
      if (keyword !== undefined) {
        if (key === "description" && descriptionInHeader) continue;
        body.push(...this.withComments(keyPath, [`${keyword} ${this.values(value, "value", document, key, keyPath)}`]));
      } else if (key === this.keys.statements) {
        body.push(...this.statements(value, keyPath));
      } else {
        const other = key === "Statement" || key === "rules";
        this.problem(
          keyPath,
          other ? `${quote(key)} is not how model \`${this.model}\` writes statements` : `the policy field ${quote(key)} has no DSL form`,
          other ? `model \`${this.model}\` policies hold \`${this.keys.statements}\`; check the workspace's \`model\`` : "a policy has `Version`, `Id`, `name`, `description` and its statements",
        );
      }
    }
    body.push(...this.blockEnd(path));
    if (body.length === 0) return [`${header} {}`];
    return [`${header} {`, ...body.map(indentLine), "}"];
  }

  private statements(value: unknown, path: Path): Lines {
    if (isRecord(value)) {
      const [first = "", ...rest] = this.statement(value, path);
      return this.withComments(path, [`statement ${first}`, ...rest]);
    }
    if (!Array.isArray(value) || value.length === 0) {
      const key = quote(String(path[path.length - 1]));
      this.problem(
        path,
        Array.isArray(value) ? `an empty ${key} list has no DSL form` : `a ${key} that is neither a statement nor a list of them has no DSL form`,
        "a policy written without statements has no such field; give it a statement, or remove the field",
      );
      return [];
    }
    const printed = value.map((statement, index) => {
      const itemPath = [...path, index];
      if (!isRecord(statement)) {
        this.problem(itemPath, "a statement that is not an object has no DSL form", "a statement is an object with `Effect`, `Action`, `Resource`, ...");
        return { lines: [], own: 0 };
      }
      const own = this.statement(statement, itemPath);
      return { lines: this.withComments(itemPath, own), own: own.length };
    });
    // statements with a sid or on several lines are set apart by blank lines
    const spaced = printed.some((p) => p.own > 1);
    const out: Lines = [];
    printed.forEach(({ lines }, index) => {
      if (index > 0 && spaced) out.push("");
      out.push(...lines);
    });
    return out;
  }

  private statement(statement: Record<string, unknown>, path: Path): Lines {
    return RULE_MODELS.has(this.model) ? this.rule(statement, path) : this.awsStatement(statement, path);
  }

  private effect(statement: Record<string, unknown>, key: string, path: Path): string {
    const effect = statement[key];
    if (effect === "Allow") return "allow";
    if (effect === "Deny") return "deny";
    if (effect === undefined) {
      this.problem(path, `a statement without \`${key}\` has no DSL form`, "every statement starts with `allow` or `deny`");
      return "allow";
    }
    if (typeof effect === "string") return JSON.stringify(effect);
    if (effect === null || typeof effect === "number" || typeof effect === "boolean") return this.typed(effect, statement, key);
    this.problem([...path, key], `an \`${key}\` that is not a string has no DSL form`, "write `Allow` or `Deny`");
    return "allow";
  }

  private awsStatement(statement: Record<string, unknown>, path: Path): Lines {
    const keys = this.keys;
    const known = new Set(["Sid", "Effect", "Action", "NotAction", "Resource", "NotResource", keys.by, keys.notBy, "Condition"]);
    for (const key of Object.keys(statement)) {
      if (!known.has(key)) this.problem([...path, key], `the statement field ${quote(key)} has no DSL form`, `a statement has \`Sid\`, \`Effect\`, \`Action\`, \`Resource\`, \`${keys.by}\`, \`Condition\` and their \`Not\` forms`);
    }
    const at = (key: string) => [...path, key];
    const lines: Lines = [];
    if (statement.Sid !== undefined) lines.push(`sid ${this.values(statement.Sid, "value", statement, "Sid", at("Sid"))}`);
    const head: string[] = [this.effect(statement, "Effect", path)];
    if (statement.Action !== undefined) head.push(this.values(statement.Action, "value", statement, "Action", at("Action")));
    if (statement.NotAction !== undefined) head.push(`not ${this.values(statement.NotAction, "value", statement, "NotAction", at("NotAction"))}`);
    const clauses: string[][] = [];
    if (statement.Resource !== undefined) clauses.push([`on ${this.values(statement.Resource, "value", statement, "Resource", at("Resource"))}`]);
    if (statement.NotResource !== undefined) clauses.push([`on not ${this.values(statement.NotResource, "value", statement, "NotResource", at("NotResource"))}`]);
    const principal = (key: string, keyword: string): string[] => {
      const [first = "", ...kinds] = this.principal(statement[key], statement, key, at(key));
      return [`${keyword} ${first}`, ...kinds];
    };
    // a principal clause's kinds stay on its line when they fit, else each gets a line
    const byClauses: string[][] = [];
    if (statement[keys.by] !== undefined) byClauses.push(principal(keys.by, "by"));
    if (statement[keys.notBy] !== undefined) byClauses.push(principal(keys.notBy, "by not"));
    const when = statement.Condition === undefined ? [] : [this.conditions(statement.Condition, at("Condition"))];
    const headText = head.join(" ");
    const all = [...clauses, ...byClauses, ...when];
    // a statement of a lone effect ends with `;`: the next statement's quoted effect would read as its actions
    const end = head.length === 1 && all.length === 0 ? ";" : "";
    const oneLine = [headText, ...all.map((c) => c.join(" "))].join(" ") + end;
    if (oneLine.length + INDENT.length <= this.width) return [...lines, oneLine];
    lines.push(...this.wrap(headText, INDENT.length));
    for (const clause of clauses) for (const part of clause) lines.push(...this.wrap(part, INDENT.length * 2).map(indentLine));
    for (const clause of byClauses) {
      const joined = clause.join(" ");
      if (joined.length + INDENT.length * 2 <= this.width) lines.push(indentLine(joined));
      else clause.forEach((part, index) => lines.push(...this.wrap(part, INDENT.length * (index === 0 ? 2 : 3)).map((l) => indentLine(index === 0 ? l : indentLine(l)))));
    }
    for (const clause of when) for (const part of clause) lines.push(...this.wrap(part, INDENT.length * 2).map(indentLine));
    return lines;
  }

  private rule(rule: Record<string, unknown>, path: Path): Lines {
    for (const key of Object.keys(rule)) {
      if (!(CANONICAL_ORDER.rule as readonly string[]).includes(key)) {
        this.problem([...path, key], `the rule field ${quote(key)} has no DSL form`, "a rule has `service`, `operations`, `effect` and `resources`");
      }
    }
    const lines: Lines = [];
    if (rule.Sid !== undefined) lines.push(`sid ${this.values(rule.Sid, "value", rule, "Sid", [...path, "Sid"])}`);
    const parts = [this.effect(rule, "effect", path)];
    if (rule.service === undefined) this.problem(path, "a rule without `service` has no DSL form", "every rule names its service: `allow vm Read`");
    else parts.push(this.scalar(rule.service, [...path, "service"], rule, "service"));
    if (rule.operations !== undefined) parts.push(this.values(rule.operations, "list", rule, "operations", [...path, "operations"]));
    if (rule.resources !== undefined) parts.push(`on ${this.values(rule.resources, "list", rule, "resources", [...path, "resources"])}`);
    lines.push(...this.wrap(parts.join(" "), INDENT.length));
    return lines;
  }

  /** A principal clause's parts: one per kind (`AWS a, b`, `Service s`), or the value itself. */
  private principal(value: unknown, container: object, key: string, path: Path): string[] {
    if (isRecord(value) && this.keys.by === "Principal") {
      const keys = Object.keys(value);
      if (keys.length > 0 && keys.every((k) => PRINCIPAL_KINDS.includes(k))) {
        return orderedKeys(value, "principal").map((kind) => `${kind} ${this.values(value[kind], "value", value, kind, [...path, kind])}`);
      }
    }
    return [this.values(value, "value", container, key, path)];
  }

  private conditions(value: unknown, path: Path): string[] {
    if (!isRecord(value)) {
      this.problem(path, "a `Condition` that is not an object has no DSL form", "a condition block is `{\"Operator\": {\"key\": values}}`");
      return [];
    }
    const operators = Object.keys(value);
    if (operators.length === 0) return ["when {}"];
    const parts: string[] = [];
    for (const operator of operators) {
      const keys = value[operator];
      const operatorPath = [...path, operator];
      if (!isRecord(keys)) {
        this.problem(operatorPath, `condition operator ${quote(operator)} with a value that is not an object has no DSL form`, "an operator maps condition keys to values: `{\"aws:SourceIp\": \"10.0.0.0/8\"}`");
        continue;
      }
      const names = Object.keys(keys);
      if (names.length === 0) {
        parts.push(`${this.text(operator)} {}`);
        continue;
      }
      const written = OPERATOR_SUGAR[operator] ?? this.text(operator);
      for (const name of names) parts.push(`${this.text(name)} ${written} ${this.values(keys[name], "value", keys, name, [...operatorPath, name])}`);
    }
    return parts.map((part, index) => `${index === 0 ? "when" : "and"} ${part}`);
  }

  // -------------------------------------------------------------------------------------------
  // Entities

  private entity(list: string, entity: Record<string, unknown>, path: Path): Lines {
    const kind = KIND_OF_LIST[list]!;
    let header = kind;
    const fields: Lines = [];
    const { id, account } = entity;
    const headerId = id !== undefined && isScalar(id);
    const headerAccount = account !== undefined && isScalar(account);
    if (headerId) header += ` ${this.scalar(id, [...path, "id"], entity, "id")}`;
    if (headerAccount) header += ` in account ${this.scalar(account, [...path, "account"], entity, "account")}`;
    for (const key of orderedKeys(entity, "entity")) {
      if ((key === "id" && headerId) || (key === "account" && headerAccount)) continue;
      const keyPath = [...path, key];
      const value = this.values(entity[key], LIST_FIELDS.has(key) ? "list" : "value", entity, key, keyPath);
      fields.push(...this.withComments(keyPath, this.wrap(`${this.name(key)} ${value}`, INDENT.length)));
    }
    const end = this.blockEnd(path);
    if (fields.length === 0 && end.length === 0) return [headerId ? header : `${header} {}`];
    const oneLine = `${header} { ${fields[0]} }`;
    if (fields.length === 1 && end.length === 0 && !fields[0]!.includes("#") && oneLine.length <= this.width) return [oneLine];
    return [`${header} {`, ...fields.map(indentLine), ...end.map(indentLine), "}"];
  }

  // -------------------------------------------------------------------------------------------
  // Policy tests

  /** `test NAME {`, one field per line, `}`; `expect` writes `Allow` and `Deny` as `allow` and `deny`. */
  private test(test: Record<string, unknown>, path: Path): Lines {
    let header = "test";
    const headerName = test.name !== undefined && isScalar(test.name);
    if (headerName) header += ` ${this.scalar(test.name, [...path, "name"], test, "name")}`;
    const fields: Lines = [];
    for (const key of orderedKeys(test, "testCase")) {
      if (key === "name" && headerName) continue;
      const keyPath = [...path, key];
      const value = test[key];
      const decision = key === "expect" && typeof value === "string" ? DECISION_KEYWORDS[value] : undefined;
      const written = decision ?? this.values(value, TEST_LIST_FIELDS.has(key) ? "list" : "value", test, key, keyPath);
      fields.push(...this.withComments(keyPath, this.wrap(`${this.name(key)} ${written}`, INDENT.length)));
    }
    const end = this.blockEnd(path);
    if (fields.length === 0 && end.length === 0) return [`${header} {}`];
    return [`${header} {`, ...fields.map(indentLine), ...end.map(indentLine), "}"];
  }

  // -------------------------------------------------------------------------------------------
  // Values

  /**
   * A value where a list may go. `value` mode: a string is bare, a list of two or more is
   * `a, b`, a list of one or none is bracketed. `list` mode (fields that are always lists): a
   * list of strings is `a, b` even when it has one, and anything else is spelt out.
   */
  private values(value: unknown, mode: "value" | "list", container: object, key: string | number, path: Path): string {
    if (Array.isArray(value)) {
      const items = value.map((item, index) => this.value(item, value, index, [...path, index]));
      if (value.length >= 2) return items.join(", ");
      if (mode === "list" && value.length === 1 && typeof value[0] === "string") return items[0]!;
      return `[${items.join(", ")}]`;
    }
    if (mode === "list" && typeof value === "string") return `json(${JSON.stringify(value)})`;
    return this.value(value, container, key, path);
  }

  private value(value: unknown, container: object, key: string | number, path: Path): string {
    if (typeof value === "string") return this.text(value);
    if (value === null || typeof value === "number" || typeof value === "boolean") return this.typed(value, container, key);
    if (Array.isArray(value)) return `[${value.map((item, index) => this.value(item, value, index, [...path, index])).join(", ")}]`;
    if (isRecord(value)) {
      const entries = Object.keys(value).map((k) => `${this.name(k)} = ${this.value(value[k], value, k, [...path, k])}`);
      return entries.length === 0 ? "{}" : `{ ${entries.join(", ")} }`;
    }
    this.problem(path, "this value has no DSL form", "values are strings, numbers, booleans, null, lists and objects");
    return '""';
  }

  /** A single scalar (headers take no list). */
  private scalar(value: unknown, path: Path, container: object, key: string): string {
    if (typeof value === "string") return this.text(value);
    if (value === null || typeof value === "number" || typeof value === "boolean") return this.typed(value, container, key);
    this.problem(path, `a ${quote(key)} that is not a single value has no DSL form here`, `write one ${key}`);
    return '""';
  }

  private typed(value: number | boolean | null, container: object, key: string | number): string {
    if (typeof value === "number") return `json(${this.raw.get(container, key) ?? JSON.stringify(value)})`;
    return `json(${JSON.stringify(value)})`;
  }

  /** A string: bare when it is a word, else quoted. */
  private text(value: string): string {
    return isBareWord(value) ? value : JSON.stringify(value);
  }

  /** A field or entry name: keywords may stand bare there. */
  private name(value: string): string {
    return new RegExp(`^${WORD_PATTERN.source}$`).test(value) ? value : JSON.stringify(value);
  }

  /** Breaks a long `prefix a, b, c` line after commas; continuation lines are indented. */
  private wrap(line: string, indent: number): string[] {
    if (line.length + indent <= this.width || !line.includes(", ")) return [line];
    const pieces = splitTopLevel(line);
    const lines: string[] = [];
    let current = "";
    for (const piece of pieces) {
      const candidate = current === "" ? piece : `${current} ${piece}`;
      if (current !== "" && candidate.length + indent + (lines.length > 0 ? 4 : 0) > this.width) {
        lines.push(current);
        current = piece;
      } else current = candidate;
    }
    if (current !== "") lines.push(current);
    return lines.map((l, i) => (i === 0 ? l : `    ${l}`));
  }
}

const isScalar = (value: unknown): boolean =>
  value === null || typeof value === "string" || typeof value === "number" || typeof value === "boolean";

const indentLine = (line: string): string => (line === "" ? "" : INDENT + line);

/** Splits a printed line after each `, ` outside quotes and brackets; each piece keeps its comma. */
function splitTopLevel(line: string): string[] {
  const pieces: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < line.length; i++) {
    const char = line[i]!;
    if (quoted) {
      if (char === "\\") i++;
      else if (char === '"') quoted = false;
      continue;
    }
    if (char === '"') quoted = true;
    else if (char === "[" || char === "{" || char === "(") depth++;
    else if (char === "]" || char === "}" || char === ")") depth--;
    else if (char === "," && line[i + 1] === " " && depth === 0) {
      pieces.push(line.slice(start, i + 1));
      start = i + 2;
      i++;
    }
  }
  pieces.push(line.slice(start));
  return pieces;
}
