// From an HTTP request to an iamc Request: the mapping config (routes: method + path pattern →
// action and resource templates; where the caller comes from; context keys), checked once and
// compiled to a matcher. Shared by the `iamc/http` middleware and `iamc serve`.
//
// Why paths are strict: the gateway checks one resource and the upstream serves another if the
// two read a path differently. So a path with `.` or `..` segments, an empty segment inside it,
// a bad percent-escape, or an encoded `/` inside a one-segment parameter is refused (400) rather
// than normalized: there is no reading of it both sides are sure to share.
import { z } from "zod";
import type { ContextValue } from "../runtime/index.js";

// ---------------------------------------------------------------------------------------------
// The config, as users write it (JSON file or object in code).

/** A context value: a template string, a literal number or boolean, or a list of them. */
export type ContextTemplate = string | number | boolean | readonly (string | number | boolean)[];

/** Where the caller's identity comes from. */
export type PrincipalSource =
  | {
      /** A request header set by something trusted in front (lowercase or not; matched case-insensitively). */
      readonly header: string;
      /** How the header's value becomes a principal id, e.g. `arn:aws:iam::111111111111:user/{value}`. Default `{value}`. */
      readonly template?: string;
      /** Refuse (401) requests without it, instead of checking them as the unauthenticated caller. */
      readonly required?: boolean;
    }
  | {
      /** A JWT bearer token, verified by the `verifyJwt` callback given in code (or `iamc serve --jwt-*`). */
      readonly jwt: {
        /** The claim naming the caller (default `sub`). */
        readonly claim?: string;
        /** How the claim becomes a principal id. Default `{value}`. */
        readonly template?: string;
        /** The header carrying `Bearer TOKEN` (default `authorization`). */
        readonly header?: string;
      };
      readonly required?: boolean;
    };

export interface RouteConfig {
  /** `GET`, `["PUT", "POST"]`, or `*` (default: any method). */
  readonly method?: string | readonly string[];
  /** `/buckets/:bucket/objects/*key`: literal segments, `:name` one segment, `*name` the rest (zero or more segments). */
  readonly path: string;
  /** The action to check, a template: `s3:GetObject`, `vm:{verb}`. */
  readonly action: string;
  /** The resource to check, a template: `arn:aws:s3:::{bucket}/{key}`. */
  readonly resource: string;
  /** Context keys for this route (added to, and overriding, the mapping's own). */
  readonly context?: Readonly<Record<string, ContextTemplate>>;
}

export interface MappingConfig {
  /** Default: none — every request is checked as the unauthenticated caller (`principal: null`). */
  readonly principal?: PrincipalSource;
  /** Tried in order; the first whose method and path match decides the action and resource. */
  readonly routes: readonly RouteConfig[];
  /** Context keys for every request, e.g. `{"aws:SourceIp": "{ip}", "aws:SecureTransport": "{secure}"}`. */
  readonly context?: Readonly<Record<string, ContextTemplate>>;
  /** Names for `{verb}`: method → word. Default GET/HEAD→Read, POST→Create, PUT/PATCH→Update, DELETE→Delete. */
  readonly verbs?: Readonly<Record<string, string>>;
}

// Template variables:
//   {name}          a route parameter (`:name` or `*name`), percent-decoded
//   {method}        the request method; {verb} its word from `verbs`
//   {path}          the path as sent (without the query)
//   {principal}     the principal id (context only)
//   {ip}            the client address; {secure} `true` over TLS, else `false`
//   {header:NAME}   a request header; {query:NAME} a query parameter; {claim:NAME} a JWT claim
// `{{` and `}}` are literal braces.

export const DEFAULT_VERBS: Readonly<Record<string, string>> = {
  GET: "Read", HEAD: "Read", POST: "Create", PUT: "Update", PATCH: "Update", DELETE: "Delete",
};

// ---------------------------------------------------------------------------------------------
// Errors.

/**
 * Codes of the gateway, the 7xxx band. 70xx: the mapping config (found once, at start); 71xx: a
 * request the gateway refuses before any check (answered 400/401/403, never thrown); 72xx:
 * `iamc serve`'s own setup.
 */
export const GATEWAY_CODES = {
  IAMC7001: "the mapping config has the wrong shape",
  IAMC7002: "a route's path pattern is malformed",
  IAMC7003: "a template names a variable that does not exist here, or is malformed",
  IAMC7004: "the mapping file could not be read or is not JSON",
  IAMC7005: "the mapping needs a JWT verifier (principal.jwt) and none was given",
  IAMC7101: "no route of the mapping matches the request's method and path",
  IAMC7102: "the request is ambiguous: a malformed target (dot or empty segments, bad escapes, an encoded `/` in a parameter, a fragment), a query parameter or header a template reads given twice, or a method-override header",
  IAMC7103: "the caller's credential is missing, malformed or fails verification",
  IAMC7104: "a value the action or resource needs is missing from the request (header, query parameter or claim)",
  IAMC7105: "the request is larger than the gateway accepts",
  IAMC7201: "a JWT key file (`--jwt-key`) cannot be read or holds no usable key",
  IAMC7202: "the server cannot listen on the address: the port is in use, or binding to it is not permitted",
} as const;
export type GatewayCode = keyof typeof GATEWAY_CODES;

export interface MappingProblem {
  readonly code: GatewayCode;
  /** JSON pointer into the config. */
  readonly pointer: string;
  readonly message: string;
}

/** A mapping config that cannot be used: every problem found, each with its JSON pointer. */
export class MappingError extends Error {
  readonly code: GatewayCode;
  constructor(readonly problems: readonly MappingProblem[]) {
    super(problems.map((p) => `${p.pointer || "/"}: ${p.code} ${p.message}`).join("\n"));
    this.name = "MappingError";
    this.code = problems[0]?.code ?? "IAMC7001";
  }
}

// ---------------------------------------------------------------------------------------------
// Schema.

const templateValue = z.union([z.string(), z.number(), z.boolean()]);
const contextSchema = z.record(z.string().min(1), z.union([templateValue, z.array(templateValue)]));
const nonEmpty = z.string().min(1, "must not be empty");

const principalSchema = z.union([
  z.strictObject({ header: nonEmpty, template: z.string().optional(), required: z.boolean().optional() }),
  z.strictObject({
    jwt: z.strictObject({ claim: nonEmpty.optional(), template: z.string().optional(), header: nonEmpty.optional() }),
    required: z.boolean().optional(),
  }),
]);

const routeSchema = z.strictObject({
  method: z.union([nonEmpty, z.array(nonEmpty).min(1)]).optional(),
  path: nonEmpty,
  action: nonEmpty,
  resource: nonEmpty,
  context: contextSchema.optional(),
});

export const MAPPING_SCHEMA = z.strictObject({
  $schema: z.string().optional(),
  principal: principalSchema.optional(),
  routes: z.array(routeSchema).min(1, "list at least one route"),
  context: contextSchema.optional(),
  verbs: z.record(nonEmpty, nonEmpty).optional(),
});

/** A zod issue in the house style: one problem per unknown key, at the key; "missing `x`" for absent fields. */
function shapeProblems(issue: z.core.$ZodIssue, config: unknown): MappingProblem[] {
  const at = pointerOf(issue.path);
  if (issue.code === "unrecognized_keys") {
    return issue.keys.map((key) => ({ code: "IAMC7001" as const, pointer: `${at}/${pointerOf([key]).slice(1)}`, message: `unknown key \`${key}\`` }));
  }
  const value = valueAt(config, issue.path);
  const field = issue.path[issue.path.length - 1];
  if (value === undefined && typeof field === "string") return [{ code: "IAMC7001", pointer: at, message: `missing \`${field}\`` }];
  if (issue.code === "invalid_type") {
    return [{ code: "IAMC7001", pointer: at, message: `expected ${issue.expected}, found ${kindOf(value)}` }];
  }
  if (issue.code === "invalid_union") {
    const what = issue.path[0] === "principal" ? "`{\"header\": NAME}` or `{\"jwt\": {\"claim\": NAME}}`" : "a string, number, boolean or a list of them";
    return [{ code: "IAMC7001", pointer: at, message: `expected ${what}, found ${kindOf(value)}` }];
  }
  return [{ code: "IAMC7001", pointer: at, message: issue.message.charAt(0).toLowerCase() + issue.message.slice(1) }];
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let value = root;
  for (const key of path) {
    if (typeof value !== "object" || value === null || !Object.hasOwn(value, key)) return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

function kindOf(value: unknown): string {
  if (Array.isArray(value)) return "a list";
  if (value === null) return "null";
  if (typeof value === "object") return "an object";
  return typeof value === "string" ? `the string ${JSON.stringify(value.length > 40 ? value.slice(0, 40) + "…" : value)}` : `${typeof value} ${String(value)}`;
}

function pointerOf(path: readonly PropertyKey[]): string {
  return path.map((p) => "/" + String(p).replace(/~/g, "~0").replace(/\//g, "~1")).join("");
}

// ---------------------------------------------------------------------------------------------
// Templates.

type TemplatePart =
  | { readonly kind: "text"; readonly text: string }
  | { readonly kind: "param"; readonly name: string }
  | { readonly kind: "method" | "verb" | "path" | "principal" | "ip" | "secure" }
  | { readonly kind: "header" | "query" | "claim"; readonly name: string };

type Template = readonly TemplatePart[];

const BUILTINS = new Set(["method", "verb", "path", "principal", "ip", "secure"]);
const SOURCES = new Set(["header", "query", "claim"]);

/** Parses `arn:aws:s3:::{bucket}/{key}`; problems are pushed, not thrown. */
function parseTemplate(
  text: string, params: ReadonlySet<string>, allowPrincipal: boolean, pointer: string, problems: MappingProblem[],
): Template {
  const parts: TemplatePart[] = [];
  let literal = "";
  const bad = (message: string) => problems.push({ code: "IAMC7003", pointer, message });
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if ((c === "{" || c === "}") && text[i + 1] === c) { literal += c; i++; continue; }
    if (c === "}") { bad(`\`}\` without \`{\` in \`${text}\` (write \`}}\` for a literal brace)`); return parts; }
    if (c !== "{") { literal += c; continue; }
    const end = text.indexOf("}", i);
    if (end < 0) { bad(`\`{\` is not closed in \`${text}\` (write \`{{\` for a literal brace)`); return parts; }
    const name = text.slice(i + 1, end).trim();
    i = end;
    if (literal) { parts.push({ kind: "text", text: literal }); literal = ""; }
    const colon = name.indexOf(":");
    if (colon >= 0) {
      const source = name.slice(0, colon);
      const key = name.slice(colon + 1);
      if (!SOURCES.has(source) || !key) { bad(`\`{${name}}\` is not a variable: use {header:NAME}, {query:NAME} or {claim:NAME}`); continue; }
      parts.push({ kind: source as "header" | "query" | "claim", name: source === "header" ? key.toLowerCase() : key });
    } else if (params.has(name)) {
      parts.push({ kind: "param", name });
    } else if (BUILTINS.has(name) && (name !== "principal" || allowPrincipal)) {
      parts.push({ kind: name as "method" });
    } else {
      const known = [...[...params].map((p) => `{${p}}`), "{method}", "{verb}", "{path}", "{ip}", "{secure}", ...(allowPrincipal ? ["{principal}"] : [])];
      bad(`\`{${name}}\` is not a route parameter or variable here (known: ${known.join(", ")})`);
    }
  }
  if (literal) parts.push({ kind: "text", text: literal });
  return parts;
}

// ---------------------------------------------------------------------------------------------
// Route patterns.

type Segment =
  | { readonly kind: "literal"; readonly text: string }
  | { readonly kind: "param"; readonly name: string }
  | { readonly kind: "rest"; readonly name: string };

function parsePattern(path: string, pointer: string, problems: MappingProblem[]): { segments: Segment[]; params: Set<string> } {
  const segments: Segment[] = [];
  const params = new Set<string>();
  const bad = (message: string) => problems.push({ code: "IAMC7002", pointer, message });
  if (!path.startsWith("/")) bad(`\`${path}\` must start with \`/\``);
  const raw = path.replace(/^\//, "").split("/");
  raw.forEach((seg, i) => {
    if (seg.startsWith(":") || seg.startsWith("*")) {
      const name = seg.slice(1);
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) { bad(`\`${seg}\` in \`${path}\`: a parameter is \`:name\` or \`*name\` (letters, digits, _)`); return; }
      if (params.has(name) || BUILTINS.has(name)) { bad(`parameter \`${name}\` in \`${path}\` is written twice or shadows a variable`); return; }
      if (seg[0] === "*" && i !== raw.length - 1) { bad(`\`${seg}\` in \`${path}\`: a rest parameter must be the last segment`); return; }
      params.add(name);
      segments.push({ kind: seg[0] === "*" ? "rest" : "param", name });
    } else {
      if (seg === "." || seg === "..") bad(`\`${path}\` has a \`${seg}\` segment`);
      else if (seg === "" && i !== raw.length - 1) bad(`\`${path}\` has an empty segment (\`//\`)`);
      segments.push({ kind: "literal", text: seg });
    }
  });
  return { segments, params };
}

// ---------------------------------------------------------------------------------------------
// The compiled mapping.

/** What the mapping reads of an HTTP request; built by each server adapter. */
export interface HttpRequestView {
  readonly method: string;
  /** The request target: path and query, e.g. `/buckets/a/objects/b?x=1`. */
  readonly url: string;
  /**
   * Lowercase header names. A header sent more than once should be an array (Node's
   * `headersDistinct`): the gateway refuses a repeated principal header rather than guess.
   */
  readonly headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  readonly ip?: string;
  readonly secure?: boolean;
}

/** JWT claims a verifier accepted. */
export type Claims = Readonly<Record<string, unknown>>;

/** A request the gateway answers without a check. */
export interface Refusal {
  readonly refused: true;
  readonly status: 400 | 401 | 403 | 413;
  readonly code: GatewayCode;
  readonly message: string;
}

interface CompiledRoute {
  readonly methods: ReadonlySet<string> | undefined;
  readonly segments: readonly Segment[];
  readonly action: Template;
  readonly resource: Template;
  readonly context: readonly (readonly [string, CompiledContextValue])[];
}

type CompiledContextValue =
  | { readonly kind: "literal"; readonly value: ContextValue }
  | { readonly kind: "template"; readonly template: Template }
  | { readonly kind: "list"; readonly items: readonly CompiledContextValue[] };

export interface CompiledMapping {
  readonly config: MappingConfig;
  /** How the principal is found: none, a header, or a verified JWT. */
  readonly principal:
    | { readonly kind: "none" }
    | { readonly kind: "header"; readonly header: string; readonly template: Template; readonly required: boolean }
    | { readonly kind: "jwt"; readonly header: string; readonly claim: string; readonly template: Template; readonly required: boolean };
  readonly routes: readonly CompiledRoute[];
  readonly verbs: Readonly<Record<string, string>>;
}

/**
 * Checks a mapping config (any value: parsed JSON or an object in code) and compiles it. Throws a
 * MappingError listing every problem with its JSON pointer.
 */
export function compileMapping(config: unknown): CompiledMapping {
  const parsed = MAPPING_SCHEMA.safeParse(config);
  if (!parsed.success) throw new MappingError(parsed.error.issues.flatMap((issue) => shapeProblems(issue, config)));
  const value = parsed.data as MappingConfig;
  const problems: MappingProblem[] = [];
  const noParams = new Set<string>();
  const compileContext = (context: MappingConfig["context"], params: ReadonlySet<string>, at: string) =>
    Object.entries(context ?? {}).map(([key, v]) =>
      [key, compileContextValue(v, params, `${at}/${pointerOf([key]).slice(1)}`, problems)] as const);

  let principal: CompiledMapping["principal"] = { kind: "none" };
  const source = value.principal;
  if (source && "header" in source) {
    principal = {
      kind: "header", header: source.header.toLowerCase(), required: source.required ?? false,
      template: parseValueTemplate(source.template ?? "{value}", "/principal/template", problems),
    };
  } else if (source && "jwt" in source) {
    principal = {
      kind: "jwt", header: (source.jwt.header ?? "authorization").toLowerCase(), claim: source.jwt.claim ?? "sub",
      required: source.required ?? false,
      template: parseValueTemplate(source.jwt.template ?? "{value}", "/principal/jwt/template", problems),
    };
  }
  const mappingContext = compileContext(value.context, noParams, "/context");
  const routes = value.routes.map((route, i): CompiledRoute => {
    const at = `/routes/${i}`;
    const { segments, params } = parsePattern(route.path, `${at}/path`, problems);
    const methods = route.method === undefined ? undefined : [route.method].flat();
    const routeContext = compileContext(route.context, params, `${at}/context`);
    const overridden = new Set(routeContext.map(([k]) => k));
    return {
      methods: methods === undefined || methods.includes("*") ? undefined : new Set(methods.map((m) => m.toUpperCase())),
      segments,
      action: parseTemplate(route.action, params, false, `${at}/action`, problems),
      resource: parseTemplate(route.resource, params, false, `${at}/resource`, problems),
      context: [...mappingContext.filter(([k]) => !overridden.has(k)), ...routeContext],
    };
  });
  if (problems.length > 0) throw new MappingError(problems);
  const compiled: CompiledMapping = { config: value, principal, routes, verbs: { ...DEFAULT_VERBS, ...value.verbs } };
  COMPILED.add(compiled);
  return compiled;
}

const COMPILED = new WeakSet<object>();

/** Whether a value came from compileMapping (so it need not be checked again). */
export function isCompiledMapping(value: unknown): value is CompiledMapping {
  return typeof value === "object" && value !== null && COMPILED.has(value);
}

/**
 * A principal template: text and `{value}` (the header's value or the claim) only — who the caller
 * is must not depend on anything else the request says.
 */
function parseValueTemplate(text: string, pointer: string, problems: MappingProblem[]): Template {
  const template = parseTemplate(text, new Set(["value"]), false, pointer, problems);
  const other = template.find((part) => part.kind !== "text" && part.kind !== "param");
  if (other !== undefined) {
    problems.push({ code: "IAMC7003", pointer, message: `a principal template holds text and \`{value}\` only; \`${text}\` names another variable` });
  }
  return template;
}

function compileContextValue(
  value: ContextTemplate, params: ReadonlySet<string>, pointer: string, problems: MappingProblem[],
): CompiledContextValue {
  if (typeof value === "string") return { kind: "template", template: parseTemplate(value, params, true, pointer, problems) };
  if (Array.isArray(value)) {
    return { kind: "list", items: value.map((item, i) => compileContextValue(item, params, `${pointer}/${i}`, problems)) };
  }
  return { kind: "literal", value: value as ContextValue };
}

// ---------------------------------------------------------------------------------------------
// Mapping one request.

/** The parts of a request the mapping found: the route and its parameters, before the caller is known. */
export interface RouteMatch {
  readonly route: CompiledRoute;
  readonly params: ReadonlyMap<string, string>;
  readonly path: string;
  readonly query: string;
}

const refuse = (status: Refusal["status"], code: GatewayCode, message: string): Refusal =>
  ({ refused: true, status, code, message });

/** The longest request target (path and query) the gateway reads; longer ones are 413 IAMC7105. */
export const MAX_TARGET_LENGTH = 16 * 1024;

/** Finds the route for a request, or the reason it has none. */
export function matchRoute(mapping: CompiledMapping, method: string, url: string): RouteMatch | Refusal {
  if (url.length > MAX_TARGET_LENGTH) {
    return refuse(413, "IAMC7105", `the request target is ${url.length} characters, over the limit of ${MAX_TARGET_LENGTH}`);
  }
  // A fragment never belongs in a request target, and an upstream that splits only at `?` would
  // read `x#/../../secret` as a different path than the one checked.
  if (url.includes("#")) return refuse(400, "IAMC7102", "the request target holds a fragment (`#`)");
  const queryAt = url.indexOf("?");
  const path = queryAt < 0 ? url : url.slice(0, queryAt);
  const query = queryAt < 0 ? "" : url.slice(queryAt + 1);
  if (!path.startsWith("/")) return refuse(400, "IAMC7102", `the path \`${path}\` does not start with \`/\``);
  const raw = path.slice(1).split("/");
  const decoded: string[] = [];
  for (let i = 0; i < raw.length; i++) {
    let seg = raw[i]!;
    if (seg.includes("%")) {
      try {
        seg = decodeURIComponent(seg);
      } catch {
        return refuse(400, "IAMC7102", `the path \`${path}\` has a bad percent-escape`);
      }
    }
    if (seg === "." || seg === "..") return refuse(400, "IAMC7102", `the path \`${path}\` has a \`${seg}\` segment`);
    if (seg === "" && i !== raw.length - 1) return refuse(400, "IAMC7102", `the path \`${path}\` has an empty segment`);
    decoded.push(seg);
  }
  const upper = method.toUpperCase();
  for (const route of mapping.routes) {
    if (route.methods && !route.methods.has(upper)) continue;
    const params = matchSegments(route.segments, raw, decoded);
    if (params === undefined) continue;
    if (params === "encoded-slash") {
      return refuse(400, "IAMC7102", `the path \`${path}\` has an encoded \`/\` inside a one-segment parameter`);
    }
    return { route, params, path, query };
  }
  return refuse(403, "IAMC7101", `no route maps ${upper} ${path}`);
}

function matchSegments(
  segments: readonly Segment[], raw: readonly string[], decoded: readonly string[],
): Map<string, string> | undefined | "encoded-slash" {
  const params = new Map<string, string>();
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i]!;
    if (seg.kind === "rest") {
      params.set(seg.name, decoded.slice(i).join("/"));
      return params;
    }
    if (i >= decoded.length) return undefined;
    const value = decoded[i]!;
    if (seg.kind === "literal") {
      if (value !== seg.text) return undefined;
    } else {
      if (value === "") return undefined;
      if (value.includes("/") && raw[i] !== value) return "encoded-slash";
      params.set(seg.name, value);
    }
  }
  return decoded.length === segments.length ? params : undefined;
}

/** What a template reads besides route parameters. */
export interface TemplateInputs {
  readonly view: HttpRequestView;
  readonly match: RouteMatch;
  readonly verbs: Readonly<Record<string, string>>;
  readonly claims?: Claims;
  readonly principal?: string | null;
  readonly value?: string;
}

/** Whether a template uses `{verb}` (its method may have no verb). */
export function usesVerb(template: Template): boolean {
  return template.some((part) => part.kind === "verb");
}

/**
 * Fills a template; undefined when a header, query parameter, claim or verb it names is absent,
 * REPEATED when a query parameter or header it names is given more than once.
 */
export function fillTemplate(template: Template, inputs: TemplateInputs): string | undefined | typeof REPEATED {
  let out = "";
  for (const part of template) {
    let piece: string | undefined | typeof REPEATED;
    switch (part.kind) {
      case "text": piece = part.text; break;
      case "param": piece = part.name === "value" && inputs.value !== undefined ? inputs.value : inputs.match.params.get(part.name); break;
      case "method": piece = inputs.view.method.toUpperCase(); break;
      case "verb": piece = inputs.verbs[inputs.view.method.toUpperCase()]; break;
      case "path": piece = inputs.match.path; break;
      case "principal": piece = inputs.principal ?? undefined; break;
      case "ip": piece = inputs.view.ip; break;
      case "secure": piece = inputs.view.secure ? "true" : "false"; break;
      case "header": {
        const value = inputs.view.headers[part.name];
        piece = isRepeatedHeader(value) ? REPEATED : firstHeader(value);
        break;
      }
      case "query": piece = queryParam(inputs.match.query, part.name); break;
      case "claim": {
        const claim = inputs.claims?.[part.name];
        piece = typeof claim === "string" ? claim : typeof claim === "number" || typeof claim === "boolean" ? String(claim) : undefined;
        break;
      }
    }
    if (piece === undefined || piece === REPEATED) return piece;
    out += piece;
  }
  return out;
}

/** Fills a principal template (text and `{value}` only, as compileMapping checked). */
export function fillValueTemplate(template: Template, value: string): string {
  let out = "";
  for (const part of template) out += part.kind === "text" ? part.text : value;
  return out;
}

/**
 * A header's value as text. Node reads header bytes as latin1, so UTF-8 sent by a client (`josé`)
 * arrives as `josÃ©`; when the bytes are valid UTF-8 they are read as UTF-8.
 */
export function firstHeader(value: string | readonly string[] | undefined): string | undefined {
  const text = typeof value === "string" ? value : value?.[0];
  return text === undefined ? undefined : headerText(text);
}

const UTF8 = new TextDecoder("utf-8", { fatal: true });

function headerText(raw: string): string {
  let wide = false;
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c > 0xff) return raw; // already decoded by someone
    if (c >= 0x80) wide = true;
  }
  if (!wide) return raw;
  try {
    return UTF8.decode(Uint8Array.from(raw, (ch) => ch.charCodeAt(0)));
  } catch {
    return raw;
  }
}

/**
 * Headers some frameworks read as the request's real method (Express's method-override,
 * Symfony, Laravel, ASP.NET): the gateway would check a GET the application runs as a DELETE.
 */
export const METHOD_OVERRIDE_HEADERS: readonly string[] = ["x-http-method-override", "x-http-method", "x-method-override"];

/** Whether a header was sent more than once (adapters pass repeated headers as arrays). */
export function isRepeatedHeader(value: string | readonly string[] | undefined): boolean {
  return typeof value !== "string" && value !== undefined && value.length > 1;
}

/** A query parameter's one value; undefined when absent, REPEATED when given more than once. */
function queryParam(query: string, name: string): string | undefined | typeof REPEATED {
  if (!query) return undefined;
  let found: string | undefined;
  for (const pair of query.split("&")) {
    const eq = pair.indexOf("=");
    const key = eq < 0 ? pair : pair.slice(0, eq);
    try {
      if (decodeURIComponent(key.replace(/\+/g, " ")) !== name) continue;
      // two values are two readings of one request (frameworks keep the first, the last, or a
      // list): refuse rather than check one of them
      if (found !== undefined) return REPEATED;
      found = eq < 0 ? "" : decodeURIComponent(pair.slice(eq + 1).replace(/\+/g, " "));
    } catch {
      return undefined;
    }
  }
  return found;
}

/** What fillTemplate answers when a query parameter or header it reads is given more than once. */
export const REPEATED: unique symbol = Symbol("repeated query parameter");

/**
 * Builds the context of a request; keys whose values are absent are left out. REPEATED when a
 * query parameter a value reads is given twice: leaving that key out could keep a conditional
 * Deny from applying while the application reads the other value.
 */
export function fillContext(route: CompiledRoute, inputs: TemplateInputs): Record<string, ContextValue> | undefined | typeof REPEATED {
  if (route.context.length === 0) return undefined;
  const context: Record<string, ContextValue> = Object.create(null);
  for (const [key, value] of route.context) {
    const filled = fillContextValue(value, inputs);
    if (filled === REPEATED) return REPEATED;
    if (filled !== undefined) context[key] = filled;
  }
  return context;
}

function fillContextValue(value: CompiledContextValue, inputs: TemplateInputs): ContextValue | undefined | typeof REPEATED {
  switch (value.kind) {
    case "literal": return value.value;
    case "template": return fillTemplate(value.template, inputs);
    case "list": {
      const items: (string | number | boolean)[] = [];
      for (const item of value.items) {
        const filled = fillContextValue(item, inputs);
        if (filled === REPEATED) return REPEATED;
        if (filled !== undefined) items.push(...(Array.isArray(filled) ? filled : [filled as string]));
      }
      return items;
    }
  }
}
