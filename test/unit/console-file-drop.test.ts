import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, isAbsolute, join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ConsoleFileDrop, safeFileName } from "../../adapters/console/file-drop.ts";

/** An export at the terminal: written under the data folder, where the path printed finds it. */

const ALICE = { platform: "console", workspaceId: "local", userId: "alice" } as const;
const file = {
  filename: "debrief-reflections-2026-12-01.md",
  title: "Your reflections",
  content: "# Reflections\n\nThe café – £5 float was counted twice.\n",
  comment: "Here are your reflections.",
};

let dataDir: string;
beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "debrief-files-"));
});
afterEach(() => rm(dataDir, { recursive: true, force: true }));

describe("console file drop", () => {
  it("writes the export under dataDir/exports and says where, as an absolute path", async () => {
    const sent = await new ConsoleFileDrop(dataDir).sendToPerson(ALICE, file);

    expect(sent.where).toBe(join(dataDir, "exports", file.filename));
    expect(isAbsolute(sent.where)).toBe(true);
    expect(await readFile(sent.where, "utf8")).toBe(file.content);
  });

  it("never overwrites an earlier export of the same name", async () => {
    const drop = new ConsoleFileDrop(dataDir);
    const first = await drop.sendToPerson(ALICE, file);
    const second = await drop.sendToPerson(ALICE, { ...file, content: "second" });
    const third = await drop.sendToPerson(ALICE, { ...file, content: "third" });

    expect(second.where).toBe(join(dataDir, "exports", "debrief-reflections-2026-12-01-2.md"));
    expect(third.where).toBe(join(dataDir, "exports", "debrief-reflections-2026-12-01-3.md"));
    expect(await readFile(first.where, "utf8")).toBe(file.content);
    expect(await readFile(second.where, "utf8")).toBe("second");
    expect(await readFile(third.where, "utf8")).toBe("third");
  });

  it("keeps every name inside the exports folder", async () => {
    const drop = new ConsoleFileDrop(dataDir);
    for (const filename of ["../../escape.md", "..\\..\\escape.md", "/etc/passwd", ".hidden", "..", ""]) {
      const sent = await drop.sendToPerson(ALICE, { ...file, filename });
      expect(dirname(sent.where)).toBe(join(dataDir, "exports"));
    }
    expect((await readdir(join(dataDir, "exports"))).sort()).toEqual(["escape-2.md", "escape.md", "export", "export-2", "hidden", "passwd"]);
  });
});

describe("safeFileName", () => {
  it("keeps ordinary names and makes others readable", () => {
    expect(safeFileName("debrief-reflections-2026-12-01.md")).toBe("debrief-reflections-2026-12-01.md");
    expect(safeFileName("Café notes: week 1?.md")).toBe("Cafe-notes-week-1-.md");
    expect(safeFileName(`${"x".repeat(300)}.md`)).toMatch(/^x{117}\.md$/);
  });
});
