import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { EVENTS_PATH } from "../../adapters/slack/app.ts";
import { COMMAND_NAMES } from "../../src/commands/command.ts";

/**
 * manifest.json must create a working app when pasted into Slack: Slack's manifest schema (limits from
 * api.slack.com/reference/manifests), and agreement with what the adapter actually listens to.
 */

const manifest = JSON.parse(readFileSync(new URL("../../manifest.json", import.meta.url), "utf8")) as Record<string, any>;
const urls = (m: Record<string, any>): string[] => [
  ...m.features.slash_commands.map((c: { url: string }) => c.url),
  m.settings.interactivity.request_url,
  m.settings.event_subscriptions.request_url,
];

describe("the Slack app manifest", () => {
  it("fits Slack's schema for display information and the bot user", () => {
    expect(manifest._metadata).toEqual({ major_version: 2, minor_version: 1 });
    const info = manifest.display_information;
    expect(info.name.length).toBeGreaterThan(0);
    expect(info.name.length).toBeLessThanOrEqual(35);
    expect(info.description.length).toBeLessThanOrEqual(140);
    expect(info.long_description.length).toBeGreaterThanOrEqual(175);
    expect(info.long_description.length).toBeLessThanOrEqual(4000);
    expect(info.background_color).toMatch(/^#[0-9a-f]{6}$/i);
    expect(manifest.features.bot_user.display_name.length).toBeLessThanOrEqual(80);
  });

  it("declares exactly the adapter's slash commands, each escaped so mentions arrive as <@U…>", () => {
    const commands = manifest.features.slash_commands as Record<string, unknown>[];
    expect(commands.map((c) => c.command)).toEqual(COMMAND_NAMES.map((n) => `/${n}`));
    for (const c of commands) {
      expect(c.should_escape).toBe(true);
      expect(String(c.description).length).toBeGreaterThan(0);
      expect(String(c.description).length).toBeLessThanOrEqual(2000);
      expect(String(c.usage_hint).length).toBeLessThanOrEqual(1000);
    }
  });

  it("sends commands, interactions and events to the adapter's one endpoint over HTTPS", () => {
    for (const url of urls(manifest)) expect(url).toBe(`https://YOUR-HOST${EVENTS_PATH}`);
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
    expect(manifest.settings.event_subscriptions.bot_events).toEqual(["app_home_opened"]);
    expect(manifest.features.app_home.home_tab_enabled).toBe(true);
    expect(manifest.settings).toMatchObject({ socket_mode_enabled: false, org_deploy_enabled: false, token_rotation_enabled: false });
  });

  it("asks for the scopes the adapter uses and no more: it posts only where it was invited", () => {
    const scopes = manifest.oauth_config.scopes.bot as string[];
    expect(scopes).toEqual(expect.arrayContaining(["commands", "chat:write", "users:read"]));
    // An export is uploaded (files:write) into the person's DM, which conversations.open finds (im:write).
    expect(scopes).toEqual(expect.arrayContaining(["files:write", "im:write"]));
    // History of the conversations it posts to (channels public and private, and DMs with the app), read only after a
    // crash mid-send to find whether its own message, tagged with its metadata, arrived; never of group DMs (mpim).
    expect(scopes.filter((s) => s.endsWith(":history")).sort()).toEqual(["channels:history", "groups:history", "im:history"]);
    expect(scopes.filter((s) => s === "chat:write.public" || s.startsWith("admin"))).toEqual([]);
    expect(new Set(scopes).size).toBe(scopes.length);
  });
});
