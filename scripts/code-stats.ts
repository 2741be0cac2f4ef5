/**
 * Long files and long functions, the numbers issue 16 asks for before and after.
 *
 *   npm run stats                  # src/: files over 300 lines, functions over 80 lines
 *   npm run stats -- --dir bench --file-limit 200 --function-limit 60 --json
 *
 * Functions are found by parsing TypeScript (rolldown's oxc parser, which vitest already
 * brings): declarations, expressions, arrows and methods; a function's length counts its whole
 * text, nested functions included. Lines are physical lines, comments and blank lines included.
 */
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { parseArgs } from "node:util";
import { parseAst } from "rolldown/parseAst";

interface FunctionLength {
  file: string;
  name: string;
  line: number;
  lines: number;
}

type Node = { type: string; start: number; end: number; [key: string]: unknown };

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith(".ts") && !path.endsWith(".d.ts") ? [path] : [];
  });
}

function lineOf(lineStarts: number[], offset: number): number {
  let lo = 0;
  let hi = lineStarts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (lineStarts[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
}

function keyName(key: unknown): string | undefined {
  const k = key as { type?: string; name?: string; value?: unknown } | undefined;
  if (!k) return undefined;
  if (k.type === "Identifier" || k.type === "PrivateIdentifier") return k.name;
  if (k.type === "Literal") return String(k.value);
  return undefined;
}

const FUNCTION_TYPES = new Set(["FunctionDeclaration", "FunctionExpression", "ArrowFunctionExpression"]);

/** Every function of one file with its length in lines. */
export function functionLengths(file: string, text: string): FunctionLength[] {
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === "\n") lineStarts.push(i + 1);
  const found: FunctionLength[] = [];
  const visit = (node: unknown, nameHint: string | undefined): void => {
    if (Array.isArray(node)) {
      for (const child of node) visit(child, undefined);
      return;
    }
    if (!node || typeof node !== "object" || typeof (node as Node).type !== "string") return;
    const n = node as Node;
    if (FUNCTION_TYPES.has(n.type)) {
      const name = keyName(n.id) ?? nameHint ?? "(anonymous)";
      const first = lineOf(lineStarts, n.start);
      found.push({ file, name, line: first, lines: lineOf(lineStarts, n.end) - first + 1 });
    }
    for (const [key, child] of Object.entries(n)) {
      if (key === "type" || key === "start" || key === "end") continue;
      let hint: string | undefined;
      if (n.type === "VariableDeclarator" && key === "init") hint = keyName(n.id);
      else if ((n.type === "MethodDefinition" || n.type === "Property" || n.type === "PropertyDefinition") && key === "value") hint = keyName(n.key);
      visit(child, hint);
    }
  };
  visit(parseAst(text, { lang: "ts" }, file).body, undefined);
  return found;
}

function main(): void {
  // `npm run stats | head` closes the pipe early: stop quietly.
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(0);
    throw error;
  });
  const { values } = parseArgs({
    options: {
      dir: { type: "string", default: "src" },
      "file-limit": { type: "string", default: "300" },
      "function-limit": { type: "string", default: "80" },
      json: { type: "boolean", default: false },
    },
  });
  const fileLimit = Number(values["file-limit"]);
  const functionLimit = Number(values["function-limit"]);
  const files = sourceFiles(values.dir!).sort();
  const longFiles: { file: string; lines: number }[] = [];
  const longFunctions: FunctionLength[] = [];
  let totalLines = 0;
  for (const path of files) {
    const text = readFileSync(path, "utf8");
    const file = relative(process.cwd(), path);
    const lines = text.split("\n").length - (text.endsWith("\n") ? 1 : 0);
    totalLines += lines;
    if (lines > fileLimit) longFiles.push({ file, lines });
    longFunctions.push(...functionLengths(file, text).filter((f) => f.lines > functionLimit));
  }
  longFiles.sort((a, b) => b.lines - a.lines);
  longFunctions.sort((a, b) => b.lines - a.lines);
  if (values.json) {
    console.log(JSON.stringify({ files: files.length, lines: totalLines, longFiles, longFunctions }, null, 2));
    return;
  }
  console.log(`${values.dir}: ${files.length} files, ${totalLines} lines`);
  console.log(`files over ${fileLimit} lines: ${longFiles.length}`);
  for (const f of longFiles) console.log(`  ${String(f.lines).padStart(5)}  ${f.file}`);
  console.log(`functions over ${functionLimit} lines: ${longFunctions.length}`);
  for (const f of longFunctions) console.log(`  ${String(f.lines).padStart(5)}  ${f.file}:${f.line}  ${f.name}`);
}

main();
