import type { types } from "@slack/bolt";
import type { ViewStateValue } from "@slack/bolt";
import type { Button, FormErrors, FormValues, FormView, Input, MessageView, Option, Text } from "../../src/views/view.ts";

/**
 * Block Kit for Debrief's platform-neutral views. Every string a user typed reaches Slack through `mrkdwn()` or a
 * plain_text object, so nothing echoed by the bot can ping @channel or forge a mention.
 */

type KnownBlock = types.KnownBlock;
type ActionsBlock = types.ActionsBlock;
type SectionBlock = types.SectionBlock;
type InputBlock = types.InputBlock;
type ModalView = types.ModalView;
type HomeView = types.HomeView;
type PlainTextOption = types.PlainTextOption;

// Slack's documented limits; over them the whole call fails, so we shorten instead.
export const LIMITS = {
  messageBlocks: 50,
  viewBlocks: 100,
  headerText: 150,
  sectionText: 3000,
  sectionFields: 10,
  fieldText: 2000,
  contextText: 3000,
  buttonText: 75,
  actionsElements: 25,
  fallbackText: 3000,
  modalTitle: 24,
  modalButton: 24,
  inputLabel: 2000,
  inputHint: 2000,
  textInputMaxLength: 3000,
  selectOptions: 100,
  optionText: 75,
  optionValue: 150,
  privateMetadata: 3000,
} as const;

const ELLIPSIS = "…";

/** Slack's three control characters; everything else in mrkdwn is shown as typed. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

// Slack user ids (U… or W… on Enterprise Grid); anything else is shown as text, never as `<@…>`.
const USER_ID = /^[UW][A-Z0-9]{2,}$/;

/**
 * Rich text as mrkdwn: user text escaped, `{strong}` bold, `{code}` inline code, `{command}` as typed in Slack (after
 * a slash), `{mention}` a real mention (Slack shows the person's current name itself, so a given name is not needed).
 */
export function mrkdwn(text: Text): string {
  if (typeof text === "string") return escapeMrkdwn(text);
  return text
    .map((span) => {
      if (typeof span === "string") return escapeMrkdwn(span);
      if ("strong" in span) return bold(span.strong);
      // A backtick inside would end the code span early; a look-alike keeps the text readable.
      if ("code" in span) return span.code ? `\`${escapeMrkdwn(span.code.replace(/`/g, "ˋ"))}\`` : "";
      if ("command" in span) return escapeMrkdwn(`/${span.command}`);
      return USER_ID.test(span.mention) ? `<@${span.mention}>` : escapeMrkdwn(`@${span.name ?? span.mention}`);
    })
    .join("");
}

/**
 * Bold as Slack shows it: a `*` with a space or line break just inside is shown as a star (`*Note: *`), and bold does
 * not cross a line break. So each line's words are marked, with the spaces around them left outside the stars.
 */
function bold(text: string): string {
  return text
    .split("\n")
    .map((line) => {
      const [, before = "", words = "", after = ""] = /^(\s*)(.*?)(\s*)$/s.exec(line) ?? [];
      return words ? `${before}*${escapeMrkdwn(words)}*${after}` : line;
    })
    .join("\n");
}

/** Shortens mrkdwn to `max` characters without cutting an entity (`&amp;`) or a mention (`<@U1>`) in half. */
export function clipMrkdwn(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max - 1).replace(/&[a-z]*$|<[^>]*$/, "");
  return cut + ELLIPSIS;
}

/** Shortens plain text to `max` characters (code points, so an emoji is never split). */
export function clipPlain(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : chars.slice(0, max - 1).join("") + ELLIPSIS;
}

const plain = (text: string, max: number) => ({ type: "plain_text" as const, text: clipPlain(text, max), emoji: true });

/** The notification and fallback text of a message: escaped too, because Slack formats it as mrkdwn. */
export function fallbackText(view: MessageView): string {
  return clipMrkdwn(escapeMrkdwn(view.text), LIMITS.fallbackText);
}

/** A message's text and blocks, as every Slack method and response_url takes them. */
export function toMessage(view: MessageView): { text: string; blocks: KnownBlock[] } {
  return { text: fallbackText(view), blocks: toBlocks(view) };
}

export interface BlockOptions {
  /** 50 in a message, 100 in a modal or the App Home. */
  maxBlocks?: number;
}

/**
 * A message view as Block Kit: header, sections (text and up to 10 fields each), small print, then what can be done
 * with it: inputs answered in the message and the buttons, its submit first. The inputs dispatch nothing as they are
 * filled in; pressing submit sends their state with the press (block_actions `state.values`).
 */
export function toBlocks(view: MessageView, options: BlockOptions = {}): KnownBlock[] {
  const maxBlocks = options.maxBlocks ?? LIMITS.messageBlocks;
  const head: KnownBlock[] = view.title ? [{ type: "header", text: plain(view.title, LIMITS.headerText) }] : [];
  const body: KnownBlock[] = [];
  for (const section of view.sections ?? []) body.push(...sectionBlocks(section.text, section.fields ?? []));
  if (view.context !== undefined) {
    const text = mrkdwn(view.context);
    if (text.trim()) {
      body.push({ type: "context", elements: [{ type: "mrkdwn", text: clipMrkdwn(text, LIMITS.contextText) }] });
    }
  }
  const inputs = (view.answer?.inputs ?? []).map(inputBlock);
  const submit = view.answer ? [{ ...view.answer.submit, id: `${view.answer.submit.id}${ANSWER_MARK}` }] : [];
  const actions = [...inputs, ...actionBlocks([...submit, ...(view.buttons ?? [])])];
  // With no blocks Slack shows only the fallback text; a section keeps the message looking like the others.
  if (head.length + body.length + actions.length === 0 && view.text) {
    body.push({ type: "section", text: { type: "mrkdwn", text: clipMrkdwn(fallbackText(view), LIMITS.sectionText) } });
  }
  return fitBlocks(head, body, actions, maxBlocks);
}

function sectionBlocks(text: Text | undefined, fields: readonly { label: string; value: Text }[]): SectionBlock[] {
  const blocks: SectionBlock[] = [];
  const rendered = text === undefined ? "" : mrkdwn(text);
  const fieldTexts = fields.map((f) => ({
    type: "mrkdwn" as const,
    text: clipMrkdwn(`${bold(f.label)}\n${mrkdwn(f.value)}`, LIMITS.fieldText),
  }));
  // The first section carries the text and the first 10 fields; further fields get sections of their own.
  const chunks: (typeof fieldTexts)[] = [];
  for (let i = 0; i < fieldTexts.length; i += LIMITS.sectionFields) chunks.push(fieldTexts.slice(i, i + LIMITS.sectionFields));
  if (chunks.length === 0) chunks.push([]);
  chunks.forEach((chunk, i) => {
    const block: SectionBlock = { type: "section" };
    if (i === 0 && rendered.trim()) block.text = { type: "mrkdwn", text: clipMrkdwn(rendered, LIMITS.sectionText) };
    if (chunk.length) block.fields = chunk;
    if (block.text || block.fields) blocks.push(block);
  });
  return blocks;
}

/** Buttons in actions blocks of at most 25; a repeated id gets a `#n` suffix, as Slack wants ids unique per message. */
function actionBlocks(buttons: readonly Button[]): ActionsBlock[] {
  const seen = new Map<string, number>();
  const elements = buttons.map((b) => {
    const n = seen.get(b.id) ?? 0;
    seen.set(b.id, n + 1);
    return {
      type: "button" as const,
      action_id: n === 0 ? b.id : `${b.id}#${n}`,
      text: plain(b.label, LIMITS.buttonText),
      value: b.value,
      ...(b.style ? { style: b.style } : {}),
    };
  });
  const blocks: ActionsBlock[] = [];
  for (let i = 0; i < elements.length; i += LIMITS.actionsElements) {
    blocks.push({ type: "actions", elements: elements.slice(i, i + LIMITS.actionsElements) });
  }
  return blocks;
}

/** The button id a press routes on, without the `#n` that kept repeated ids unique. */
export function buttonId(actionId: string): string {
  return actionId.replace(/#\d+$/, "").replace(ANSWER_MARK, "");
}

// Marks the button that sends the answers given in a message, so a press on it is taken as a form submission.
const ANSWER_MARK = "#answer";

/** Whether a pressed button sends the answers given in its message (a MessageAnswer's submit). */
export const sendsAnswers = (actionId: string): boolean => actionId.replace(/#\d+$/, "").endsWith(ANSWER_MARK);

/** Keeps the header, inputs and buttons and shortens the middle, so a long list still lets people act on it. */
function fitBlocks(head: KnownBlock[], body: KnownBlock[], actions: KnownBlock[], max: number): KnownBlock[] {
  const all = [...head, ...body, ...actions];
  if (all.length <= max) return all;
  const room = Math.max(0, max - head.length - actions.length - 1);
  const more: KnownBlock = {
    type: "context",
    elements: [{ type: "mrkdwn", text: `${ELLIPSIS} ${body.length - room} more not shown here` }],
  };
  return [...head, ...body.slice(0, room), more, ...actions].slice(0, max);
}

// ── forms ─────────────────────────────────────────────────────────────────────

/** The action id of every input's element; values are read back by block id, which is the input's id. */
const VALUE = "value";

/** A form as a `views.open` modal. `errors`, when given, are shown under their inputs (a fresh modal has no inline errors). */
export function toModal(form: FormView, errors: FormErrors = {}): ModalView {
  if (form.state !== undefined && form.state.length > LIMITS.privateMetadata) {
    // Cutting opaque state would corrupt it; this is a bug in the form, not something to hide.
    throw new Error(`form ${form.id} state is ${form.state.length} characters; Slack keeps at most ${LIMITS.privateMetadata}`);
  }
  const blocks: KnownBlock[] = [];
  if (form.intro !== undefined) {
    const intro = mrkdwn(form.intro);
    if (intro.trim()) blocks.push({ type: "section", text: { type: "mrkdwn", text: clipMrkdwn(intro, LIMITS.sectionText) } });
  }
  for (const input of form.inputs) {
    blocks.push(inputBlock(input));
    const error = errors[input.id];
    if (error) blocks.push({ type: "context", elements: [{ type: "mrkdwn", text: clipMrkdwn(`:warning: ${escapeMrkdwn(error)}`, LIMITS.contextText) }] });
  }
  return {
    type: "modal",
    callback_id: form.id,
    title: plain(form.title, LIMITS.modalTitle),
    submit: plain(form.submitLabel, LIMITS.modalButton),
    close: plain("Cancel", LIMITS.modalButton),
    ...(form.state !== undefined ? { private_metadata: form.state } : {}),
    blocks: blocks.slice(0, LIMITS.viewBlocks),
  };
}

function inputBlock(input: Input): InputBlock {
  const block = {
    type: "input" as const,
    block_id: input.id,
    label: plain(input.label, LIMITS.inputLabel),
    optional: input.optional ?? false,
    ...(input.hint ? { hint: plain(input.hint, LIMITS.inputHint) } : {}),
  };
  switch (input.kind) {
    case "text":
      return {
        ...block,
        element: {
          type: "plain_text_input",
          action_id: VALUE,
          multiline: input.multiline ?? false,
          max_length: Math.min(input.maxLength ?? LIMITS.textInputMaxLength, LIMITS.textInputMaxLength),
          ...(input.initial ? { initial_value: input.initial } : {}),
        },
      };
    case "select": {
      const options = input.options.slice(0, LIMITS.selectOptions).map(option);
      const initial = options.find((o) => o.value === input.initial);
      return {
        ...block,
        element: { type: "static_select", action_id: VALUE, options, ...(initial ? { initial_option: initial } : {}) },
      };
    }
    case "multiselect": {
      const options = input.options.slice(0, LIMITS.selectOptions).map(option);
      const initial = options.filter((o) => input.initial?.includes(o.value ?? ""));
      return {
        ...block,
        element: {
          type: "multi_static_select",
          action_id: VALUE,
          options,
          ...(initial.length ? { initial_options: initial } : {}),
        },
      };
    }
    case "people":
      if (input.single) {
        return {
          ...block,
          element: { type: "users_select", action_id: VALUE, ...(input.initial?.[0] ? { initial_user: input.initial[0] } : {}) },
        };
      }
      return {
        ...block,
        element: {
          type: "multi_users_select",
          action_id: VALUE,
          ...(input.initial?.length ? { initial_users: [...input.initial] } : {}),
          ...(input.maxSelected ? { max_selected_items: input.maxSelected } : {}),
        },
      };
    case "datetime":
      return {
        ...block,
        element: {
          type: "datetimepicker",
          action_id: VALUE,
          ...(input.initial ? { initial_date_time: Math.floor(input.initial.getTime() / 1000) } : {}),
        },
      };
  }
}

function option(o: Option): PlainTextOption {
  return { text: plain(o.label, LIMITS.optionText), value: clipPlain(o.value, LIMITS.optionValue) };
}

/** Submitted values keyed by input id: text and selects give a string, multi-selects and people string[], dates a Date. */
export function formValues(values: Record<string, Record<string, ViewStateValue>>): FormValues {
  const result: FormValues = {};
  for (const [blockId, actions] of Object.entries(values)) {
    const state = actions[VALUE] ?? Object.values(actions)[0];
    if (state) result[blockId] = stateValue(state);
  }
  return result;
}

function stateValue(state: ViewStateValue): FormValues[string] {
  switch (state.type) {
    case "static_select":
    case "external_select":
    case "radio_buttons":
      return state.selected_option?.value ?? null;
    case "multi_static_select":
    case "multi_external_select":
    case "checkboxes":
      return (state.selected_options ?? []).map((o) => o.value);
    case "multi_users_select":
      return state.selected_users ?? [];
    case "users_select":
      // People inputs always submit a list, one person or many.
      return state.selected_user ? [state.selected_user] : [];
    case "datetimepicker":
      return typeof state.selected_date_time === "number" ? new Date(state.selected_date_time * 1000) : null;
    default:
      return state.value ?? null;
  }
}

/** The ids of a submitted modal's inputs, in order; errors must name one of them or Slack rejects the whole answer. */
export function inputIds(blocks: readonly { type: string; block_id?: string }[]): string[] {
  return blocks.filter((b) => b.type === "input" && b.block_id).map((b) => b.block_id!);
}

// ── replies in a modal and in the App Home ───────────────────────────────────

/** What replaces a submitted modal: the outcome, with a Done button to close it. */
export function toConfirmationModal(view: MessageView, title: string): ModalView {
  return {
    type: "modal",
    title: plain(title, LIMITS.modalTitle),
    close: plain("Done", LIMITS.modalButton),
    blocks: toBlocks(view, { maxBlocks: LIMITS.viewBlocks }),
  };
}

/** The App Home tab: an introduction, then the help view the core gives every platform. */
export function toHome(intro: MessageView, help: MessageView | null): HomeView {
  const blocks = [
    ...toBlocks(intro, { maxBlocks: LIMITS.viewBlocks }),
    ...(help ? [{ type: "divider" } as KnownBlock, ...toBlocks(help, { maxBlocks: LIMITS.viewBlocks })] : []),
  ];
  return { type: "home", blocks: blocks.slice(0, LIMITS.viewBlocks) };
}
