// The `ir2shelly` command line.

import { helpText, parseArgs, UsageError, type OptionSpec } from "./args";
import { decodeCommand } from "./decode-command";
import { SERVE_OPTIONS, serveCommand } from "./serve";

const DECODE_OPTIONS: Record<string, OptionSpec> = {
  json: { kind: "flag", help: "one JSON object per frame" },
};

const USAGE = `ir2shelly: a Shelly Pro 3EM fed by your smart meter's infrared interface

Usage:
  ir2shelly serve [options]        emulate the Shelly (default source: --simulate)
  ir2shelly decode [--json] <file|->  print the frames of an SML capture
  ir2shelly help

serve options:
${helpText(SERVE_OPTIONS)}

decode options:
${helpText(DECODE_OPTIONS)}
`;

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    // `ir2shelly serve --help` (or decode): the usage, like `ir2shelly help`.
    if (rest.includes("--help") || rest.includes("-h")) {
      process.stdout.write(USAGE);
      return 0;
    }
    switch (command) {
      case "serve":
        return await serveCommand(parseArgs(rest, SERVE_OPTIONS).options);
      case "decode": {
        const { options, positional } = parseArgs(rest, DECODE_OPTIONS);
        if (positional.length !== 1) throw new UsageError("decode needs exactly one file (or - for standard input)");
        return await decodeCommand(positional[0], options.json === true, (line) => process.stdout.write(line + "\n"));
      }
      case undefined:
      case "help":
      case "--help":
      case "-h":
        process.stdout.write(USAGE);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command "${command}" (try: ir2shelly help)`);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`ir2shelly: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}
