/**
 * How the command line presents help and refusals (effect's CliOutput.Presenter): help without
 * the framework's global flags that mean nothing here (wizard mode, shell completions, log
 * levels), and a refused command line as its error first, then one usage line and where to read
 * more — not the whole help page before the error.
 */
import { Effect } from "effect";
import { CliOutput, type CliError, type HelpDoc } from "effect/cli";

/** Global flags worth listing: the rest are effect's built-ins this lab does not use. */
const KEPT_GLOBALS = new Set(["help", "version"]);

function withoutBoilerplate(doc: HelpDoc.HelpDoc): HelpDoc.HelpDoc {
  return doc.globalFlags === undefined ? doc : { ...doc, globalFlags: doc.globalFlags.filter((f) => KEPT_GLOBALS.has(f.name)) };
}

function errorLine(e: CliError.CliError): string {
  const message = (e as { message?: string }).message;
  return message !== undefined && message !== "" ? message : e._tag;
}

/** One line: the command, its arguments, its flags (optional ones in brackets). */
function usageLine(doc: HelpDoc.HelpDoc, path: string): string {
  const args = (doc.args ?? []).map((a) => (a.required ? `<${a.name}>` : `[<${a.name}>]`) + (a.variadic ? "..." : ""));
  const flags = doc.flags.map((f) => {
    const text = f.type === "boolean" ? `--${f.name}` : `--${f.name} <${f.type}>`;
    return f.required ? text : `[${text}]`;
  });
  const subcommands = (doc.subcommands ?? []).flatMap((g) => g.commands.map((c) => c.name));
  return [path, ...(subcommands.length > 0 ? [`<${subcommands.join("|")}>`] : []), ...args, ...flags].join(" ");
}

export function presenter(): CliOutput.Presenter {
  const formatter = CliOutput.defaultFormatter({ colors: false });
  return {
    present: (event) =>
      Effect.sync(() => {
        switch (event._tag) {
          case "Help":
            process.stdout.write(formatter.formatHelpDoc(withoutBoilerplate(event.helpDoc)) + "\n");
            return;
          case "Version":
            process.stdout.write(`${event.name} v${event.version}\n`);
            return;
          case "InvalidInvocation": {
            const errors = event.errors.map((e) => `error: ${errorLine(e)}`).join("\n");
            const path = event.commandPath.join(" ");
            process.stderr.write(`${errors}\nusage: ${usageLine(event.helpDoc, path)}\n(${path} --help says more)\n`);
            return;
          }
        }
      }),
  };
}
