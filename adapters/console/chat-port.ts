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

/** Prints what the bot sends on its own: channel posts as `[#team] Debrief: …`, direct messages as `[DM → alice] Debrief: …`. */
export class ConsoleChatPort implements ChatPort {
  private lastMessageId = 0;
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
    // Pressing a button in the message (I wasn't involved) has just printed it as it now reads: once is enough.
    if (this.screen.alreadyShown(renderMessage(view).join("\n"))) return;
    this.print(ref.channelId, view, true, ref.messageId);
  }

  private print(channelId: string, view: MessageView, edited: boolean, messageId?: string): MessageRef {
    this.options.answers?.remember(view);
    const color = this.color;
    const where = channelId.startsWith(DM_PREFIX) ? `[DM → ${channelId.slice(DM_PREFIX.length)}]` : `[#${channelId}]`;
    const who = `${where} Debrief${edited ? " (edited)" : ""}: `;
    this.screen.print(prefixed(paint(color).bold(who), renderMessage(view, { color })));
    return { channelId, messageId: messageId ?? String(++this.lastMessageId) };
  }
}

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
