// The rules file's parser: YAML and JSON alike, ${NAME} from the environment, and a bad file
// refused as a whole with every problem named (never a crash); fuzzed documents included.

import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { AppError } from "../../../src/server/app-error";
import { parseRulesFile } from "../../../src/server/alerts/rules-file";

const YAML = `
channels:
  - name: ops
    type: webhook
    url: https://hooks.example.com/\${HOOK_PATH}
    secret: \${HOOK_SECRET}
  - { name: oncall, type: email, recipients: [oncall@example.com] }
rules:
  - name: payments failing
    kind: failure_rate
    selector: "pay.*"
    windowSeconds: 300
    fireThreshold: 0.2
    resolveThreshold: 0.05
    severity: critical
    channels: [ops, oncall]
`;

const ENV = { HOOK_PATH: "celeriac", HOOK_SECRET: "0123456789abcdefXYZ" };

describe("the alert rules file", () => {
  it("reads YAML and the same document as JSON, filling defaults and ${NAME} variables", () => {
    const fromYaml = parseRulesFile(YAML, "rules.yaml", ENV);
    expect(fromYaml.channels[0]).toEqual({ name: "ops", type: "webhook", url: "https://hooks.example.com/celeriac", secret: "0123456789abcdefXYZ" });
    expect(fromYaml.rules[0]).toMatchObject({ name: "payments failing", forSeconds: 0, minCount: 1, environment: "*", enabled: true, channels: ["ops", "oncall"] });
    const json = JSON.stringify({ channels: [{ name: "ops", type: "slack", url: "https://hooks.slack.com/services/x" }], rules: [{ name: "r", kind: "ingest_lag", windowSeconds: 60, fireThreshold: 30, resolveThreshold: 10 }] });
    expect(parseRulesFile(json, "rules.json", {}).rules[0]).toMatchObject({ kind: "ingest_lag", fireThreshold: 30 });
  });

  it("refuses a bad file naming every problem and where it is", () => {
    const bad = stringify({ rules: [{ name: "a", kind: "nope", windowSeconds: 5, fireThreshold: 1, resolveThreshold: 2 }, { name: "a", kind: "queue_depth", windowSeconds: 60, fireThreshold: 1, resolveThreshold: 2 }], extra: true });
    const error = (() => {
      try {
        parseRulesFile(bad, "rules.yaml", {});
      } catch (caught) {
        return caught as AppError;
      }
    })();
    expect(error).toBeInstanceOf(AppError);
    expect(error?.message).toMatch(/^rules\.yaml has \d+ problem\(s\), so none of its rules were loaded/);
    for (const part of ["rules.0.kind", "rules.0.windowSeconds", "rules.1.resolveThreshold: must not be above fireThreshold", "Unrecognized key: \"extra\""]) expect(error?.message).toContain(part);
    expect(() => parseRulesFile(YAML, "rules.yaml", {})).toThrow(/environment variables that are not set: HOOK_PATH, HOOK_SECRET/);
    expect(() => parseRulesFile("rules: [", "rules.yaml", {})).toThrow(/is not valid YAML or JSON/);
    expect(parseRulesFile("", "empty.yaml", {})).toEqual({ rules: [], channels: [] });
  });

  it("answers fuzzed documents with rules or an AppError, nothing else", () => {
    let seed = 7;
    const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    const atoms = ["", "x", "*", "${X}", "${", "- ", ": ", "[", "{", "}", "]", "&a", "*a", "<<: *a", "!!binary", "\u0000", "\n", "  ", "1e999", "-1", "rules:", "channels:", "kind: failure_rate", "name: r"];
    for (let i = 0; i < 500; i++) {
      const text = Array.from({ length: 1 + Math.floor(random() * 12) }, () => atoms[Math.floor(random() * atoms.length)]).join(random() < 0.5 ? "\n" : " ");
      try {
        const parsed = parseRulesFile(text, "fuzz.yaml", { X: "1" });
        expect(Array.isArray(parsed.rules)).toBe(true);
      } catch (error) {
        expect(error).toBeInstanceOf(AppError);
      }
    }
  });
});
