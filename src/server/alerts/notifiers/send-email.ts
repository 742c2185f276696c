// Email over the configured SMTP server (nodemailer): a plain-text message with the alert's
// facts and the dashboard link.

import nodemailer from "nodemailer";
import { type AlertNotification, notificationTitle } from "../notification";
import { DeliveryFailed } from "./post-json";

export interface SmtpSettings {
  /** smtp://[user:pass@]host[:port] or smtps://… (CELERIAC_SMTP_URL). */
  url: string;
  from: string;
}

export function emailText(notification: AlertNotification): string {
  return [
    notification.message,
    "",
    `Rule:     ${notification.rule.name}`,
    `Severity: ${notification.severity}`,
    ...(notification.subject ? [`Subject:  ${notification.subject}`] : []),
    `Status:   ${notification.status}`,
    `At:       ${notification.at}`,
    "",
    `Open in Celeriac: ${notification.url}`,
  ].join("\n");
}

/** Sends the notification; resolves to the server's reply, throws DeliveryFailed otherwise. */
export async function sendEmail(smtp: SmtpSettings | null, recipients: string[], notification: AlertNotification, timeoutMs: number): Promise<string> {
  if (!smtp) throw new DeliveryFailed("no SMTP server is configured: set CELERIAC_SMTP_URL (and CELERIAC_SMTP_FROM)");
  const transport = nodemailer.createTransport({ url: smtp.url, connectionTimeout: timeoutMs, greetingTimeout: timeoutMs, socketTimeout: timeoutMs });
  try {
    const info = await transport.sendMail({ from: smtp.from, to: recipients, subject: `[Celeriac] ${notificationTitle(notification)}`, text: emailText(notification) });
    return String(info.response ?? "sent").slice(0, 200);
  } catch (error) {
    throw new DeliveryFailed(`SMTP: ${(error as Error).message}`);
  } finally {
    transport.close();
  }
}
