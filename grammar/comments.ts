// Comments have no place in the JSON value, so `fmt` puts them back by position: a comment on a
// line of its own belongs to the next item of its block (a declaration, a statement, a field),
// one at the end of a line to the item before it, one after a block's last item to the block's
// end. Printing then writes each where its item is printed.
import type { Node } from "jsonc-parser";
import type { CommentToken } from "./parse.js";
import type { CommentPlacement } from "./print.js";

interface Anchor {
  readonly pointer: string;
  readonly start: number;
  readonly end: number;
  /** Items inside (for a block: a declaration with a body, the file). */
  readonly children: Anchor[];
}

const escape = (segment: string | number) => String(segment).replaceAll("~", "~0").replaceAll("/", "~1");
const range = (node: Node) => ({ start: node.offset, end: node.offset + node.length });

/** Whether a property's key was written as the field name itself (`accounts []`), not by declarations. */
function writtenAsField(text: string, property: Node): boolean {
  const key = property.children?.[0];
  return key !== undefined && text.slice(key.offset, key.offset + key.length) === String(key.value);
}

/** The items comments can belong to, from the located tree of a `.iam` file. */
function anchorsOf(tree: Node, text: string): Anchor {
  const top: Anchor[] = [];
  for (const property of tree.children ?? []) {
    const [key, value] = property.children ?? [];
    if (key === undefined || value === undefined) continue;
    const name = String(key.value);
    if (value.type !== "array" || writtenAsField(text, property)) {
      top.push({ pointer: `/${escape(name)}`, ...range(property), children: [] });
      continue;
    }
    (value.children ?? []).forEach((item, index) => {
      const pointer = `/${escape(name)}/${index}`;
      // an entity's id and a test's name stand in its header, not on a line of their own
      const children = name === "policies" ? policyItems(item, pointer) : fields(item, pointer, name === "tests" ? "name" : "id");
      top.push({ pointer, ...range(item), children });
    });
  }
  return { pointer: "", start: 0, end: Infinity, children: top.sort((a, b) => a.start - b.start) };
}

function fields(entity: Node, pointer: string, header: string): Anchor[] {
  return (entity.children ?? [])
    .filter((p) => p.children?.[0]?.value !== header)
    .map((p) => ({ pointer: `${pointer}/${escape(String(p.children![0]!.value))}`, ...range(p), children: [] }));
}

function policyItems(entry: Node, pointer: string): Anchor[] {
  const document = (entry.children ?? []).find((p) => p.children?.[0]?.value === "document")?.children?.[1];
  if (document === undefined) return [];
  const items: Anchor[] = [];
  for (const property of document.children ?? []) {
    const [key, value] = property.children ?? [];
    if (key === undefined || value === undefined) continue;
    const at = `${pointer}/document/${escape(String(key.value))}`;
    if (value.type === "array" && (key.value === "Statement" || key.value === "rules")) {
      (value.children ?? []).forEach((statement, index) => items.push({ pointer: `${at}/${index}`, ...range(statement), children: [] }));
    } else items.push({ pointer: at, ...range(property), children: [] });
  }
  return items.sort((a, b) => a.start - b.start);
}

/** Where each comment of a parsed file goes when the file is printed again. */
export function placeComments(tree: Node, text: string, comments: readonly CommentToken[]): CommentPlacement {
  const placed: { kind: "leading" | "trailing" | "blockEnd"; pointer: string; text: string; offset: number }[] = [];
  const root = anchorsOf(tree, text);
  for (const comment of comments) {
    const body = comment.text.trimEnd();
    const place = (kind: "leading" | "trailing" | "blockEnd", pointer: string) => placed.push({ kind, pointer, text: body, offset: comment.offset });
    let block = root;
    let item: Anchor | undefined;
    for (;;) {
      const inside = block.children.find((child) => child.start <= comment.offset && comment.offset < child.end);
      if (inside === undefined) break;
      if (inside.children.length === 0) {
        item = inside;
        break;
      }
      block = inside;
    }
    if (item !== undefined) {
      // inside an item that holds no other: it is that item's comment
      place(comment.trailing ? "trailing" : "leading", item.pointer);
      continue;
    }
    const before = [...block.children].reverse().find((child) => child.end <= comment.offset);
    const after = block.children.find((child) => child.start > comment.offset);
    if (comment.trailing && before !== undefined) place("trailing", before.pointer);
    else if (after !== undefined) place("leading", after.pointer);
    else place("blockEnd", block.pointer);
  }
  const taken = new Set<number>();
  const take = (kind: "leading" | "trailing" | "blockEnd") => (pointer: string) =>
    placed.flatMap((p, index) => (p.kind === kind && p.pointer === pointer && !taken.has(index) ? (taken.add(index), [p.text]) : []));
  return {
    leading: take("leading"),
    trailing: take("trailing"),
    blockEnd: take("blockEnd"),
    rest: () => placed.flatMap((p, index) => (taken.has(index) ? [] : (taken.add(index), [p.text]))),
  };
}
