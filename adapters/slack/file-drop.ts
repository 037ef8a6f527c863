import type { webApi } from "@slack/bolt";
import type { FileDrop, FileSent, FileToSend, PersonRef } from "../../src/ports.ts";
import { slackCall } from "./chat-port.ts";

/**
 * Hands a person a file by uploading it into their direct message with the app, through Slack's external upload
 * (files.getUploadURLExternal, a POST of the bytes to the URL it gives, files.completeUploadExternal); the older
 * files.upload is retired.
 */
export class SlackFileDrop implements FileDrop {
  constructor(private readonly client: webApi.WebClient) {}

  async sendToPerson(person: PersonRef, file: FileToSend): Promise<FileSent> {
    // Unlike chat.postMessage, completeUploadExternal needs the DM's own channel id, not the user id.
    const opened = await slackCall(() => this.client.conversations.open({ users: person.userId }));
    const channelId = opened.channel?.id;
    if (!channelId) throw new Error("conversations.open answered ok without a channel id");
    await slackCall(() =>
      this.client.filesUploadV2({
        channel_id: channelId,
        // A Buffer, so the length Slack is told is in bytes of UTF-8, not characters.
        file: Buffer.from(file.content, "utf8"),
        filename: file.filename,
        title: file.title,
        initial_comment: file.comment,
      }),
    );
    return { where: "our direct messages" };
  }
}
