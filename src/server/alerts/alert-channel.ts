// A notification channel: a generic JSON webhook (signed with HMAC-SHA256 when it has a secret),
// a Slack-compatible incoming webhook, or email over the configured SMTP server. The URL and the
// secret are credentials (a Slack webhook URL is one by itself): they never leave the server;
// what browsers see is `ChannelView`.

import { z } from "zod";
import { channelName } from "./alert-rule";

export const CHANNEL_TYPES = ["webhook", "slack", "email"] as const;
export type ChannelType = (typeof CHANNEL_TYPES)[number];

const httpUrl = z
  .string()
  .trim()
  .max(2000)
  .pipe(z.url({ protocol: /^https?$/, error: "must be an http:// or https:// URL" }));

/** A channel as the admin page and the rules file give it. */
export const alertChannelInput = z.discriminatedUnion("type", [
  z.object({
    name: channelName,
    type: z.literal("webhook"),
    url: httpUrl,
    /** Signs each request; omitted on an update: the stored secret is kept. */
    secret: z.string().min(16, "must be at least 16 characters").max(512).optional(),
  }),
  z.object({ name: channelName, type: z.literal("slack"), url: httpUrl }),
  z.object({ name: channelName, type: z.literal("email"), recipients: z.array(z.email().max(320)).min(1).max(50) }),
]);

export type AlertChannelInput = z.input<typeof alertChannelInput>;

/** A channel as stored and used by the notifiers. */
export interface AlertChannel {
  name: string;
  type: ChannelType;
  source: "store" | "file";
  url: string | null;
  secret: string | null;
  recipients: string[];
  updatedBy: string | null;
}

/** What a browser may see of a channel. */
export interface ChannelView {
  name: string;
  type: ChannelType;
  source: "store" | "file";
  /** Scheme and host only: paths and queries of webhook URLs carry tokens. */
  destination: string;
  hasSecret: boolean;
  recipients: string[];
  updatedBy: string | null;
}

/** The channel without its credentials. */
export function channelView(channel: AlertChannel): ChannelView {
  let destination = channel.recipients.join(", ");
  if (channel.url) {
    try {
      destination = `${new URL(channel.url).origin}/…`;
    } catch {
      destination = "(invalid URL)";
    }
  }
  return { name: channel.name, type: channel.type, source: channel.source, destination, hasSecret: channel.secret !== null, recipients: channel.recipients, updatedBy: channel.updatedBy };
}
