// `celeriac alerts prometheus-rules | check-file`: the store's alert rules as a Prometheus rules
// file (for `rule_files:`; `promtool check rules` accepts it), and a rules file checked before
// it is deployed as CELERIAC_ALERT_RULES_FILE.

import { writeFile } from "node:fs/promises";
import type { Command } from "commander";
import { withCliAdmin } from "../cli-admin";
import { exitWhenDone } from "../command-exit";

async function prometheusRulesCommand(flags: { output?: string; publicUrl?: string }): Promise<void> {
  const [{ alertStore }, { prometheusRules }, { publicUrl }] = await Promise.all([import("../../server/store/index"), import("../../server/alerts/prometheus-rules"), import("../../server/alerts/start-alerting")]);
  const text = await withCliAdmin({}, { cluster: false }, async (admin) => prometheusRules(await alertStore(admin.runtime.store).listRules(), flags.publicUrl ?? publicUrl(admin.runtime.config)));
  if (flags.output) await writeFile(flags.output, text);
  else process.stdout.write(text);
}

async function checkFileCommand(path: string): Promise<void> {
  const { readRulesFile } = await import("../../server/alerts/rules-file");
  const content = await readRulesFile(path);
  process.stdout.write(`${path}: ${content.rules.length} rule(s) and ${content.channels.length} channel(s), all valid.\n`);
}

/** Registers `celeriac alerts`. */
export function addAlertsCommand(program: Command): void {
  const alerts = program.command("alerts").description("Alert rules: export them for Prometheus, check a rules file");
  alerts
    .command("prometheus-rules")
    .description("Print the store's enabled alert rules (DATABASE_URL) as a Prometheus rules file over Celeriac's /metrics")
    .option("-o, --output <file>", "write the file here instead of standard output")
    .option("--public-url <url>", "the dashboard address the annotations link to (default: CELERIAC_PUBLIC_URL)")
    .addHelpText("after", "\nExample:\n  celeriac alerts prometheus-rules -o /etc/prometheus/celeriac.rules.yml && promtool check rules /etc/prometheus/celeriac.rules.yml")
    .action(exitWhenDone(prometheusRulesCommand));
  alerts
    .command("check-file")
    .description("Validate a rules file (YAML or JSON) as CELERIAC_ALERT_RULES_FILE would load it; exit 2 naming every problem")
    .argument("<file>", "the rules file")
    .action(exitWhenDone(checkFileCommand));
}
