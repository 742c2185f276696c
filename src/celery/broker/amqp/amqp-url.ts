// Parses an AMQP broker URL the way kombu does (kombu/utils/url.py url_to_parts, sanitize_url).

import { ImproperlyConfigured } from "../../errors";

/** Where and how to connect, after kombu's defaults are applied. */
export interface AmqpUrl {
  /** `amqps` for TLS (`amqps://`, `pyamqps://`), else `amqp`. */
  protocol: "amqp" | "amqps";
  hostname: string;
  port: number;
  username: string;
  password: string;
  vhost: string;
  /** Heartbeat in seconds from `?heartbeat=`; undefined lets the server decide. */
  heartbeat: number | undefined;
  /** kombu's `sanitize_url`: the URL as given with the password replaced by `**`. */
  displayUrl: string;
}

const SCHEMES: Record<string, "amqp" | "amqps"> = { amqp: "amqp", pyamqp: "amqp", amqps: "amqps", pyamqps: "amqps" };

function decode(part: string, url: string): string {
  try {
    return decodeURIComponent(part);
  } catch (cause) {
    throw new ImproperlyConfigured(`Broker URL ${url} has a malformed %-escape in "${part}": percent-encode reserved characters.`, { cause });
  }
}

function mask(scheme: string, user: string, password: string, host: string, port: string, path: string | undefined): string {
  const quote = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`);
  let auth = "";
  if (user || password) auth = `${user ? quote(user) : ""}${password ? ":**" : ""}@`;
  // kombu prints the unquoted vhost after one slash: the default vhost "/" reads as `//`.
  return `${scheme}://${auth}${host}${port ? `:${port}` : ""}/${path ?? ""}`;
}

/**
 * `amqp://user:pass@host:port/vhost?heartbeat=N`. The path after the first slash is the vhost,
 * percent-decoded; an empty path means `/`, so `amqp://guest:guest@127.0.0.1:5672//` and
 * `amqp://host/` both name the default vhost. Missing parts default like kombu's py-amqp
 * transport: localhost, 5672 (5671 for amqps), guest/guest.
 */
export function parseAmqpUrl(url: string): AmqpUrl {
  const match = /^([a-z][a-z0-9+.-]*):\/\/(.*)$/i.exec(url);
  const protocol = match ? SCHEMES[match[1]!.toLowerCase()] : undefined;
  if (!match || !protocol) {
    throw new ImproperlyConfigured(`Broker URL "${url}" is not an AMQP URL: use amqp://user:pass@host:port/vhost (also amqps://, pyamqp://).`);
  }
  const scheme = match[1]!;
  const rest = match[2]!;
  const netlocEnd = rest.search(/[/?#]/);
  const netloc = netlocEnd === -1 ? rest : rest.slice(0, netlocEnd);
  const tail = netlocEnd === -1 ? "" : rest.slice(netlocEnd);
  const queryStart = tail.indexOf("?");
  const rawPath = (queryStart === -1 ? tail : tail.slice(0, queryStart)).replace(/#.*$/, "");
  const query = new URLSearchParams(queryStart === -1 ? "" : tail.slice(queryStart + 1).replace(/#.*$/, ""));

  const at = netloc.lastIndexOf("@");
  const userinfo = at === -1 ? "" : netloc.slice(0, at);
  const hostport = at === -1 ? netloc : netloc.slice(at + 1);
  const colon = userinfo.indexOf(":");
  const user = decode(colon === -1 ? userinfo : userinfo.slice(0, colon), url);
  const password = colon === -1 ? "" : decode(userinfo.slice(colon + 1), url);

  const hostMatch = /^(\[[^\]]*\]|[^:]*)(?::(\d*))?$/.exec(hostport);
  if (!hostMatch) throw new ImproperlyConfigured(`Broker URL has an invalid host or port "${hostport}": expected host, host:port or [ipv6]:port.`);
  const host = decode(hostMatch[1]!, url);
  const portText = hostMatch[2] ?? "";
  const path = rawPath.startsWith("/") ? decode(rawPath.slice(1), url) : "";

  let heartbeat: number | undefined;
  const heartbeatText = query.get("heartbeat");
  if (heartbeatText !== null) {
    heartbeat = Number(heartbeatText);
    if (!Number.isFinite(heartbeat) || heartbeat < 0) {
      throw new ImproperlyConfigured(`Broker URL heartbeat "${heartbeatText}" is not a number of seconds >= 0.`);
    }
  }

  return {
    protocol,
    hostname: (host.startsWith("[") ? host.slice(1, -1) : host) || "localhost",
    port: portText ? Number(portText) : protocol === "amqps" ? 5671 : 5672,
    username: user || "guest",
    password: password || "guest",
    vhost: path || "/",
    heartbeat,
    displayUrl: mask(scheme, user, password, host, portText, path || undefined),
  };
}
