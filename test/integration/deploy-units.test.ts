import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const DIR = "deploy/systemd";
const SECTIONS = new Set(["Unit", "Service", "Install", "Timer"]);

type Unit = Map<string, Map<string, string[]>>;

/** Reads a systemd unit file; throws on a line that is neither a comment, a [Section] nor Key=Value inside one. */
function parseUnit(text: string, file: string): Unit {
  const unit: Unit = new Map();
  let section: Map<string, string[]> | undefined;
  text.split("\n").forEach((line, i) => {
    const where = `${file}:${i + 1}`;
    if (line.trim() === "" || /^[#;]/.test(line)) return;
    const header = /^\[([A-Za-z]+)\]$/.exec(line);
    if (header) {
      expect(SECTIONS.has(header[1]!), `${where}: unknown section [${header[1]}]`).toBe(true);
      expect(unit.has(header[1]!), `${where}: [${header[1]}] twice`).toBe(false);
      unit.set(header[1]!, (section = new Map()));
      return;
    }
    const entry = /^([A-Za-z]+)=(.*)$/.exec(line);
    if (!entry || !section) throw new Error(`${where}: not Key=Value inside a section: ${line}`);
    section.set(entry[1]!, [...(section.get(entry[1]!) ?? []), entry[2]!]);
  });
  return unit;
}

const one = (unit: Unit, section: string, key: string) => {
  const values = unit.get(section)?.get(key) ?? [];
  expect(values, `${section}.${key}`).toHaveLength(1);
  return values[0]!;
};

const files = readdirSync(DIR).sort();
const units = new Map(files.map((f) => [f, parseUnit(readFileSync(join(DIR, f), "utf8"), f)]));
const bin = (JSON.parse(readFileSync("package.json", "utf8")) as { bin: Record<string, string> }).bin;

/** What ExecStart runs must be in the package: a built dist/ file (from src/) or the package's bin. */
function expectRunsThePackage(execStart: string): void {
  const [exe, first, second] = execStart.split(/\s+/);
  expect(exe, "ExecStart names an absolute program").toMatch(/^\//);
  if (exe!.endsWith("/node")) {
    expect(first).toMatch(/^dist\/.+\.js$/);
    expect(existsSync(first!.replace(/^dist\//, "src/").replace(/\.js$/, ".ts")), `${first} is built from src/`).toBe(true);
  } else {
    expect(exe).toMatch(/\/npx$/);
    expect(Object.keys(bin)).toContain(first);
    expect(second).toMatch(/^[a-z]+$/);
  }
}

describe("deploy/systemd", () => {
  it("ships the daemon's unit, and the prune service with its timer", () => {
    expect(files).toEqual(["stockwatch-prune.service", "stockwatch-prune.timer", "stockwatch.service"]);
  });

  it("the daemon's unit runs dist/main.js after the network, reloads with SIGHUP, restarts on failure", () => {
    const unit = units.get("stockwatch.service")!;
    expect([...unit.keys()]).toEqual(["Unit", "Service", "Install"]);
    expectRunsThePackage(one(unit, "Service", "ExecStart"));
    expect(one(unit, "Service", "ExecStart")).toMatch(/ dist\/main\.js$/);
    expect(one(unit, "Service", "ExecReload")).toContain("-HUP");
    expect(one(unit, "Service", "Restart")).toBe("on-failure");
    expect(one(unit, "Service", "WorkingDirectory")).toMatch(/^\//);
    expect(one(unit, "Unit", "After")).toContain("network-online.target");
    expect(one(unit, "Install", "WantedBy")).toBe("multi-user.target");
  });

  it("the prune service is a oneshot of the CLI's prune, started by a weekly timer", () => {
    const service = units.get("stockwatch-prune.service")!;
    expect(one(service, "Service", "Type")).toBe("oneshot");
    expectRunsThePackage(one(service, "Service", "ExecStart"));
    expect(one(service, "Service", "ExecStart")).toMatch(/ prune --older-than \d+d$/);
    const timer = units.get("stockwatch-prune.timer")!;
    // a timer starts the service of its own name unless it says Unit=
    expect(timer.get("Timer")?.has("Unit")).toBe(false);
    expect(one(timer, "Timer", "OnCalendar")).toMatch(/^(Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d\d:\d\d$/);
    expect(one(timer, "Timer", "Persistent")).toBe("true");
    expect(one(timer, "Install", "WantedBy")).toBe("timers.target");
  });

  it("are the units the README shows, to the letter", () => {
    // README.md, and docs/ in case the manual moves the operations part there
    const docs = existsSync("docs") ? readdirSync("docs", { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".md")) : [];
    const manual = ["README.md", ...docs.map((f) => join("docs", f))].map((f) => readFileSync(f, "utf8")).join("\n");
    const copies = new Map<string, string>();
    for (const [, block] of manual.matchAll(/```ini\n([\s\S]*?)```/g)) {
      for (const part of block!.split(/^(?=# \/etc\/systemd\/system\/)/m)) {
        const name = /^# \/etc\/systemd\/system\/(\S+)\n/.exec(part)?.[1];
        if (name) {
          expect(copies.has(name) && copies.get(name) !== part.trimEnd(), `two different copies of ${name}`).toBe(false);
          copies.set(name, part.trimEnd());
        }
      }
    }
    expect([...copies.keys()].sort()).toEqual(files);
    for (const f of files) expect(readFileSync(join(DIR, f), "utf8").trimEnd(), f).toBe(copies.get(f));
  });
});
