import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";

/**
 * The boundaries in DESIGN.md, checked on the source itself: src/ is the product and never sees a platform SDK, and
 * src/domain is pure rules that reach no storage, jobs, adapters or SDK.
 */

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const SRC = join(ROOT, "src");
const DOMAIN = join(SRC, "domain");

const PLATFORM_SDK = /^(@slack\/|@microsoft\/|botbuilder)/;
const CODE = /\.(ts|tsx|mts|cts|js|mjs|cjs)$/;

// Where the domain must not reach: storage, I/O and the edges.
const OFF_LIMITS_FOR_DOMAIN = ["src/store", "src/infra", "src/delivery", "src/usecases", "jobs", "adapters", "migrations"].map((p) =>
  join(ROOT, p),
);
// Packages the domain may use: pure functions over values, no I/O. Anything else (an SDK, a database or queue client,
// a logger, a node: built-in) has no place in domain rules.
const PURE_PACKAGES = new Set(["luxon", "zod", "chrono-node"]);

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(path) : [path];
  });
}

/**
 * Every module a source file names: static imports and re-exports (type-only too), `import()` and `require()`,
 * and any string literal that is a module name (`const sdk = "@slack/bolt"; await import(sdk)`). Comments do not count.
 */
function importsOf(source: string, fileName = "file.ts"): { specifiers: string[]; strings: string[] } {
  const specifiers = ts.preProcessFile(source, true, true).importedFiles.map((f) => f.fileName);
  const strings: string[] = [];
  const file = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, false);
  const visit = (node: ts.Node): void => {
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) strings.push(node.text);
    ts.forEachChild(node, visit);
  };
  visit(file);
  return { specifiers, strings };
}

function sdkNamedIn(source: string, fileName: string): string[] {
  const { specifiers, strings } = importsOf(source, fileName);
  return [...new Set([...specifiers, ...strings.map((s) => s.trim())].filter((s) => PLATFORM_SDK.test(s)))];
}

function domainViolations(path: string, source: string): string[] {
  return importsOf(source, path).specifiers.flatMap((spec) => {
    if (spec.startsWith(".") || spec.startsWith("/")) {
      const target = resolve(dirname(path), spec);
      return OFF_LIMITS_FOR_DOMAIN.some((dir) => target === dir || target.startsWith(dir + sep)) ? [spec] : [];
    }
    const pkg = spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0]!;
    return PURE_PACKAGES.has(pkg) ? [] : [spec];
  });
}

describe("the import checker", () => {
  // The checks below are only as good as this reader of imports, so it is tested on the forms imports take.
  it("sees static, type-only, re-exported, multi-line, dynamic and required imports, and module names in strings", () => {
    const source = [
      `import type { App } from "@slack/bolt";`,
      `import {`,
      `  TurnContext,`,
      `} from "botbuilder";`,
      `export * from "@microsoft/teams-ai";`,
      `const web = await import("@slack/web-api");`,
      "const tpl = await import(`@slack/socket-mode`);",
      `const core = require("botbuilder-core");`,
      `const name = "@microsoft/agents-hosting"; await import(name);`,
    ].join("\n");
    expect(sdkNamedIn(source, "x.ts").sort()).toEqual([
      "@microsoft/agents-hosting",
      "@microsoft/teams-ai",
      "@slack/bolt",
      "@slack/socket-mode",
      "@slack/web-api",
      "botbuilder",
      "botbuilder-core",
    ]);
  });

  it("ignores SDK names in comments and in ordinary text", () => {
    const source = [
      `// src/ never imports @slack/* or botbuilder`,
      `/* import { App } from "@slack/bolt"; */`,
      `const help = "Install the app from @slack/apps";`,
      `import { z } from "zod";`,
    ].join("\n");
    expect(sdkNamedIn(source, "x.ts")).toEqual([]);
  });

  it("catches a domain file reaching the store, jobs, adapters or an SDK", () => {
    const path = join(DOMAIN, "example.ts");
    const source = [
      `import { findIncident } from "../store/incidents.ts";`,
      `import type { DeliveryQueue } from "../../jobs/delivery-queue.ts";`,
      `import { render } from "../../adapters/console/render.ts";`,
      `import { Queue } from "bullmq";`,
      `import { readFile } from "node:fs/promises";`,
      `import type { PhysicalHarm } from "./harm.ts";`,
      `import { DateTime } from "luxon";`,
    ].join("\n");
    expect(domainViolations(path, source)).toEqual([
      "../store/incidents.ts",
      "../../jobs/delivery-queue.ts",
      "../../adapters/console/render.ts",
      "bullmq",
      "node:fs/promises",
    ]);
  });
});

describe("boundaries", () => {
  const sources = filesUnder(SRC).map((path) => ({ path, name: relative(ROOT, path), text: readFileSync(path, "utf8") }));

  it("reads the whole of src/", () => {
    expect(sources.length).toBeGreaterThan(30);
    expect(sources.map((s) => s.name)).toEqual(expect.arrayContaining(["src/create-debrief.ts", "src/domain/harm.ts", "src/store/database.ts"]));
  });

  it("src/ never imports a Slack or Microsoft SDK or botbuilder", () => {
    const offenders = sources.flatMap(({ name, path, text }) => {
      const found = CODE.test(path) ? sdkNamedIn(text, path) : PLATFORM_SDK.test(text) ? [text.match(/(@slack\/|@microsoft\/|botbuilder)\S*/)![0]] : [];
      return found.map((spec) => `${name} → ${spec}`);
    });
    expect(offenders).toEqual([]);
  });

  it("src/domain imports nothing from the store, jobs, adapters or an SDK", () => {
    const domain = sources.filter((s) => s.path.startsWith(DOMAIN + sep) && CODE.test(s.path));
    expect(domain.length).toBeGreaterThan(0);
    const offenders = domain.flatMap(({ name, path, text }) => domainViolations(path, text).map((spec) => `${name} → ${spec}`));
    expect(offenders).toEqual([]);
  });
});

const ADAPTERS = join(ROOT, "adapters");
const JOBS = join(ROOT, "jobs");
// What an adapter may know of the product: the inbound port and what it speaks in (requests, outcomes, views), the
// platform contract and its ports, the text rule it shows user text by, and the HTTP route and config types it plugs into.
const ADAPTER_MAY_IMPORT = [
  "src/core/inbound.ts",
  "src/core/user-message.ts",
  "src/interaction.ts",
  "src/views/view.ts",
  "src/platform.ts",
  "src/ports.ts",
  "src/domain/text.ts",
  "src/infra/http-server.ts",
  "src/config.ts",
].map((p) => join(ROOT, p));

const within = (target: string, dir: string) => target === dir || target.startsWith(dir + sep);

/**
 * Every file of ours a source file names, resolved: relative import specifiers (static, type-only, dynamic, required),
 * and any string that is a relative module path (`const m = "../adapters/slack/app.ts"; await import(m)`), as for SDKs.
 */
function localImports(path: string, text: string): string[] {
  const { specifiers, strings } = importsOf(text, path);
  const relativePath = (s: string) => /^\.\.?\//.test(s) && CODE.test(s);
  return [...new Set([...specifiers.filter((spec) => spec.startsWith(".")), ...strings.map((s) => s.trim()).filter(relativePath)])].map((spec) =>
    resolve(dirname(path), spec),
  );
}

/** A module under src/ other than the composition root reaching adapters/ or jobs/. */
function compositionViolations(path: string, text: string): string[] {
  if (path === join(SRC, "main.ts")) return [];
  return localImports(path, text)
    .filter((t) => within(t, ADAPTERS) || within(t, JOBS))
    .map((t) => relative(ROOT, t));
}

/** An adapter reaching into src/ past the inbound port, the view model and the platform contract (the parser, a use case…). */
function adapterViolations(path: string, text: string): string[] {
  return localImports(path, text)
    .filter((t) => within(t, SRC) && !ADAPTER_MAY_IMPORT.includes(t))
    .map((t) => relative(ROOT, t));
}

describe("the layer checker", () => {
  // As for the import checker: the layer rules below are only as good as these, so they are tried on made-up files.
  it("catches a module under src/ reaching adapters/ or jobs/, however it names them, and lets src/main.ts", () => {
    const source = [
      `import type { SlackAdapter } from "../../adapters/slack/app.ts";`,
      `export { startDeliveryWorker } from "../../jobs/delivery-worker.ts";`,
      `const worker = await import("../../jobs/command-worker.ts");`,
      `const where = "../../adapters/console/session.ts"; const m = await import(where);`,
      `import { createCore } from "./create-core.ts";`,
      `const help = "see ../../adapters/ in the README";`,
    ].join("\n");
    expect(compositionViolations(join(SRC, "core", "example.ts"), source).sort()).toEqual(
      [join("adapters", "console", "session.ts"), join("adapters", "slack", "app.ts"), join("jobs", "command-worker.ts"), join("jobs", "delivery-worker.ts")].sort(),
    );
    expect(compositionViolations(join(SRC, "main.ts"), source)).toEqual([]);
  });

  it("catches an adapter importing the parser, a use case, a feature or the store, and lets the port and view model", () => {
    const source = [
      `import { parseCommand } from "../../src/commands/parse.ts";`,
      `import type { LogIncident } from "../../src/usecases/log-incident.ts";`,
      `const features = await import("../../src/features/incidents/index.ts");`,
      `const store = "../../src/store/incidents.ts"; await import(store);`,
      `import type { InboundPort } from "../../src/core/inbound.ts";`,
      `import type { MessageView } from "../../src/views/view.ts";`,
      `import type { PlatformAdapter } from "../../src/platform.ts";`,
      `import { toMessage } from "./render.ts";`,
    ].join("\n");
    expect(adapterViolations(join(ADAPTERS, "slack", "example.ts"), source).sort()).toEqual(
      [
        join("src", "commands", "parse.ts"),
        join("src", "features", "incidents", "index.ts"),
        join("src", "store", "incidents.ts"),
        join("src", "usecases", "log-incident.ts"),
      ].sort(),
    );
  });
});

describe("layers", () => {
  const codeUnder = (dir: string) =>
    filesUnder(dir)
      .filter((path) => CODE.test(path))
      .map((path) => ({ path, name: relative(ROOT, path), text: readFileSync(path, "utf8") }));

  it("only src/main.ts, the composition root, imports adapters/ or jobs/", () => {
    const sources = codeUnder(SRC);
    expect(sources.map((s) => s.name)).toContain(join("src", "main.ts"));
    const offenders = sources.flatMap(({ path, name, text }) => compositionViolations(path, text).map((t) => `${name} → ${t}`));
    expect(offenders).toEqual([]);
  });

  it("adapters reach the product only through the inbound port, the view model and the platform contract", () => {
    const adapters = codeUnder(ADAPTERS);
    expect(adapters.map((a) => a.name)).toEqual(expect.arrayContaining([join("adapters", "slack", "app.ts"), join("adapters", "console", "session.ts")]));
    const offenders = adapters.flatMap(({ path, name, text }) => adapterViolations(path, text).map((t) => `${name} → ${t}`));
    expect(offenders).toEqual([]);
  });

  it("an adapter does not import another platform's adapter", () => {
    const platforms = readdirSync(ADAPTERS);
    const offenders = codeUnder(ADAPTERS).flatMap(({ path, name, text }) => {
      const own = relative(ADAPTERS, path).split(sep)[0];
      return localImports(path, text)
        .filter((t) => within(t, ADAPTERS) && platforms.some((p) => p !== own && within(t, join(ADAPTERS, p))))
        .map((t) => `${name} → ${relative(ROOT, t)}`);
    });
    expect(offenders).toEqual([]);
  });
});
