import type { Writable } from "node:stream";
import type { ChannelRef, ChatPort, Directory, MessageRef, PersonProfile, PersonRef } from "../../src/ports.ts";
import type { MessageView } from "../../src/views/view.ts";
import type { AnswerBook } from "./answer-book.ts";
import { paint, prefixed } from "./paint.ts";
import { renderMessage } from "./render.ts";
import { Screen } from "./screen.ts";

export interface ConsoleChatPortOptions {
  readonly output: Writable;
  /** Questions shown in messages, so the session can ask them when their submit is pressed. */
  readonly answers?: AnswerBook;
  /** ANSI emphasis; by default the screen's, or none without one. */
  readonly color?: boolean;
  /** The terminal shared with the session, so a message arriving while a prompt waits is printed above it. */
  readonly screen?: Screen;
}

// A direct message's "channel" is the person's name after "@", so an update knows where it lives even across restarts.
const DM_PREFIX = "@";

/** How many messages' last text is kept to tell an edit that changes nothing. */
const KEPT_READS = 2_000;

/** Prints what the bot sends on its own: channel posts as `[#team] Debrief: …`, direct messages as `[DM → alice] Debrief: …`. */
export class ConsoleChatPort implements ChatPort {
  private lastMessageId = 0;
  /** Each message's text as it was last printed, by channel and message id. */
  private readonly reads = new Map<string, string>();
  private readonly screen: Screen;
  private readonly color: boolean;

  constructor(private readonly options: ConsoleChatPortOptions) {
    this.screen = options.screen ?? new Screen(options.output, options.color ?? false);
    this.color = options.color ?? this.screen.color;
  }

  async sendToPerson(person: PersonRef, view: MessageView): Promise<MessageRef> {
    return this.print(`${DM_PREFIX}${person.userId}`, view, false);
  }

  async postToChannel(channel: ChannelRef, view: MessageView): Promise<MessageRef> {
    return this.print(channel.channelId, view, false);
  }

  async update(ref: MessageRef & { workspaceId: string }, view: MessageView): Promise<void> {
    const plain = renderMessage(view).join("\n");
    const key = `${ref.channelId} ${ref.messageId}`;
    // A revision that leaves the message reading as it did (a second Nudge owner says again what the first said) shows nothing new.
    if (this.reads.get(key) === plain) return;
    // Pressing a button in the message (I wasn't involved, Mark done) has just printed it as it now reads: once is enough.
    if (this.screen.alreadyShown(plain)) return void this.read(key, plain);
    this.print(ref.channelId, view, true, ref.messageId);
  }

  private print(channelId: string, view: MessageView, edited: boolean, messageId?: string): MessageRef {
    const where = channelId.startsWith(DM_PREFIX) ? `[DM → ${channelId.slice(DM_PREFIX.length)}]` : `[#${channelId}]`;
    this.options.answers?.remember(view, { kind: "posted", where });
    const color = this.color;
    this.screen.print(prefixed(paint(color).bold(postedLabel(where, edited)), renderMessage(view, { color })));
    const ref = { channelId, messageId: messageId ?? String(++this.lastMessageId) };
    this.read(`${ref.channelId} ${ref.messageId}`, renderMessage(view).join("\n"));
    return ref;
  }

  /** What a message printed here last said, for the latest messages (a console left open for days keeps only those). */
  private read(key: string, plain: string): void {
    this.reads.delete(key);
    this.reads.set(key, plain);
    if (this.reads.size > KEPT_READS) this.reads.delete(this.reads.keys().next().value!);
  }
}

/** How a message the bot posted is introduced: `[#team] Debrief: `, `[DM → sam] Debrief (edited): `. */
export const postedLabel = (where: string, edited: boolean): string => `${where} Debrief${edited ? " (edited)" : ""}: `;

/**
 * The console has no profiles: a person's display name is their name, and everyone is in the configured zone. Whoever
 * started the console owns it, so they are its admin; the people they play with /as are not.
 */
export class ConsoleDirectory implements Directory {
  constructor(
    private readonly timeZone: string,
    private readonly adminUserId: string | null = null,
  ) {}

  async profile(person: PersonRef): Promise<PersonProfile> {
    return { displayName: person.userId, timeZone: this.timeZone, isAdmin: person.userId === this.adminUserId };
  }
}
