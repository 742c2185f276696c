// The Slack incoming-webhook body (also read by Mattermost, Rocket.Chat and Discord's /slack
// endpoint): `text` for the notification itself, one attachment with the severity's colour and
// the link.

import { type AlertNotification, notificationTitle } from "../notification";

const COLOURS: Record<string, string> = { critical: "#d64545", warning: "#d9822b", info: "#2f6fdd" };
const RESOLVED = "#1f9d55";

/** Slack's mrkdwn needs &, < and > escaped in text it should not read as markup. */
const escape = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

export function slackPayload(notification: AlertNotification): Record<string, unknown> {
  const title = notificationTitle(notification);
  return {
    text: `${escape(title)}: ${escape(notification.message)} <${notification.url}|Open in Celeriac>`,
    attachments: [
      {
        color: notification.status === "resolved" ? RESOLVED : (COLOURS[notification.severity] ?? COLOURS.info),
        title: escape(title),
        title_link: notification.url,
        text: escape(notification.message),
        ts: Math.floor(Date.parse(notification.at) / 1000),
      },
    ],
  };
}
