import { describe, expect, it } from "vitest";
import { characterCount, cleanText, cleanValues, overLimit } from "../../src/domain/text.ts";

describe("text as it comes in", () => {
  it("loses a NUL byte and other control characters, and keeps its line breaks", () => {
    expect(cleanText("Fell\u0000 in the\x1b[2J garden\x07\nat 5pm\u0085\u007f")).toBe("Fell in the[2J garden\nat 5pm");
  });

  it("turns a tab into a space and a Windows or old Mac line break into a plain one", () => {
    expect(cleanText("Oak\tHouse\r\nfirst floor\rkitchen")).toBe("Oak House\nfirst floor\nkitchen");
  });

  it("loses direction overrides and isolates, so nothing typed can reorder the words after it", () => {
    const overrides = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069";
    expect(cleanText(`INC-1 ${overrides}gnp.exe`)).toBe("INC-1 gnp.exe");
  });

  it("loses zero-width spaces, word joiners and byte order marks, and makes line and paragraph separators line breaks", () => {
    expect(cleanText("\ufeffINC\u200b-1 from s\u2060am\u2028second line\u2029third")).toBe("INC-1 from sam\nsecond line\nthird");
    // The joiners emoji and some scripts need are kept.
    expect(cleanText("👩\u200d👧 \u0645\u200c\u06cc")).toBe("👩\u200d👧 \u0645\u200c\u06cc");
  });

  it("keeps direction marks, emoji and the letters of every script as typed", () => {
    const typed = "Met \u200fمريم\u200e at Oak House 👩🏽‍⚕️ — café, Łódź";
    expect(cleanText(typed)).toBe(typed);
  });

  it("turns half an emoji into U+FFFD, and keeps whole emoji as typed", () => {
    expect(cleanText("Fell \ud83d on the stairs \ude00 👍")).toBe("Fell \ufffd on the stairs \ufffd 👍");
  });

  it("cleans every text a form submits, in lists too, and leaves dates and empty answers alone", () => {
    const when = new Date("2026-11-30T09:00:00Z");
    expect(cleanValues({ summary: "Fell\u0000", involved: ["U1\u202e"], occurred_at: when, location: null })).toEqual({
      summary: "Fell",
      involved: ["U1"],
      occurred_at: when,
      location: null,
    });
  });
});

describe("text limits", () => {
  it("refuses a text past its limit, naming the limit and how long the text is", () => {
    expect(overLimit("the lesson", "x".repeat(1001), 1000)).toBe("Keep the lesson to 1000 characters; this one has 1001.");
    expect(overLimit("the lesson", "x".repeat(1000), 1000)).toBeUndefined();
  });

  it("counts an emoji as one character, as the person typing it does", () => {
    expect(characterCount("ok 👍")).toBe(4);
    expect(overLimit("the note", "👍".repeat(10), 10)).toBeUndefined();
  });
});
