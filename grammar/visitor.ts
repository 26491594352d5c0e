// The CST visitor: DSL declarations → the located JSON tree of the same manifest (or manifest
// fragment) written in JSON. Every property's key node spans the DSL word that introduced it
// (`on` for Resource, `policy` for a policy's id, a field's name), every value node its text.
//
// INVARIANT: a number node spans exactly the number as written inside `json(...)`, so that
// `rawTextAt` (compiler/json-source.ts) reads `2.50` for `json(2.50)` as it does for JSON.
import type { CstElement, CstNode, IToken } from "chevrotain";
import { arrayNode, objectNode, propertyNode, scalarNode, widen, type LocatedNode, type Range } from "./located.js";
import { RULE_MODELS } from "./parser.js";
import { quote, type TextProblem } from "./problems.js";
import { ENTITY_KINDS, JsonLiteral, K, StringLiteral, UnterminatedString, type EntityKind } from "./tokens.js";

/** Entity fields that always hold a list: one bare value there is a list of one. */
export const LIST_FIELDS: ReadonlySet<string> = new Set(["policies", "groups", "roles", "sessionPolicies", "scps", "rcps"]);

/** Policy test fields that always hold a list (`via t-ci` is `"via": ["t-ci"]`). */
export const TEST_LIST_FIELDS: ReadonlySet<string> = new Set(["via"]);

/** The decisions `allow` and `deny` stand for in a test (`expect deny`: either deny). */
export const TEST_DECISIONS: Readonly<Record<string, string>> = { allow: "Allow", deny: "Deny" };

/** Condition operators with a short form, and the short form. */
export const OPERATOR_SUGAR: Readonly<Record<string, string>> = {
  StringEquals: "==",
  StringNotEquals: "!=",
  Bool: "is",
  IpAddress: "in",
  StringLike: "like",
  NotIpAddress: "not in",
  StringNotLike: "not like",
};

const SUGAR_OPERATORS: Readonly<Record<string, string>> = Object.fromEntries(Object.entries(OPERATOR_SUGAR).map(([op, sugar]) => [sugar, op]));

/** Document attributes: the DSL keyword and the JSON key. */
export const ATTRIBUTES: Readonly<Record<string, string>> = { version: "Version", id: "Id", name: "name", description: "description" };

/** The JSON keys a model's documents use for the DSL's words. */
export interface ModelKeys {
  readonly statements: string;
  readonly effect: string;
  readonly by: string;
  readonly notBy: string;
}

/** The keys of `model`'s documents (unknown models read as `aws`). */
export function keysOf(model: string): ModelKeys {
  if (RULE_MODELS.has(model)) return { statements: "rules", effect: "effect", by: "Principal", notBy: "NotPrincipal" };
  if (model === "cloudalus") return { statements: "Statement", effect: "Effect", by: "Identity", notBy: "NotIdentity" };
  return { statements: "Statement", effect: "Effect", by: "Principal", notBy: "NotPrincipal" };
}

type Ctx = Record<string, CstElement[] | undefined>;

const tokensOf = (ctx: Ctx, name: string): IToken[] => (ctx[name] ?? []) as IToken[];
const nodesOf = (ctx: Ctx, name: string): CstNode[] => (ctx[name] ?? []) as CstNode[];
const isToken = (element: CstElement): element is IToken => (element as IToken).image !== undefined;
const tokenRange = (token: IToken): Range => ({ start: token.startOffset, end: token.startOffset + token.image.length });

/** The token a declaration starts with: its keyword, declaration word or field name. */
function firstOwnToken(node: CstNode): IToken {
  const ctx = node.children as Ctx;
  return (ctx.K_model ?? ctx.K_policy ?? ctx.EntityKind ?? ctx.K_test ?? ctx.Word)![0] as IToken;
}

const join = (a: Range, b: Range): Range => ({ start: Math.min(a.start, b.start), end: Math.max(a.end, b.end) });
const rangeOfNode = (node: LocatedNode): Range => ({ start: node.offset, end: node.offset + node.length });

/** How a list of values reads: as itself (one value) or as a list (a bare value is a list of one). */
type ValuesMode = "value" | "list";

/** Collects the properties of one object, reporting a key written twice. */
class ObjectBuilder {
  readonly properties: LocatedNode[] = [];
  private lists: Map<string, LocatedNode> | undefined;
  private readonly seen = new Map<string, Range>();

  constructor(private readonly report: (problem: TextProblem) => void) {}

  /** Sets `key`; a second time is IAMC1105, and the first stays. `what` names it in the message. */
  set(key: string, keyRange: Range, value: LocatedNode, what?: string | (() => string)): void {
    if (this.seen.has(key)) {
      const name = typeof what === "function" ? what() : (what ?? quote(key));
      this.report({
        code: "IAMC1105",
        message: `${name} is written twice`,
        help: "keep one of them (lists take several values separated by `,`)",
        offset: keyRange.start,
        endOffset: keyRange.end,
      });
      return;
    }
    this.seen.set(key, keyRange);
    this.properties.push(propertyNode(key, keyRange, value));
  }

  /** Appends `item` to the list at `key`, which the first append creates. */
  append(key: string, keyRange: Range, item: LocatedNode): void {
    this.lists ??= new Map();
    const list = this.lists.get(key);
    if (list !== undefined) {
      list.children!.push(item);
      item.parent = list;
      widen(list, rangeOfNode(item));
      widen(list.parent!, rangeOfNode(item));
      return;
    }
    if (this.seen.has(key)) {
      this.report({
        code: "IAMC1105",
        message: `\`${key}\` is written both as a list and by declarations`,
        help: `keep the declarations, or the \`${key} [...]\` line`,
        offset: keyRange.start,
        endOffset: keyRange.end,
      });
      return;
    }
    const array = arrayNode([item]);
    this.lists.set(key, array);
    this.seen.set(key, keyRange);
    this.properties.push(propertyNode(key, keyRange, array));
  }

  node(range?: Range): LocatedNode {
    return objectNode(this.properties, range);
  }
}

/** Builds the located tree of one file from the CSTs of its declarations (`item` nodes). */
export class IamVisitor {
  readonly problems: TextProblem[] = [];
  private readonly root = new ObjectBuilder((p) => this.problems.push(p));
  private readonly keys: ModelKeys;
  private firstToken: Range | undefined;
  private readonly report = (problem: TextProblem): void => {
    this.problems.push(problem);
  };

  constructor(readonly model: string) {
    this.keys = keysOf(model);
  }

  /** The root object, after every declaration was visited. */
  result(): LocatedNode {
    return this.root.node(this.firstToken ?? { start: 0, end: 0 });
  }

  // -------------------------------------------------------------------------------------------
  // Declarations

  item(item: CstNode): void {
    const ctx = item.children as Ctx;
    const child = (ctx.modelDecl ?? ctx.policyDecl ?? ctx.entityDecl ?? ctx.testDecl ?? ctx.manifestField)?.[0] as CstNode | undefined;
    if (child === undefined) return;
    // every declaration starts with a token of its own (a keyword, a declaration word, a field name)
    const first = firstOwnToken(child);
    if (this.firstToken === undefined || first.startOffset < this.firstToken.start) this.firstToken = tokenRange(first);
    const children = child.children as Ctx;
    switch (child.name) {
      case "modelDecl":
        return this.root.set("model", tokenRange(first), this.values(nodesOf(children, "values")[0]!, "value"), "`model`");
      case "manifestField":
        return this.root.set(first.image, tokenRange(first), this.values(nodesOf(children, "values")[0]!, "value"));
      case "policyDecl":
        return this.policyDecl(children, first);
      case "entityDecl":
        return this.entityDecl(children, first);
      case "testDecl":
        return this.testDecl(children, first);
    }
  }

  private policyDecl(ctx: Ctx, keywordToken: IToken): void {
    const keyword = tokenRange(keywordToken);
    const entry = new ObjectBuilder(this.report);
    let whole = keyword;
    const name = tokensOf(ctx, "name")[0];
    if (name !== undefined) {
      const node = this.scalar(name);
      entry.set("id", keyword, node, "the policy's name");
      whole = join(whole, rangeOfNode(node));
    }
    const fromKeyword = tokensOf(ctx, "K_from")[0];
    const file = tokensOf(ctx, "file")[0];
    if (fromKeyword !== undefined && file !== undefined) {
      const node = this.scalar(file);
      entry.set("file", tokenRange(fromKeyword), node, "`from`");
      whole = join(whole, rangeOfNode(node));
    }
    const description = tokensOf(ctx, "description")[0];
    const body = nodesOf(ctx, "policyBody")[0];
    if (body !== undefined || description !== undefined) {
      const document = new ObjectBuilder(this.report);
      let range: Range | undefined;
      if (description !== undefined) {
        range = tokenRange(description);
        document.set("description", range, this.stringToken(description), "`description`");
      }
      let open = range;
      if (body !== undefined) {
        const bodyCtx = body.children as Ctx;
        const braces = join(tokenRange(tokensOf(bodyCtx, "LBrace")[0]!), tokenRange(tokensOf(bodyCtx, "RBrace")[0]!));
        this.policyBody(bodyCtx, document);
        range = range === undefined ? braces : join(range, braces);
        open = tokenRange(tokensOf(bodyCtx, "LBrace")[0]!);
      }
      entry.set("document", open!, document.node(range));
      whole = join(whole, range!);
    }
    this.root.append("policies", keyword, entry.node(whole));
  }

  private policyBody(ctx: Ctx, document: ObjectBuilder): void {
    const items = nodesOf(ctx, "bodyItem").map((item) => item.children as Ctx);
    const statements: { node: LocatedNode; marker: IToken | undefined; first: IToken }[] = [];
    for (const item of items) {
      const attribute = nodesOf(item, "attribute")[0];
      if (attribute !== undefined) {
        const children = attribute.children as Ctx;
        const keyword = tokensOf(children, "keyword")[0]!;
        document.set(ATTRIBUTES[keyword.image]!, tokenRange(keyword), this.values(nodesOf(children, "values")[0]!, "value"), () => quote(keyword.image));
        continue;
      }
      const statement = nodesOf(item, "statement")[0]!;
      const children = statement.children as Ctx;
      const marker = tokensOf(children, "K_statement")[0];
      const first = marker ?? tokensOf(children, "K_sid")[0] ?? tokensOf(children, "effect")[0]!;
      statements.push({ node: this.statement(children), marker, first });
    }
    if (statements.length === 0) return;
    const marked = statements.find((s) => s.marker !== undefined);
    if (marked !== undefined) {
      if (statements.length > 1) {
        this.report({
          code: "IAMC1108",
          message: "`statement` marks a policy's only statement, but this policy has several",
          help: "remove `statement`: a policy with several statements lists them one after another",
          offset: marked.marker!.startOffset,
          endOffset: marked.marker!.startOffset + marked.marker!.image.length,
        });
        return;
      }
      document.set(this.keys.statements, tokenRange(marked.marker!), marked.node);
      return;
    }
    document.set(this.keys.statements, tokenRange(statements[0]!.first), arrayNode(statements.map((s) => s.node)));
  }

  private entityDecl(ctx: Ctx, kindToken: IToken): void {
    const kind = kindToken.image as EntityKind;
    const keyword = tokenRange(kindToken);
    const entity = new ObjectBuilder(this.report);
    let whole = keyword;
    const id = tokensOf(ctx, "id")[0];
    if (id !== undefined) {
      const node = this.scalar(id);
      entity.set("id", keyword, node, "the id");
      whole = join(whole, rangeOfNode(node));
    }
    const accountWord = tokensOf(ctx, "K_account")[0];
    const account = tokensOf(ctx, "account")[0];
    if (accountWord !== undefined && account !== undefined) {
      const node = this.scalar(account);
      entity.set("account", tokenRange(accountWord), node);
      whole = join(whole, rangeOfNode(node));
    }
    const names = tokensOf(ctx, "name");
    const values = nodesOf(ctx, "values");
    names.forEach((nameToken, index) => {
      const valuesNode = values[index];
      if (valuesNode === undefined) return;
      const name = this.name(nameToken);
      entity.set(name, tokenRange(nameToken), this.values(valuesNode, LIST_FIELDS.has(name) ? "list" : "value"));
    });
    const close = tokensOf(ctx, "RBrace")[0];
    if (close !== undefined) whole = join(whole, tokenRange(close));
    this.root.append(ENTITY_KINDS[kind], keyword, entity.node(whole));
  }

  /** `test NAME { FIELD VALUES ... }`: one entry of the test file's `tests`, named by its header. */
  private testDecl(ctx: Ctx, keywordToken: IToken): void {
    const keyword = tokenRange(keywordToken);
    const test = new ObjectBuilder(this.report);
    let whole = keyword;
    const name = tokensOf(ctx, "name")[0];
    if (name !== undefined) test.set("name", keyword, this.scalar(name), "the test's name");
    for (const field of nodesOf(ctx, "testField")) {
      const children = field.children as Ctx;
      const nameToken = tokensOf(children, "name")[0]!;
      const key = this.name(nameToken);
      const decision = tokensOf(children, "decision")[0];
      const value =
        decision === undefined
          ? this.values(nodesOf(children, "values")[0]!, TEST_LIST_FIELDS.has(key) ? "list" : "value")
          : scalarNode(TEST_DECISIONS[decision.image]!, tokenRange(decision));
      test.set(key, tokenRange(nameToken), value);
    }
    const close = tokensOf(ctx, "RBrace")[0];
    if (close !== undefined) whole = join(whole, tokenRange(close));
    this.root.append("tests", keyword, test.node(whole));
  }

  // -------------------------------------------------------------------------------------------
  // Statements and rules

  private statement(ctx: Ctx): LocatedNode {
    const statement = new ObjectBuilder(this.report);
    const sidKeyword = tokensOf(ctx, "K_sid")[0];
    const sid = nodesOf(ctx, "sid")[0];
    if (sidKeyword !== undefined && sid !== undefined) statement.set("Sid", tokenRange(sidKeyword), this.values(sid, "value"), "`sid`");
    const effectToken = tokensOf(ctx, "effect")[0]!;
    const effect =
      effectToken.tokenType === K.allow
        ? scalarNode("Allow", tokenRange(effectToken))
        : effectToken.tokenType === K.deny
          ? scalarNode("Deny", tokenRange(effectToken))
          : this.scalar(effectToken);
    statement.set(this.keys.effect, rangeOfNode(effect), effect);
    const tail = nodesOf(ctx, "statementTail")[0];
    if (tail !== undefined) this.statementTail(tail.children as Ctx, statement);
    const rule = nodesOf(ctx, "ruleTail")[0];
    if (rule !== undefined) this.ruleTail(rule.children as Ctx, statement);
    const start = tokensOf(ctx, "K_statement")[0] ?? sidKeyword;
    let range: Range | undefined;
    if (start !== undefined || rule !== undefined) {
      range = start === undefined ? rangeOfNode(effect) : tokenRange(start);
      for (const property of statement.properties) range = join(range, rangeOfNode(property));
    }
    return statement.node(range);
  }

  private statementTail(ctx: Ctx, statement: ObjectBuilder): void {
    const actions = nodesOf(ctx, "actions")[0];
    if (actions !== undefined) {
      const node = this.values(actions, "value");
      statement.set("Action", rangeOfNode(node), node, "the action list");
    }
    const not = tokensOf(ctx, "K_not")[0];
    const notActions = nodesOf(ctx, "notActions")[0];
    if (not !== undefined && notActions !== undefined) statement.set("NotAction", tokenRange(not), this.values(notActions, "value"), "`not`");
    for (const clause of nodesOf(ctx, "onClause")) {
      const children = clause.children as Ctx;
      const { keyRange, negated } = this.keyword(children, "K_on");
      statement.set(negated ? "NotResource" : "Resource", keyRange, this.values(nodesOf(children, "values")[0]!, "value"), negated ? "`on not`" : "`on`");
    }
    for (const clause of nodesOf(ctx, "byClause")) {
      const children = clause.children as Ctx;
      const { keyRange, negated } = this.keyword(children, "K_by");
      const kinds = nodesOf(children, "principalKind");
      let value: LocatedNode;
      if (kinds.length > 0) {
        const principal = new ObjectBuilder(this.report);
        for (const kind of kinds) {
          const kindCtx = kind.children as Ctx;
          const kindToken = tokensOf(kindCtx, "kind")[0]!;
          principal.set(kindToken.image, tokenRange(kindToken), this.values(nodesOf(kindCtx, "values")[0]!, "value"));
        }
        value = principal.node();
      } else value = this.values(nodesOf(children, "values")[0]!, "value");
      statement.set(negated ? this.keys.notBy : this.keys.by, keyRange, value, negated ? "`by not`" : "`by`");
    }
    for (const clause of nodesOf(ctx, "whenClause")) {
      const children = clause.children as Ctx;
      const keyword = tokensOf(children, "K_when")[0]!;
      statement.set("Condition", tokenRange(keyword), this.conditions(children, tokenRange(keyword)), "`when`");
    }
  }

  private ruleTail(ctx: Ctx, rule: ObjectBuilder): void {
    const service = this.scalar(tokensOf(ctx, "service")[0]!);
    rule.set("service", rangeOfNode(service), service, "the service");
    const operations = nodesOf(ctx, "operations")[0];
    if (operations !== undefined) {
      const node = this.values(operations, "list");
      rule.set("operations", rangeOfNode(node), node, "the operation list");
    }
    const on = tokensOf(ctx, "K_on")[0];
    const resources = nodesOf(ctx, "resources")[0];
    if (on !== undefined && resources !== undefined) rule.set("resources", tokenRange(on), this.values(resources, "list"), "`on`");
  }

  /** A clause keyword and an optional `not` after it: the key range covers both. */
  private keyword(ctx: Ctx, name: string): { keyRange: Range; negated: boolean } {
    const keyword = tokenRange(tokensOf(ctx, name)[0]!);
    const not = tokensOf(ctx, "K_not")[0];
    return { keyRange: not === undefined ? keyword : join(keyword, tokenRange(not)), negated: not !== undefined };
  }

  private conditions(ctx: Ctx, keyword: Range): LocatedNode {
    const conditions = nodesOf(ctx, "condition");
    if (conditions.length === 0) return objectNode([], join(keyword, tokenRange(tokensOf(ctx, "RBrace")[0]!)));
    const operators = new Map<string, { keyRange: Range; keys: ObjectBuilder; empty?: Range }>();
    const operatorOf = (name: string, keyRange: Range) => {
      let entry = operators.get(name);
      if (entry === undefined) {
        entry = { keyRange, keys: new ObjectBuilder(this.report) };
        operators.set(name, entry);
      }
      return entry;
    };
    for (const condition of conditions) {
      const children = condition.children as Ctx;
      const keyNode = this.scalar(tokensOf(children, "key")[0]!);
      const key = keyText(keyNode);
      const open = tokensOf(children, "LBrace")[0];
      if (open !== undefined) {
        // `Operator {}`: an operator that tests no key
        const entry = operatorOf(key, rangeOfNode(keyNode));
        entry.empty = join(tokenRange(open), tokenRange(tokensOf(children, "RBrace")[0]!));
        continue;
      }
      const op = tokensOf(children, "op");
      let name: string;
      let operatorRange: Range;
      if (op.length === 1 && (op[0]!.tokenType === StringLiteral || op[0]!.tokenType === UnterminatedString || op[0]!.tokenType === JsonLiteral || SUGAR_OPERATORS[op[0]!.image] === undefined)) {
        const node = this.scalar(op[0]!);
        name = keyText(node);
        operatorRange = rangeOfNode(node);
      } else {
        name = SUGAR_OPERATORS[op.map((t) => t.image).join(" ")]!;
        operatorRange = join(tokenRange(op[0]!), tokenRange(op[op.length - 1]!));
      }
      const entry = operatorOf(name, operatorRange);
      entry.keys.set(key, rangeOfNode(keyNode), this.values(nodesOf(children, "values")[0]!, "value"), () => `the condition on ${quote(key)} with \`${name}\``);
    }
    const properties = [...operators].map(([name, entry]) => {
      const value = entry.keys.properties.length === 0 && entry.empty !== undefined ? objectNode([], entry.empty) : entry.keys.node();
      return propertyNode(name, entry.keyRange, value);
    });
    let range = keyword;
    for (const property of properties) range = join(range, rangeOfNode(property));
    return objectNode(properties, range);
  }

  // -------------------------------------------------------------------------------------------
  // Values

  /** A comma-separated list: one value is itself (or, in `list` mode, a bare value a list of one). */
  private values(node: CstNode, mode: ValuesMode): LocatedNode {
    const written = (node.children as Ctx).item ?? [];
    if (written.length === 1) {
      const only = written[0]!;
      const value = this.element(only);
      if (mode === "list" && isToken(only) && only.tokenType !== JsonLiteral) return arrayNode([value]);
      return value;
    }
    const items = written.map((element) => this.element(element));
    return arrayNode(items);
  }

  private element(element: CstElement): LocatedNode {
    if (isToken(element)) return this.scalar(element);
    const ctx = element.children as Ctx;
    if (element.name === "list") {
      const items = nodesOf(ctx, "item").map((value) => this.element((value.children as Ctx).item![0]!));
      return arrayNode(items, join(tokenRange(tokensOf(ctx, "LBracket")[0]!), tokenRange(tokensOf(ctx, "RBracket")[0]!)));
    }
    if (element.name === "value") return this.element(ctx.item![0]!);
    const builder = new ObjectBuilder(this.report);
    const names = tokensOf(ctx, "name");
    const values = nodesOf(ctx, "item");
    names.forEach((nameToken, index) => {
      const value = values[index];
      if (value !== undefined) builder.set(this.name(nameToken), tokenRange(nameToken), this.element((value.children as Ctx).item![0]!));
    });
    return builder.node(join(tokenRange(tokensOf(ctx, "LBrace")[0]!), tokenRange(tokensOf(ctx, "RBrace")[0]!)));
  }

  /** A word, a quoted string or a `json(...)` literal. */
  private scalar(token: IToken): LocatedNode {
    const type = token.tokenType;
    if (type === StringLiteral || type === UnterminatedString) return this.stringToken(token);
    if (type === JsonLiteral) return this.jsonLiteral(token);
    return scalarNode(token.image, tokenRange(token));
  }

  /** A field or entry name: a word, a keyword or a quoted string. */
  private name(token: IToken): string {
    if (token.tokenType === StringLiteral || token.tokenType === UnterminatedString) return String(this.stringToken(token).value);
    return token.image;
  }

  private stringToken(token: IToken): LocatedNode {
    const image = token.image;
    const range = tokenRange(token);
    if (token.tokenType === UnterminatedString) {
      this.report({
        code: "IAMC1103",
        message: "unterminated string",
        help: "close the string with `\"` on the same line (write a line break as `\\n`)",
        offset: range.start,
        endOffset: range.end,
      });
      return scalarNode(image.slice(1), range);
    }
    // most strings have no escape: no JSON parse needed
    if (!image.includes("\\")) return scalarNode(image.slice(1, -1), range);
    try {
      return scalarNode(JSON.parse(image) as string, range);
    } catch {
      const escape = /\\(u(?![0-9a-fA-F]{4})|[^"\\/bfnrtu])/.exec(image);
      this.report({
        code: "IAMC1103",
        message: escape === null ? "malformed string" : `invalid escape ${quote(escape[0])} in a string`,
        help: "strings use JSON escapes: `\\\"` `\\\\` `\\/` `\\b` `\\f` `\\n` `\\r` `\\t` `\\uXXXX`",
        offset: range.start,
        endOffset: range.end,
      });
      return scalarNode(image.slice(1, -1), range);
    }
  }

  private jsonLiteral(token: IToken): LocatedNode {
    const open = token.image.indexOf("(") + 1;
    const inner = token.image.slice(open, -1);
    const lead = inner.length - inner.trimStart().length;
    const literal = inner.trim();
    const start = token.startOffset + open + lead;
    if (literal.startsWith('"')) return this.stringToken({ ...token, tokenType: StringLiteral, image: literal, startOffset: start });
    return scalarNode(JSON.parse(literal) as number | boolean | null, { start, end: start + literal.length });
  }
}

/** The text of a scalar used as a key: a string's value, else its JSON form. */
function keyText(node: LocatedNode): string {
  return typeof node.value === "string" ? node.value : JSON.stringify(node.value);
}
