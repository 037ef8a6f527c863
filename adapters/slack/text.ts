/**
 * Slack's command text as the core reads it (src/core/inbound.ts): the entities Slack escapes (`&`, `<`, `>`) undone,
 * and each user mention written `<@U123>`, without the label Slack may add (`<@U123|sam>`). One pass, so a `&lt;`
 * the person typed never turns into the start of a mention.
 */
export function coreText(slack: string): string {
  return slack.replace(/<@([A-Z0-9]+)(?:\|[^>]*)?>|&(amp|lt|gt);/gi, (_, userId: string | undefined, entity: string | undefined) =>
    userId !== undefined ? `<@${userId.toUpperCase()}>` : ({ amp: "&", lt: "<", gt: ">" } as Record<string, string>)[entity!.toLowerCase()]!,
  );
}
