// The server's configuration, read once from the environment with Celery's own names where they
// exist (CELERY_BROKER_URL, CELERY_RESULT_BACKEND) and validated so a bad value stops start-up
// with a message naming it, instead of failing later somewhere deep in a connection.

import { z } from "zod";
import { displayUrl } from "../../celery/index";
import { DEFAULT_REDACT_PATTERN } from "../services/redact";

const BROKER_SCHEMES = ["redis", "rediss", "redis+socket", "amqp", "amqps", "pyamqp", "pyamqps", "memory"];
const BACKEND_SCHEMES = ["redis", "rediss", "memory"];
const STORE_SCHEMES = ["postgresql", "postgres", "pglite", "memory"];

function urlWithScheme(schemes: string[], example: string) {
  return z.string().trim().superRefine((url, context) => {
    const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase() ?? "";
    if (schemes.includes(scheme)) return;
    context.addIssue({ code: "custom", message: `${displayUrl(url)} is not supported: use ${schemes.map((s) => `${s}:`).join(", ")} (e.g. ${example})` });
  });
}

const positiveInteger = z.coerce.number().int().positive();
const list = z.string().transform((value) => value.split(",").map((item) => item.trim()).filter(Boolean));

const schema = z.object({
  CELERY_BROKER_URL: urlWithScheme(BROKER_SCHEMES, "redis://127.0.0.1:6379/0").default("memory://"),
  CELERY_RESULT_BACKEND: urlWithScheme(BACKEND_SCHEMES, "redis://127.0.0.1:6379/0").optional(),
  DATABASE_URL: urlWithScheme(STORE_SCHEMES, "postgresql://user@host:5432/celeriac or pglite:./.celeriac/db").default("pglite:./.celeriac/db"),
  /** Durable, bounded queue our ingestor reads events from on RabbitMQ. */
  CELERIAC_EVENTS_QUEUE: z.string().min(1).default("celeriac.events"),
  CELERIAC_CAPTURE_QUEUE: z.string().min(1).default("celeriac.capture"),
  /** Queues whose depth is sampled, besides every queue seen in the history. */
  CELERIAC_QUEUES: list.default(["celery"]),
  CELERIAC_RETENTION_DAYS: positiveInteger.default(30),
  CELERIAC_RETENTION_MAX_TASKS: positiveInteger.default(5_000_000),
  CELERIAC_RECONCILE_INTERVAL_SECONDS: positiveInteger.default(60),
  /**
   * Redis events are pub/sub: when the store falls behind a burst, events past the memory bound
   * wait in this directory (bounded by CELERIAC_JOURNAL_MAX_MB) instead of being dropped.
   */
  CELERIAC_JOURNAL_DIR: z.string().min(1).default(".celeriac/journal"),
  CELERIAC_JOURNAL_MAX_MB: positiveInteger.default(512),
  /** Result documents the reconciler's discovery scan looks at per run (0: no discovery). */
  CELERIAC_RECONCILE_SCAN_PER_RUN: z.coerce.number().int().nonnegative().default(20_000),
  /** No actions at all, for everyone: a window onto production that cannot change it. */
  CELERIAC_READ_ONLY: z.stringbool().default(false),
  /** "external" when `celeriac ingest` runs as its own process (docker-compose does that). */
  CELERIAC_INGEST: z.enum(["in-process", "external"]).default("in-process"),
  /** The first admin, created at start-up when no account exists yet. */
  CELERIAC_ADMIN_USER: z.string().min(1).optional(),
  CELERIAC_ADMIN_PASSWORD: z.string().min(12, "must be at least 12 characters").optional(),
  /** Regular expression (case-insensitive) of argument/result keys whose values are never shown. */
  CELERIAC_REDACT_KEYS: z
    .string()
    .refine((pattern) => {
      try {
        new RegExp(pattern);
        return true;
      } catch {
        return false;
      }
    }, "is not a valid regular expression")
    .default(DEFAULT_REDACT_PATTERN),
  // ── Alerts (src/server/alerts) ──
  /**
   * The dashboard's address as people reach it: notifications link to pages under it. Default:
   * http://HOST:PORT (set it whenever the dashboard sits behind a proxy or another name).
   */
  CELERIAC_PUBLIC_URL: z.url({ protocol: /^https?$/, error: "must be an http:// or https:// URL, e.g. https://celeriac.example.com" }).optional(),
  /** A YAML or JSON file of alert rules and channels, re-read when it changes (read-only in the UI). */
  CELERIAC_ALERT_RULES_FILE: z.string().trim().min(1).optional(),
  /** How often alert rules are evaluated and due notifications sent. */
  CELERIAC_ALERT_INTERVAL_SECONDS: positiveInteger.default(15),
  /** The SMTP server email channels send through: smtp://[user:pass@]host[:port] or smtps://… */
  CELERIAC_SMTP_URL: urlWithScheme(["smtp", "smtps"], "smtp://user:password@mail.example.com:587").optional(),
  /** The From address of alert emails. */
  CELERIAC_SMTP_FROM: z.string().trim().min(3).max(320).default("celeriac@localhost"),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  HOST: z.string().default("127.0.0.1"),
});

export type ServerConfig = z.infer<typeof schema>;

/** Thrown at start-up: `message` names every bad variable and what to set instead. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

/**
 * Reads and validates the server configuration. Values are trimmed; unset ones take the
 * embedded defaults (in-memory broker, PGlite store under ./.celeriac).
 */
export function loadServerConfig(env: Record<string, string | undefined> = process.env): ServerConfig {
  // An empty variable means unset, as a shell `FOO= cmd` intends.
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value.trim() !== ""));
  const parsed = schema.safeParse(present);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => `  ${issue.path.join(".")}: ${issue.message}`);
  throw new ConfigError(`Invalid configuration:\n${problems.join("\n")}\nFix the environment variables above and start again.`);
}
