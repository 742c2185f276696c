// The alerts' configuration variables: defaults, and bad values stopping start-up with a message
// naming the variable and what to set instead.

import { describe, expect, it } from "vitest";
import { publicUrl } from "../../../src/server/alerts/start-alerting";
import { ConfigError, loadServerConfig } from "../../../src/server/config/server-config";

describe("alert configuration", () => {
  it("links under http://HOST:PORT unless CELERIAC_PUBLIC_URL says otherwise, and evaluates every 15 s", () => {
    const defaults = loadServerConfig({});
    expect(publicUrl(defaults)).toBe("http://127.0.0.1:3000");
    expect(defaults.CELERIAC_ALERT_INTERVAL_SECONDS).toBe(15);
    expect(defaults.CELERIAC_SMTP_URL).toBeUndefined();
    expect(publicUrl(loadServerConfig({ CELERIAC_PUBLIC_URL: "https://celeriac.example.com" }))).toBe("https://celeriac.example.com");
  });

  it("refuses a public URL or SMTP URL it cannot use, naming the variable and hiding the password", () => {
    expect(() => loadServerConfig({ CELERIAC_PUBLIC_URL: "celeriac.example.com" })).toThrow(ConfigError);
    expect(() => loadServerConfig({ CELERIAC_PUBLIC_URL: "ftp://celeriac.example.com" })).toThrow(/CELERIAC_PUBLIC_URL: must be an http:\/\/ or https:\/\/ URL/);
    const smtp = (() => {
      try {
        loadServerConfig({ CELERIAC_SMTP_URL: "mail://user:hunter2@mail.example.com" });
      } catch (error) {
        return (error as Error).message;
      }
    })();
    expect(smtp).toMatch(/CELERIAC_SMTP_URL: .* is not supported: use smtp:, smtps:/);
    expect(smtp).not.toContain("hunter2");
    expect(() => loadServerConfig({ CELERIAC_ALERT_INTERVAL_SECONDS: "0" })).toThrow(/CELERIAC_ALERT_INTERVAL_SECONDS/);
  });
});
