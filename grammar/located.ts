// Located JSON: syntax-tree nodes shaped exactly as jsonc-parser builds them (type, offset,
// length, children, parent; a property holds [key, value]), so that a tree built from DSL text
// answers the same JSON-pointer queries as one parsed from JSON, with offsets into the DSL text.
import type { Node } from "jsonc-parser";

/** A node while it is being built (jsonc-parser's `Node` is read-only). */
export interface LocatedNode {
  type: Node["type"];
  value?: unknown;
  offset: number;
  length: number;
  colonOffset?: number;
  parent?: LocatedNode;
  children?: LocatedNode[];
}

/** A half-open text range. */
export interface Range {
  readonly start: number;
  readonly end: number;
}

const end = (node: LocatedNode): number => node.offset + node.length;

/** A string, number, boolean or null node over `range`. */
export function scalarNode(value: string | number | boolean | null, range: Range): LocatedNode {
  const type = value === null ? "null" : typeof value === "string" ? "string" : typeof value === "number" ? "number" : "boolean";
  return { type, value, offset: range.start, length: range.end - range.start };
}

/** An array node over `range`, or over its items when no range is given. */
export function arrayNode(children: LocatedNode[], range?: Range): LocatedNode {
  const node: LocatedNode = { type: "array", offset: 0, length: 0, children };
  for (const child of children) child.parent = node;
  setRange(node, range ?? spanOf(children));
  return node;
}

/** An object node over `range`, or over its properties when no range is given. */
export function objectNode(properties: LocatedNode[], range?: Range): LocatedNode {
  const node: LocatedNode = { type: "object", offset: 0, length: 0, children: properties };
  for (const property of properties) property.parent = node;
  setRange(node, range ?? spanOf(properties));
  return node;
}

/** A property: its key node spans `keyRange` (the DSL word that introduced it), its value is `value`. */
export function propertyNode(key: string, keyRange: Range, value: LocatedNode): LocatedNode {
  const keyNode = scalarNode(key, keyRange);
  const start = Math.min(keyRange.start, value.offset);
  const stop = Math.max(keyRange.end, end(value));
  const property: LocatedNode = { type: "property", offset: start, length: stop - start, colonOffset: keyRange.end, children: [keyNode, value] };
  keyNode.parent = property;
  value.parent = property;
  return property;
}

/** Widens a node so that it covers `range` too. */
export function widen(node: LocatedNode, range: Range): void {
  const start = Math.min(node.offset, range.start);
  setRange(node, { start, end: Math.max(end(node), range.end) });
}

function setRange(node: LocatedNode, range: Range): void {
  node.offset = range.start;
  node.length = Math.max(0, range.end - range.start);
}

function spanOf(nodes: readonly LocatedNode[]): Range {
  if (nodes.length === 0) return { start: 0, end: 0 };
  let start = Infinity;
  let stop = -Infinity;
  for (const node of nodes) {
    start = Math.min(start, node.offset);
    stop = Math.max(stop, end(node));
  }
  return { start, end: stop };
}

/** The finished tree as jsonc-parser's read-only `Node` (the builders above linked every parent). */
export function sealTree(root: LocatedNode): Node {
  return root as Node;
}

/** Numbers whose written form is not the one `String(n)` gives (`2.50`, `1e3`), by container and key. */
export interface RawNumbers {
  get(container: object, key: string | number): string | undefined;
}

/** A {@link RawNumbers} that knows none. */
export const NO_RAW_NUMBERS: RawNumbers = { get: () => undefined };

/**
 * The plain value of a tree (a key written twice keeps its last value, as in jsonc-parser's
 * `getNodeValue`) and the written form of its numbers.
 */
export function plainValue(root: Node, text: string): { value: unknown; rawNumbers: RawNumbers } {
  const raw = new WeakMap<object, Map<string | number, string>>();
  const note = (container: object, key: string | number, node: Node): void => {
    if (node.type !== "number") return;
    const written = text.slice(node.offset, node.offset + node.length);
    if (written === String(node.value)) return;
    let byKey = raw.get(container);
    if (byKey === undefined) raw.set(container, (byKey = new Map()));
    byKey.set(key, written);
  };
  const walk = (node: Node): unknown => {
    switch (node.type) {
      case "array": {
        const children = node.children ?? [];
        const items = new Array<unknown>(children.length);
        for (let i = 0; i < children.length; i++) {
          const child = children[i]!;
          items[i] = walk(child);
          if (child.type === "number") note(items, i, child);
        }
        return items;
      }
      case "object": {
        // plain objects, as JSON.parse builds them (a `__proto__` key stays an own property)
        const object: Record<string, unknown> = {};
        for (const property of node.children ?? []) {
          const [keyNode, valueNode] = property.children ?? [];
          if (keyNode === undefined || valueNode === undefined) continue;
          const key = String(keyNode.value);
          if (key === "__proto__") Object.defineProperty(object, key, { value: walk(valueNode), enumerable: true, writable: true, configurable: true });
          else object[key] = walk(valueNode);
          if (valueNode.type === "number") note(object, key, valueNode);
        }
        return object;
      }
      default:
        return node.value;
    }
  };
  const value = walk(root);
  return { value, rawNumbers: { get: (container, key) => raw.get(container)?.get(key) } };
}
