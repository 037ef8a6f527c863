import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  buttonId,
  clipMrkdwn,
  escapeMrkdwn,
  fallbackText,
  formValues,
  LIMITS,
  mrkdwn,
  sendsAnswers,
  toBlocks,
  toConfirmationModal,
  toHome,
  toModal,
} from "../../adapters/slack/render.ts";
import { problemView } from "../../src/views/reply-views.ts";
import type { FormView, MessageView } from "../../src/views/view.ts";
import { stateValues } from "../support/slack-requests.ts";
import { REFLECTION_PROMPT } from "../support/views.ts";

const fixture = (name: string) =>
  JSON.parse(readFileSync(new URL(`../fixtures/slack/${name}.json`, import.meta.url), "utf8")) as Record<string, any>;

/** Every mrkdwn and plain_text string in some blocks, to check none can ping or forge. */
function texts(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.flatMap(texts);
  if (value && typeof value === "object") {
    const o = value as Record<string, unknown>;
    if ((o.type === "mrkdwn" || o.type === "plain_text") && typeof o.text === "string") return [o.text];
    return Object.values(o).flatMap(texts);
  }
  return [];
}

describe("user text in Slack messages", () => {
  it("escapes &, < and > so nobody can ping @channel or forge a mention through the bot", () => {
    expect(escapeMrkdwn("<!channel> meds & <@U1> <!here|here>")).toBe("&lt;!channel&gt; meds &amp; &lt;@U1&gt; &lt;!here|here&gt;");
    // Already-escaped text is shown as typed, not decoded.
    expect(escapeMrkdwn("&amp;")).toBe("&amp;amp;");
  });

  it("escapes a summary everywhere it appears: title, text, fields, context and the notification text", () => {
    const evil = "<!channel> Fall & <@U1> at <https://evil.example|Oak House>";
    const view: MessageView = {
      text: evil,
      title: evil,
      sections: [{ text: evil, fields: [{ label: evil, value: evil }] }],
      context: evil,
      buttons: [{ id: "incident.details", label: evil, value: "INC-1" }],
    };
    const blocks = toBlocks(view);
    const mrkdwnTexts = blocks.flatMap((b) => texts(b)).filter((t) => t.includes("channel"));
    expect(mrkdwnTexts.length).toBeGreaterThan(3);
    const json = JSON.stringify(blocks.filter((b) => b.type !== "header" && b.type !== "actions"));
    expect(json).not.toMatch(/<!channel>|<@U1>|<https:/);
    expect(json).toContain("&lt;!channel&gt;");
    expect(json).toContain("&amp;");
    expect(fallbackText(view)).toBe("&lt;!channel&gt; Fall &amp; &lt;@U1&gt; at &lt;https://evil.example|Oak House&gt;");
  });

  it("renders mention spans as real mentions and strong spans as bold, escaping inside them", () => {
    expect(mrkdwn(["Owner ", { mention: "U123ABC" }, ": ", { strong: "<b>&" }, " ", { code: "INC-`1`" }])).toBe(
      "Owner <@U123ABC>: *&lt;b&gt;&amp;* `INC-ˋ1ˋ`",
    );
  });

  it("never turns a mention span with a made-up id into markup", () => {
    expect(mrkdwn([{ mention: "U1>|<!channel" }])).toBe("@U1&gt;|&lt;!channel");
    expect(mrkdwn([{ mention: "alice" }])).toBe("@alice");
  });
});

describe("bold in Slack", () => {
  // Slack shows `*Note: *` as it is, stars and all: bold must start and end on a non-space.
  const starNextToSpace = /\*\s+[^*\s]*\*|\*[^*\s]*\s+\*/;

  it("shows a label ending in a space as bold, with the space outside the stars", () => {
    expect(mrkdwn([{ strong: "Note: " }, "Checked the MAR chart"])).toBe("*Note:* Checked the MAR chart");
    expect(mrkdwn(["Owner", { strong: " Sam" }])).toBe("Owner *Sam*");
  });

  it("ends bold before a line break, and makes each line of a bold span bold on its own", () => {
    expect(mrkdwn([{ strong: "What happened\n" }, "Found at handover"])).toBe("*What happened*\nFound at handover");
    expect(mrkdwn([{ strong: "Lesson learned\n\n  Check twice" }])).toBe("*Lesson learned*\n\n  *Check twice*");
    expect(mrkdwn([{ strong: " \n " }])).toBe(" \n ");
  });

  it("shows a refusal's 'You typed:' and a field's label in bold Slack can read", () => {
    const refusal = texts(toBlocks(problemView("Keep the note shorter.", undefined, "done A-1 ok")));
    const field = texts(toBlocks({ text: "INC-1", sections: [{ fields: [{ label: "Where: ", value: "Oak House" }] }] }));
    expect(refusal).toContain("*You typed:* `done A-1 ok`");
    expect(field).toContain("*Where:* \nOak House");
    for (const text of [...refusal, ...field]) expect(text).not.toMatch(starNextToSpace);
  });
});

describe("Block Kit limits", () => {
  it("shortens long section text politely without cutting an entity in half", () => {
    const blocks = toBlocks({ text: "x", sections: [{ text: "&".repeat(LIMITS.sectionText) }] });
    const text = (blocks[0] as any).text.text as string;
    expect(text.length).toBeLessThanOrEqual(LIMITS.sectionText);
    expect(text.endsWith("&amp;…")).toBe(true);
    expect(clipMrkdwn("ab <@U12345>", 8)).toBe("ab …");
  });

  it("keeps a header within 150 characters", () => {
    const [header] = toBlocks({ text: "x", title: "t".repeat(400) });
    expect((header as any).text.text).toHaveLength(LIMITS.headerText);
    expect((header as any).text.text.endsWith("…")).toBe(true);
  });

  it("puts at most 10 fields in a section", () => {
    const fields = Array.from({ length: 23 }, (_, i) => ({ label: `F${i}`, value: `v${i}` }));
    const blocks = toBlocks({ text: "x", sections: [{ text: "intro", fields }] });
    expect(blocks.map((b: any) => b.fields?.length ?? 0)).toEqual([10, 10, 3]);
    expect((blocks[0] as any).text.text).toBe("intro");
    expect((blocks[1] as any).text).toBeUndefined();
  });

  it("keeps a message to 50 blocks, saying how many more there are, and keeps the header and buttons", () => {
    const view: MessageView = {
      text: "x",
      title: "Open incidents",
      sections: Array.from({ length: 80 }, (_, i) => ({ text: `INC-${i + 1}` })),
      buttons: [{ id: "incident.list", label: "More", value: "2" }],
    };
    const blocks = toBlocks(view);
    expect(blocks).toHaveLength(LIMITS.messageBlocks);
    expect(blocks[0]!.type).toBe("header");
    expect(blocks.at(-1)!.type).toBe("actions");
    expect(JSON.stringify(blocks.at(-2))).toContain("33 more not shown here");
    expect(toBlocks(view, { maxBlocks: LIMITS.viewBlocks })).toHaveLength(82);
  });

  it("splits buttons into actions blocks of 25 and keeps repeated ids unique", () => {
    const buttons = Array.from({ length: 30 }, (_, i) => ({ id: "action.nudge", label: `Nudge ${i}`, value: `A-${i}` }));
    const blocks = toBlocks({ text: "x", buttons }) as any[];
    expect(blocks.map((b) => b.elements.length)).toEqual([25, 5]);
    const ids = blocks.flatMap((b) => b.elements.map((e: any) => e.action_id));
    expect(new Set(ids).size).toBe(30);
    expect(ids[0]).toBe("action.nudge");
    expect(ids.map(buttonId)).toEqual(Array(30).fill("action.nudge"));
  });

  it("falls back to one section when a view has only its summary text", () => {
    expect(toBlocks({ text: "Saved <INC-1>" })).toEqual([{ type: "section", text: { type: "mrkdwn", text: "Saved &lt;INC-1&gt;" } }]);
  });
});

const FORM: FormView = {
  id: "incident.form",
  title: "Log an incident for Oak House today",
  submitLabel: "Log incident",
  intro: "No names of people we support — use their reference. <!channel>",
  state: JSON.stringify({ channel: "C0INCIDENTS" }),
  inputs: [
    { kind: "text", id: "summary", label: "Summary", maxLength: 150, initial: "Missed meds" },
    { kind: "text", id: "what_happened", label: "What happened", multiline: true, maxLength: 10_000, optional: true, hint: "Facts, not opinions." },
    {
      kind: "select",
      id: "category",
      label: "Category",
      options: [
        { value: "medication", label: "Medication" },
        { value: "safeguarding", label: "Safeguarding / allegation of abuse" },
      ],
      initial: "medication",
    },
    {
      kind: "multiselect",
      id: "notifications",
      label: "External notifications",
      optional: true,
      options: [
        { value: "regulator", label: "Regulator (CQC/Ofsted)" },
        { value: "police", label: "Police" },
      ],
      initial: ["police"],
    },
    { kind: "people", id: "people", label: "People involved", optional: true, initial: ["U0CARER"] },
    { kind: "datetime", id: "occurred_at", label: "When did it happen?", initial: new Date("2026-11-25T18:00:00Z") },
  ],
};

describe("forms as modals", () => {
  it("opens a modal routed by the form id, carrying its state, with one input block per input", () => {
    const modal = toModal(FORM);
    expect(modal).toMatchObject({
      type: "modal",
      callback_id: "incident.form",
      private_metadata: FORM.state,
      submit: { type: "plain_text", text: "Log incident" },
      close: { type: "plain_text", text: "Cancel" },
    });
    expect(modal.title.text.length).toBeLessThanOrEqual(LIMITS.modalTitle);
    expect((modal.blocks[0] as any).text.text).toContain("&lt;!channel&gt;");
    const inputs = modal.blocks.filter((b) => b.type === "input") as any[];
    expect(inputs.map((b) => b.block_id)).toEqual(FORM.inputs.map((i) => i.id));
    expect(inputs.map((b) => b.element.type)).toEqual([
      "plain_text_input",
      "plain_text_input",
      "static_select",
      "multi_static_select",
      "multi_users_select",
      "datetimepicker",
    ]);
    expect(inputs.map((b) => b.optional)).toEqual([false, true, false, true, true, false]);
    const [summary, what, category, notifications, people, occurred] = inputs.map((b) => b.element);
    expect(summary).toMatchObject({ max_length: 150, multiline: false, initial_value: "Missed meds" });
    expect(what).toMatchObject({ max_length: LIMITS.textInputMaxLength, multiline: true });
    expect(inputs[1].hint.text).toBe("Facts, not opinions.");
    expect(category.initial_option).toEqual(category.options[0]);
    expect(notifications.initial_options).toEqual([notifications.options[1]]);
    expect(people.initial_users).toEqual(["U0CARER"]);
    expect(occurred.initial_date_time).toBe(Date.parse("2026-11-25T18:00:00Z") / 1000);
  });

  it("stops a people picker at the most the form allows", () => {
    const modal = toModal({ id: "incident.new", title: "Log an incident", submitLabel: "Log it", inputs: [{ kind: "people", id: "involved", label: "Staff involved", maxSelected: 20 }] });
    expect((modal.blocks.find((b) => b.type === "input") as any).element).toMatchObject({ type: "multi_users_select", max_selected_items: 20 });
  });

  it("asks for exactly one person with a single-user picker, and reads it back as a list of one", () => {
    const modal = toModal({ id: "action.new", title: "Add an action", submitLabel: "Add", inputs: [{ kind: "people", id: "owner", label: "Owner", single: true, initial: ["U0SAM"] }] });
    const input = modal.blocks.find((b) => b.type === "input") as any;
    expect(input.element).toMatchObject({ type: "users_select", initial_user: "U0SAM" });
    expect(formValues({ owner: { value: { type: "users_select", selected_user: "U0SAM" } } as any })).toEqual({ owner: ["U0SAM"] });
    expect(formValues({ owner: { value: { type: "users_select", selected_user: null } } as any })).toEqual({ owner: [] });
  });

  it("shows errors given with the form under their inputs", () => {
    const modal = toModal(FORM, { summary: "Say what happened in a line <here>" });
    const i = modal.blocks.findIndex((b) => b.type === "input" && b.block_id === "summary");
    expect(JSON.stringify(modal.blocks[i + 1])).toContain("Say what happened in a line &lt;here&gt;");
  });

  it("refuses state Slack could not carry instead of cutting it", () => {
    expect(() => toModal({ ...FORM, state: "x".repeat(3001) })).toThrow(/3000/);
  });

  it("reads a real view_submission's state back as values keyed by input id", () => {
    const { view } = fixture("view-submission");
    expect(formValues(view.state.values)).toEqual({
      summary: "Missed evening medication at Oak House",
      category: "medication",
      notifications: ["regulator"],
      people: ["U0CARER", "U0NURSE"],
      occurred_at: new Date(1764093600 * 1000),
      what_happened: null,
    });
  });

  it("gives back what a user entered in the modal it rendered", () => {
    const answers = {
      summary: "Fall in the garden & a bruise",
      what_happened: "Slipped on wet grass",
      category: "safeguarding",
      notifications: ["regulator", "police"],
      people: ["U0CARER", "U0NURSE"],
      occurred_at: new Date("2026-11-24T09:30:00Z"),
    };
    const modal = toModal(FORM);
    expect(formValues(stateValues(modal.blocks as any[], answers))).toEqual(answers);
    expect(formValues(stateValues(modal.blocks as any[], {}))).toEqual({
      summary: null,
      what_happened: null,
      category: null,
      notifications: [],
      people: [],
      occurred_at: null,
    });
  });
});

describe("modal answers and the App Home", () => {
  it("replaces a submitted modal with the outcome and a Done button", () => {
    const modal = toConfirmationModal({ text: "INC-4 logged", title: "INC-4 logged", sections: [{ text: "Thanks" }] }, "Log an incident");
    expect(modal).toMatchObject({ type: "modal", title: { text: "Log an incident" }, close: { text: "Done" } });
    expect(modal.submit).toBeUndefined();
    expect(modal.blocks.map((b) => b.type)).toEqual(["header", "section"]);
  });

  it("puts the introduction above the help in the Home tab", () => {
    const home = toHome({ text: "intro", title: "Debrief" }, { text: "help", sections: [{ text: "/incident" }] });
    expect(home.type).toBe("home");
    expect(home.blocks.map((b) => b.type)).toEqual(["header", "divider", "section"]);
  });
});

describe("views without Slack syntax", () => {
  it("shows a mention as Slack's own, which Slack names itself, whatever name the view gives", () => {
    expect(mrkdwn(["Owner ", { mention: "U123ABC", name: "Sam Jones" }])).toBe("Owner <@U123ABC>");
    expect(mrkdwn([{ mention: "alice", name: "Alice <b>" }])).toBe("@Alice &lt;b&gt;");
  });

  it("shows a command to type as its slash command, escaped like any text", () => {
    expect(mrkdwn(["When it's done: ", { command: "action extend A-7 <when>" }, "."])).toBe("When it's done: /action extend A-7 &lt;when&gt;.");
  });
});

describe("questions answered in a message", () => {
  it("asks them in input blocks that send nothing until the submit button, shown first among the buttons, is pressed", () => {
    const blocks = toBlocks(REFLECTION_PROMPT) as Record<string, any>[];
    expect(blocks.map((b) => b.type)).toEqual(["section", "context", "input", "input", "actions"]);
    const [, , text, select, actions] = blocks;
    expect(text).toMatchObject({ block_id: "went_well", optional: false, element: { type: "plain_text_input", multiline: true } });
    expect(select).toMatchObject({ block_id: "confidence", optional: true, element: { type: "static_select" } });
    expect(blocks.some((b) => "dispatch_action" in b)).toBe(false);
    expect(actions!.elements.map((e: Record<string, any>) => [e.action_id, e.value, e.text.text])).toEqual([
      // The submit is marked, so its press is taken as the answers, not as a button like the others.
      ["reflect.answer#answer", "R-3", "Send"],
      ["reflect.snooze", "R-3", "Later"],
    ]);
    expect(actions!.elements.map((e: Record<string, any>) => [buttonId(e.action_id), sendsAnswers(e.action_id)])).toEqual([
      ["reflect.answer", true],
      ["reflect.snooze", false],
    ]);
  });

  it("reads back what was typed in the message from the state a press of submit carries", () => {
    const blocks = toBlocks(REFLECTION_PROMPT) as any[];
    expect(formValues(stateValues(blocks, { went_well: "Handover was calm", confidence: "high" }))).toEqual({ went_well: "Handover was calm", confidence: "high" });
  });

  it("keeps the questions and submit of a long message, shortening the middle instead", () => {
    const long: MessageView = { ...REFLECTION_PROMPT, sections: Array.from({ length: 60 }, (_, i) => ({ text: `line ${i}` })) };
    const blocks = toBlocks(long) as Record<string, any>[];
    expect(blocks).toHaveLength(LIMITS.messageBlocks);
    expect(blocks.slice(-3).map((b) => b.type)).toEqual(["input", "input", "actions"]);
  });
});
