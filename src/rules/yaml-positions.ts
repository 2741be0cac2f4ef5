import { isCollection, isMap, isNode, type Document, type LineCounter } from "yaml";
import type { RuleError } from "./rules-types.js";

export type YamlPath = readonly PropertyKey[];

/**
 * YamlLocator turns a path into the parsed data (`["rules", 1, "notify", 0]`) into the line and
 * column of the YAML node it came from, so every error points at what the person typed.
 */
export class YamlLocator {
  constructor(
    private readonly file: string,
    private readonly doc: Document,
    private readonly lines: LineCounter,
  ) {}

  /** Position of the node at `path`, or of its deepest existing ancestor (e.g. for a missing key). */
  position(path: YamlPath): { line: number; col: number } {
    for (let depth = path.length; depth >= 0; depth--) {
      const node = depth === 0 ? this.doc.contents : this.doc.getIn(path.slice(0, depth) as unknown[], true);
      if (isNode(node) && node.range) return this.lines.linePos(node.range[0]);
    }
    return { line: 1, col: 1 };
  }

  /** Position of the KEY `key` inside the map at `path` (for unknown or misplaced keys). */
  keyPosition(path: YamlPath, key: string): { line: number; col: number } {
    const node = path.length === 0 ? this.doc.contents : this.doc.getIn(path as unknown[], true);
    if (isMap(node)) {
      for (const pair of node.items) {
        const k = pair.key;
        if (isNode(k) && k.range && String((k as { value?: unknown }).value ?? k.toString()) === key) {
          return this.lines.linePos(k.range[0]);
        }
      }
    }
    return this.position(path);
  }

  /** True when the path names a map or a list in the document (not a scalar). */
  isCollectionAt(path: YamlPath): boolean {
    return isCollection(this.doc.getIn(path as unknown[], true));
  }

  error(path: YamlPath, message: string, atKey?: string): RuleError {
    const { line, col } = atKey === undefined ? this.position(path) : this.keyPosition(path, atKey);
    return { file: this.file, line, col, path: formatPath(atKey === undefined ? path : [...path, atKey]), message };
  }

  offsetError(offset: number, message: string): RuleError {
    const { line, col } = this.lines.linePos(offset);
    return { file: this.file, line, col, path: "", message };
  }
}

/** `["rules", 1, "notify", 0]` → `rules[1].notify[0]`. */
export function formatPath(path: YamlPath): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out;
}

/** The value at `path` in plain data, or undefined. */
export function valueAt(data: unknown, path: YamlPath): unknown {
  let current = data;
  for (const part of path) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<PropertyKey, unknown>)[part];
  }
  return current;
}
