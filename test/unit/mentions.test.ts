import { describe, expect, it } from "vitest";
import { mentionedIds, withNames } from "../../src/domain/mentions.ts";

describe("people mentioned in text", () => {
  it("are found each once, in the order they first appear", () => {
    expect(mentionedIds("by <@USAM> and <@UALEX>, checked by <@USAM>")).toEqual(["USAM", "UALEX"]);
    expect(mentionedIds("no one here, not even @sam or <!channel>")).toEqual([]);
  });

  it("are written by name for people to read", () => {
    expect(withNames("by <@USAM> and <@UALEX>", (id) => ({ USAM: "Sam Jones", UALEX: "Alex" })[id] ?? id)).toBe("by @Sam Jones and @Alex");
  });
});
