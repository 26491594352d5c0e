// The DSL's grammar as one chevrotain CST parser, built once and reused. Newlines mean nothing:
// a list goes on while commas follow, and every clause starts with its keyword.
//
//   file       = item*
//   item       = "model" values | policy | entity | test | LISTNAME values
//   policy     = "policy" scalar? string? ("from" scalar)? ("{" bodyItem* "}")?
//   bodyItem   = ("version" | "id" | "name" | "description") values | statement
//   statement  = "statement"? ("sid" values)? effect tail ";"?
//   effect     = "allow" | "deny" | STRING | "json(" JSON-SCALAR ")"
//   tail       = values? ("not" values)? clause*                    (aws, cloudalus)
//              | scalar values? ("on" values)?                      (krutrim: service, operations, resources)
//   clause     = "on" "not"? values | "by" "not"? principal | "when" conditions
//   principal  = (("AWS" | "Service" | "Federated" | "CanonicalUser") values)+ | values
//   conditions = "{" "}" | condition ("and" condition)*
//   condition  = scalar ("{" "}" | operator values)
//   operator   = "==" | "!=" | "is" | "in" | "like" | "not" ("in" | "like") | scalar
//   entity     = KIND scalar? ("in" "account" scalar)? ("{" (name values)* "}")?
//   test       = "test" scalar? "{" (name ("allow" | "deny" | values))* "}"   (a policy test file)
//   values     = value ("," value)*
//   value      = scalar | "[" (value ("," value)* ","?)? "]" | "{" (name "=" value ","?)* "}"
//   scalar     = WORD | STRING | "json(" JSON-SCALAR ")"
import { CstParser, EOF, type IParserErrorMessageProvider, type IToken, type TokenType } from "chevrotain";
import {
  ALL_TOKENS,
  Comma,
  ENTITY_TOKENS,
  EntityKindToken,
  Equals,
  EqualsEquals,
  JsonLiteral,
  K,
  Keyword,
  LBrace,
  LBracket,
  NotEquals,
  RBrace,
  RBracket,
  Semicolon,
  StringLike,
  TestKeyword,
  Word,
} from "./tokens.js";

/**
 * Top-level names that take a value directly (`accounts []`, `$schema "..."`): a manifest's
 * fields, and a policy test file's (`workspace ../company`, `tests []`).
 */
export const MANIFEST_FIELDS: ReadonlySet<string> = new Set([
  "$schema", "policies", "accounts", "roles", "groups", "principals", "users", "accessKeys", "trusts", "resources",
  "workspace", "tests",
]);

/** Models whose policies are CRUD rules (`allow vm Create, Read`) rather than statements. */
export const RULE_MODELS: ReadonlySet<string> = new Set(["krutrim"]);

/** The chevrotain parser of `.iam` files. One instance serves every parse (see {@link iamParser}). */
export class IamParser extends CstParser {
  /** Whether policy bodies hold krutrim rules; set before each parse. */
  rules = false;

  constructor(recovery: boolean) {
    super(ALL_TOKENS, { recoveryEnabled: recovery, nodeLocationTracking: "none", maxLookahead: 3, errorMessageProvider: MESSAGES });
    this.performSelfAnalysis();
  }

  // Values are consumed where they stand (no rule per value: rule calls are most of a CST
  // parser's cost), each under one label so that the CST keeps them in order.

  file = this.RULE("file", () => {
    this.MANY(() => this.SUBRULE(this.item));
  });

  item = this.RULE("item", () => {
    // every declaration is known by its first token (the declaration words and `test` are words
    // too, hence the order): deeper lookahead would only turn a broken body's error into
    // "expected a declaration" at its first word
    this.OR({
      IGNORE_AMBIGUITIES: true,
      MAX_LOOKAHEAD: 1,
      DEF: [
        { ALT: () => this.SUBRULE(this.modelDecl) },
        { ALT: () => this.SUBRULE(this.policyDecl) },
        { ALT: () => this.SUBRULE(this.entityDecl) },
        { ALT: () => this.SUBRULE(this.testDecl) },
        { GATE: () => MANIFEST_FIELDS.has(this.LA(1).image), ALT: () => this.SUBRULE(this.manifestField) },
      ],
    });
  });

  modelDecl = this.RULE("modelDecl", () => {
    this.CONSUME(K.model);
    this.SUBRULE(this.values);
  });

  manifestField = this.RULE("manifestField", () => {
    this.CONSUME(Word);
    this.SUBRULE(this.values);
  });

  policyDecl = this.RULE("policyDecl", () => {
    this.CONSUME(K.policy);
    this.OPTION(() => {
      this.OR([
        { ALT: () => this.CONSUME(Word, { LABEL: "name" }) },
        { ALT: () => this.CONSUME(StringLike, { LABEL: "name" }) },
        { ALT: () => this.CONSUME(JsonLiteral, { LABEL: "name" }) },
      ]);
    });
    this.OPTION2(() => this.CONSUME2(StringLike, { LABEL: "description" }));
    this.OPTION3(() => {
      this.CONSUME(K.from);
      this.OR2([
        { ALT: () => this.CONSUME2(Word, { LABEL: "file" }) },
        { ALT: () => this.CONSUME3(StringLike, { LABEL: "file" }) },
        { ALT: () => this.CONSUME2(JsonLiteral, { LABEL: "file" }) },
      ]);
    });
    this.OPTION4(() => this.SUBRULE(this.policyBody));
  });

  policyBody = this.RULE("policyBody", () => {
    this.CONSUME(LBrace);
    this.MANY(() => this.SUBRULE(this.bodyItem));
    this.CONSUME(RBrace);
  });

  bodyItem = this.RULE("bodyItem", () => {
    this.OR([{ ALT: () => this.SUBRULE(this.attribute) }, { ALT: () => this.SUBRULE(this.statement) }]);
  });

  attribute = this.RULE("attribute", () => {
    this.OR([
      { ALT: () => this.CONSUME(K.version, { LABEL: "keyword" }) },
      { ALT: () => this.CONSUME(K.id, { LABEL: "keyword" }) },
      { ALT: () => this.CONSUME(K.name, { LABEL: "keyword" }) },
      { ALT: () => this.CONSUME(K.description, { LABEL: "keyword" }) },
    ]);
    this.SUBRULE(this.values);
  });

  statement = this.RULE("statement", () => {
    this.OPTION(() => this.CONSUME(K.statement));
    this.OPTION2(() => {
      this.CONSUME(K.sid);
      this.SUBRULE(this.values, { LABEL: "sid" });
    });
    this.OR([
      { ALT: () => this.CONSUME(K.allow, { LABEL: "effect" }) },
      { ALT: () => this.CONSUME(K.deny, { LABEL: "effect" }) },
      // any other effect is quoted, so that a misspelt clause word is not read as a statement
      { ALT: () => this.CONSUME(StringLike, { LABEL: "effect" }) },
      { ALT: () => this.CONSUME(JsonLiteral, { LABEL: "effect" }) },
    ]);
    this.OR2({
      IGNORE_AMBIGUITIES: true,
      DEF: [
        { GATE: () => this.rules, ALT: () => this.SUBRULE(this.ruleTail) },
        { GATE: () => !this.rules, ALT: () => this.SUBRULE(this.statementTail) },
      ],
    });
    this.OPTION3(() => this.CONSUME(Semicolon));
  });

  statementTail = this.RULE("statementTail", () => {
    this.OPTION(() => this.SUBRULE(this.values, { LABEL: "actions" }));
    this.OPTION2(() => {
      this.CONSUME(K.not);
      this.SUBRULE2(this.values, { LABEL: "notActions" });
    });
    this.MANY(() => {
      this.OR([
        { ALT: () => this.SUBRULE(this.onClause) },
        { ALT: () => this.SUBRULE(this.byClause) },
        { ALT: () => this.SUBRULE(this.whenClause) },
      ]);
    });
  });

  ruleTail = this.RULE("ruleTail", () => {
    this.OR([
      { ALT: () => this.CONSUME(Word, { LABEL: "service" }) },
      { ALT: () => this.CONSUME(StringLike, { LABEL: "service" }) },
      { ALT: () => this.CONSUME(JsonLiteral, { LABEL: "service" }) },
    ]);
    this.OPTION(() => this.SUBRULE(this.values, { LABEL: "operations" }));
    this.OPTION2(() => {
      this.CONSUME(K.on);
      this.SUBRULE2(this.values, { LABEL: "resources" });
    });
  });

  onClause = this.RULE("onClause", () => {
    this.CONSUME(K.on);
    this.OPTION(() => this.CONSUME(K.not));
    this.SUBRULE(this.values);
  });

  byClause = this.RULE("byClause", () => {
    this.CONSUME(K.by);
    this.OPTION(() => this.CONSUME(K.not));
    this.OR([
      { ALT: () => this.AT_LEAST_ONE(() => this.SUBRULE(this.principalKind)) },
      { ALT: () => this.SUBRULE(this.values) },
    ]);
  });

  principalKind = this.RULE("principalKind", () => {
    this.OR([
      { ALT: () => this.CONSUME(K.AWS, { LABEL: "kind" }) },
      { ALT: () => this.CONSUME(K.Service, { LABEL: "kind" }) },
      { ALT: () => this.CONSUME(K.Federated, { LABEL: "kind" }) },
      { ALT: () => this.CONSUME(K.CanonicalUser, { LABEL: "kind" }) },
    ]);
    this.SUBRULE(this.values);
  });

  whenClause = this.RULE("whenClause", () => {
    this.CONSUME(K.when);
    this.OR([
      {
        ALT: () => {
          this.CONSUME(LBrace);
          this.CONSUME(RBrace);
        },
      },
      { ALT: () => this.AT_LEAST_ONE_SEP({ SEP: K.and, DEF: () => this.SUBRULE(this.condition) }) },
    ]);
  });

  condition = this.RULE("condition", () => {
    this.OR([
      { ALT: () => this.CONSUME(Word, { LABEL: "key" }) },
      { ALT: () => this.CONSUME(StringLike, { LABEL: "key" }) },
      { ALT: () => this.CONSUME(JsonLiteral, { LABEL: "key" }) },
    ]);
    this.OR2([
      {
        ALT: () => {
          this.CONSUME(LBrace);
          this.CONSUME(RBrace);
        },
      },
      {
        ALT: () => {
          this.OR3([
            { ALT: () => this.CONSUME(EqualsEquals, { LABEL: "op" }) },
            { ALT: () => this.CONSUME(NotEquals, { LABEL: "op" }) },
            { ALT: () => this.CONSUME(K.is, { LABEL: "op" }) },
            { ALT: () => this.CONSUME(K.in, { LABEL: "op" }) },
            { ALT: () => this.CONSUME(K.like, { LABEL: "op" }) },
            {
              ALT: () => {
                this.CONSUME(K.not, { LABEL: "op" });
                this.OR4([{ ALT: () => this.CONSUME2(K.in, { LABEL: "op" }) }, { ALT: () => this.CONSUME2(K.like, { LABEL: "op" }) }]);
              },
            },
            { ALT: () => this.CONSUME2(Word, { LABEL: "op" }) },
            { ALT: () => this.CONSUME2(StringLike, { LABEL: "op" }) },
            { ALT: () => this.CONSUME2(JsonLiteral, { LABEL: "op" }) },
          ]);
          this.SUBRULE(this.values);
        },
      },
    ]);
  });

  entityDecl = this.RULE("entityDecl", () => {
    this.CONSUME(EntityKindToken);
    this.OPTION(() => {
      this.OR([
        { ALT: () => this.CONSUME(Word, { LABEL: "id" }) },
        { ALT: () => this.CONSUME(StringLike, { LABEL: "id" }) },
        { ALT: () => this.CONSUME(JsonLiteral, { LABEL: "id" }) },
      ]);
    });
    this.OPTION2(() => {
      this.CONSUME(K.in);
      this.CONSUME(ENTITY_TOKENS.account);
      this.OR2([
        { ALT: () => this.CONSUME2(Word, { LABEL: "account" }) },
        { ALT: () => this.CONSUME2(StringLike, { LABEL: "account" }) },
        { ALT: () => this.CONSUME2(JsonLiteral, { LABEL: "account" }) },
      ]);
    });
    this.OPTION3(() => {
      this.CONSUME(LBrace);
      this.MANY(() => {
        this.OR3([
          { ALT: () => this.CONSUME3(Word, { LABEL: "name" }) },
          { ALT: () => this.CONSUME3(StringLike, { LABEL: "name" }) },
          { ALT: () => this.CONSUME(Keyword, { LABEL: "name" }) },
        ]);
        this.SUBRULE(this.values);
      });
      this.CONSUME(RBrace);
    });
  });

  // A policy test: a request and the decision it must get. The body reads like an entity's,
  // except that `allow` and `deny` (reserved, so no value) may stand as a field's value.
  testDecl = this.RULE("testDecl", () => {
    this.CONSUME(TestKeyword);
    this.OPTION(() => {
      this.OR([
        { ALT: () => this.CONSUME(Word, { LABEL: "name" }) },
        { ALT: () => this.CONSUME(StringLike, { LABEL: "name" }) },
        { ALT: () => this.CONSUME(JsonLiteral, { LABEL: "name" }) },
      ]);
    });
    this.CONSUME(LBrace);
    this.MANY(() => this.SUBRULE(this.testField));
    this.CONSUME(RBrace);
  });

  testField = this.RULE("testField", () => {
    this.OR([
      { ALT: () => this.CONSUME(Word, { LABEL: "name" }) },
      { ALT: () => this.CONSUME(StringLike, { LABEL: "name" }) },
      { ALT: () => this.CONSUME(Keyword, { LABEL: "name" }) },
    ]);
    this.OR2([
      { ALT: () => this.CONSUME(K.allow, { LABEL: "decision" }) },
      { ALT: () => this.CONSUME(K.deny, { LABEL: "decision" }) },
      { ALT: () => this.SUBRULE(this.values) },
    ]);
  });

  values = this.RULE("values", () => {
    this.OR([
      { ALT: () => this.CONSUME(Word, { LABEL: "item" }) },
      { ALT: () => this.CONSUME(StringLike, { LABEL: "item" }) },
      { ALT: () => this.CONSUME(JsonLiteral, { LABEL: "item" }) },
      { ALT: () => this.SUBRULE(this.list, { LABEL: "item" }) },
      { ALT: () => this.SUBRULE(this.object, { LABEL: "item" }) },
    ]);
    this.MANY(() => {
      this.CONSUME(Comma);
      this.OR2([
        { ALT: () => this.CONSUME2(Word, { LABEL: "item" }) },
        { ALT: () => this.CONSUME2(StringLike, { LABEL: "item" }) },
        { ALT: () => this.CONSUME2(JsonLiteral, { LABEL: "item" }) },
        { ALT: () => this.SUBRULE2(this.list, { LABEL: "item" }) },
        { ALT: () => this.SUBRULE2(this.object, { LABEL: "item" }) },
      ]);
    });
  });

  list = this.RULE("list", () => {
    this.CONSUME(LBracket);
    this.OPTION(() => {
      this.SUBRULE(this.value, { LABEL: "item" });
      this.MANY(() => {
        this.CONSUME(Comma);
        this.SUBRULE2(this.value, { LABEL: "item" });
      });
      this.OPTION2(() => this.CONSUME2(Comma));
    });
    this.CONSUME(RBracket);
  });

  object = this.RULE("object", () => {
    this.CONSUME(LBrace);
    this.MANY(() => {
      this.OR([
        { ALT: () => this.CONSUME(Word, { LABEL: "name" }) },
        { ALT: () => this.CONSUME(StringLike, { LABEL: "name" }) },
        { ALT: () => this.CONSUME(Keyword, { LABEL: "name" }) },
      ]);
      this.CONSUME(Equals);
      this.SUBRULE(this.value, { LABEL: "item" });
      this.OPTION(() => this.CONSUME(Comma));
    });
    this.CONSUME(RBrace);
  });

  /** One value inside brackets or braces (rarer than top-level lists: a rule is fine here). */
  value = this.RULE("value", () => {
    this.OR([
      { ALT: () => this.CONSUME(Word, { LABEL: "item" }) },
      { ALT: () => this.CONSUME(StringLike, { LABEL: "item" }) },
      { ALT: () => this.CONSUME(JsonLiteral, { LABEL: "item" }) },
      { ALT: () => this.SUBRULE(this.list, { LABEL: "item" }) },
      { ALT: () => this.SUBRULE(this.object, { LABEL: "item" }) },
    ]);
  });
}

// ---------------------------------------------------------------------------------------------
// Error messages: what was expected, in the DSL's words

/** How a token reads in "expected ..." (keywords in backticks, value starts as "a value"). */
function describeType(type: TokenType): string {
  if (type === EOF) return "end of file";
  if (type === Word || type === StringLike || type === JsonLiteral || type === LBracket) return "a value";
  if (type === EntityKindToken) return "a declaration (`account`, `group`, `principal`, ...)";
  if (type === Keyword) return "a field name";
  const label = type.LABEL;
  return label ?? type.name;
}

/** `found \`x\`` or `found the end of the file`. */
export function describeFound(token: IToken): string {
  if (token.tokenType === EOF) return "found the end of the file";
  const image = token.image.length > 24 ? `${token.image.slice(0, 24)}…` : token.image;
  return `found \`${image.replaceAll("`", "'")}\``;
}

function expectedList(types: readonly TokenType[]): string {
  const labels = [...new Set(types.map(describeType))];
  if (labels.length <= 1) return labels[0] ?? "something else";
  return `${labels.slice(0, -1).join(", ")} or ${labels[labels.length - 1]}`;
}

const MESSAGES: IParserErrorMessageProvider = {
  buildMismatchTokenMessage: ({ expected, actual, ruleName }) => {
    if (expected === RBrace && ruleName === "policyBody") {
      return `expected a statement (\`allow\`, \`deny\`, \`sid\`), a clause (\`on\`, \`by\`, \`when\`) or \`}\`, ${describeFound(actual)}`;
    }
    if (expected === RBrace && (ruleName === "entityDecl" || ruleName === "testDecl")) return `expected a field name or \`}\`, ${describeFound(actual)}`;
    return `expected ${expectedList([expected])}, ${describeFound(actual)}`;
  },
  buildNotAllInputParsedMessage: ({ firstRedundant, ruleName }) => {
    if (ruleName !== "bodyItem") return `expected a declaration, ${describeFound(firstRedundant)}`;
    // both parsers read the same model
    const clauses = recoveringParser().rules ? "`on`" : "a clause (`on`, `by`, `when`)";
    return `expected ${clauses}, \`,\` or the next statement, ${describeFound(firstRedundant)}`;
  },
  buildNoViableAltMessage: ({ expectedPathsPerAlt, actual, ruleName }) => {
    if (ruleName === "value" || ruleName === "values") return `expected a value, ${describeFound(actual[0]!)}`;
    if (ruleName === "bodyItem") return `expected a statement (\`allow\`, \`deny\`, \`sid\`) or an attribute (\`version\`, \`id\`, \`name\`, \`description\`), ${describeFound(actual[0]!)}`;
    if (ruleName === "statement") {
      const effect = expectedPathsPerAlt.some((paths) => paths.some((path) => path[0] === K.allow));
      return effect ? `expected \`allow\` or \`deny\`, ${describeFound(actual[0]!)}` : `expected the rule's service (e.g. \`vm\`), ${describeFound(actual[0]!)}`;
    }
    const first = expectedPathsPerAlt.flatMap((paths) => paths.map((path) => path[0]).filter((t): t is TokenType => t !== undefined));
    const what = ruleName === "item" ? "a declaration (`model`, `policy`, `account`, `group`, `principal`, `resource`, ...)" : expectedList(first);
    return `expected ${what}, ${describeFound(actual[0]!)}`;
  },
  buildEarlyExitMessage: ({ expectedIterationPaths, actual }) => {
    const first = expectedIterationPaths.map((path) => path[0]).filter((t): t is TokenType => t !== undefined);
    return `expected ${expectedList(first)}, ${describeFound(actual[0]!)}`;
  },
};

let strict: IamParser | undefined;
let recovering: IamParser | undefined;

/**
 * The parser, built on first use and reused (a chevrotain parser costs a few hundred ms to build,
 * which a run that reads no `.iam` file should not pay). This one stops at the first error: most
 * files have none, and error recovery costs time on every repetition.
 */
export function iamParser(): IamParser {
  return (strict ??= new IamParser(false));
}

/** The parser that recovers from errors, to report several in one run; built on first use. */
export function recoveringParser(): IamParser {
  return (recovering ??= new IamParser(true));
}
