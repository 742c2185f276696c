// Notification channels, edited on the admin page (source store) or read from the rules file
// (source file). Credentials are stored as given; only the server's notifiers read them.

import type { AlertChannel, AlertChannelInput } from "../alerts/alert-channel";
import type { SqlClient, SqlDatabase } from "./sql-client";

const COLUMNS = `name, type, source, url, secret, recipients, updated_by AS "updatedBy"`;

export async function listChannels(sql: SqlClient): Promise<AlertChannel[]> {
  return sql.query<AlertChannel>(`SELECT ${COLUMNS} FROM alert_channel ORDER BY name`);
}

function values(input: AlertChannelInput): [string | null, string | null, string[]] {
  switch (input.type) {
    case "webhook":
      return [input.url, input.secret ?? null, []];
    case "slack":
      return [input.url, null, []];
    case "email":
      return [null, null, input.recipients];
  }
}

/**
 * Creates or replaces a store channel. A webhook update without a secret keeps the stored one
 * (browsers never see it, so they cannot send it back). Resolves to "file" when the name belongs
 * to a file channel.
 */
export async function saveChannel(sql: SqlClient, input: AlertChannelInput, actor: string): Promise<"saved" | "file"> {
  const [url, secret, recipients] = values(input);
  const written = await sql.execute(
    `INSERT INTO alert_channel AS c (name, source, type, url, secret, recipients, updated_by) VALUES ($1, 'store', $2, $3, $4, $5::text[], $6)
     ON CONFLICT (name) DO UPDATE SET type = excluded.type, url = excluded.url, recipients = excluded.recipients, updated_by = excluded.updated_by, updated_at = now(),
       secret = CASE WHEN excluded.type <> 'webhook' THEN NULL WHEN c.type = 'webhook' THEN COALESCE(excluded.secret, c.secret) ELSE excluded.secret END
     WHERE c.source = 'store'`,
    input.name,
    input.type,
    url,
    secret,
    recipients,
    actor,
  );
  return written === 0 ? "file" : "saved";
}

/** Deletes a store channel; false when there is none of that name. */
export async function deleteChannel(sql: SqlClient, name: string): Promise<boolean> {
  return (await sql.execute(`DELETE FROM alert_channel WHERE name = $1 AND source = 'store'`, name)) > 0;
}

/** Makes the file channels exactly `inputs`; a name used by a store channel is skipped and reported. */
export async function replaceFileChannels(db: SqlDatabase, inputs: readonly AlertChannelInput[]): Promise<{ skipped: string[] }> {
  return db.transaction(async (tx) => {
    const stored = new Set((await tx.query<{ name: string }>(`SELECT name FROM alert_channel WHERE source = 'store'`)).map((row) => row.name));
    const skipped = inputs.filter((input) => stored.has(input.name)).map((input) => input.name);
    const kept = inputs.filter((input) => !stored.has(input.name));
    await tx.execute(`DELETE FROM alert_channel WHERE source = 'file' AND NOT (name = ANY($1::text[]))`, kept.map((input) => input.name));
    for (const input of kept) {
      const [url, secret, recipients] = values(input);
      await tx.execute(
        `INSERT INTO alert_channel (name, source, type, url, secret, recipients) VALUES ($1, 'file', $2, $3, $4, $5::text[])
         ON CONFLICT (name) DO UPDATE SET type = excluded.type, url = excluded.url, secret = excluded.secret, recipients = excluded.recipients, updated_at = now()`,
        input.name,
        input.type,
        url,
        secret,
        recipients,
      );
    }
    return { skipped };
  });
}
