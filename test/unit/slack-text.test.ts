import { describe, expect, it } from "vitest";
import { coreText } from "../../adapters/slack/text.ts";

describe("Slack command text, as the core reads it", () => {
  it("undoes the escaping Slack applies to &, < and >", () => {
    expect(coreText("Tom &amp; Jerry said &lt;!channel&gt; &gt; 3 times")).toBe("Tom & Jerry said <!channel> > 3 times");
  });

  it("writes a user mention as <@id>, without the label Slack may add", () => {
    expect(coreText("manager <@U1|sam> <@U2>")).toBe("manager <@U1> <@U2>");
  });

  it("keeps an entity the person typed themselves as they typed it, undone once", () => {
    // Typed "&lt;", Slack sends "&amp;lt;": it must not become "<".
    expect(coreText("by &amp;lt;tomorrow&amp;gt;")).toBe("by &lt;tomorrow&gt;");
  });

  it("leaves channel links and special mentions as they are, so they are echoed as text", () => {
    expect(coreText("<!here> in <#C1|oak-house>")).toBe("<!here> in <#C1|oak-house>");
  });
});
