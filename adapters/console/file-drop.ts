import { mkdir, writeFile } from "node:fs/promises";
import { extname, join, resolve } from "node:path";
import type { FileDrop, FileSent, FileToSend, PersonRef } from "../../src/ports.ts";

// Far more than any export gives, and short of the 255 bytes most file systems allow in a name.
const MAX_NAME = 120;
// Past this many same-named exports something is wrong; better to say so than to loop on.
const MAX_COPIES = 1000;

/** Hands the person at the terminal a file by writing it to `<dataDir>/exports/`, beside the bot's other data. */
export class ConsoleFileDrop implements FileDrop {
  private readonly folder: string;

  constructor(dataDir: string) {
    this.folder = resolve(dataDir, "exports");
  }

  async sendToPerson(_person: PersonRef, file: FileToSend): Promise<FileSent> {
    await mkdir(this.folder, { recursive: true });
    const name = safeFileName(file.filename);
    const ext = extname(name);
    const stem = name.slice(0, name.length - ext.length);
    for (let copy = 1; copy <= MAX_COPIES; copy++) {
      const path = join(this.folder, copy === 1 ? name : `${stem}-${copy}${ext}`);
      try {
        // "wx" fails if the file exists, so an earlier export is never overwritten, even by one written at the same time.
        await writeFile(path, file.content, { encoding: "utf8", flag: "wx" });
        return { where: path };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      }
    }
    throw new Error(`${this.folder} already holds ${MAX_COPIES} exports named ${name}`);
  }
}

/** A name that stays inside the exports folder: no folders, no leading dot, only characters every file system takes. */
export function safeFileName(filename: string): string {
  const base = filename.split(/[/\\]/).pop() ?? "";
  const cleaned = base
    .normalize("NFKD")
    // Accents come apart from their letters under NFKD; dropping them keeps "café" readable as "cafe".
    .replace(/\p{M}+/gu, "")
    .replace(/[^A-Za-z0-9._-]+/g, "-")
    .replace(/^[.-]+/, "")
    .replace(/-{2,}/g, "-");
  if (cleaned.length <= MAX_NAME) return cleaned || "export";
  const ext = extname(cleaned).slice(0, 16);
  return cleaned.slice(0, MAX_NAME - ext.length) + ext;
}
