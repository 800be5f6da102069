// A small, strict command-line parser: declared options only, one clear sentence on error.

export type OptionKind = "string" | "int" | "flag" | "list";

export interface OptionSpec {
  kind: OptionKind;
  help: string;
  /** Placeholder in the help text, e.g. "<tty>". */
  value?: string;
  min?: number;
  max?: number;
}

export type ParsedOptions = Record<string, string | number | boolean | number[] | undefined>;

export class UsageError extends Error {}

export function parseArgs(argv: readonly string[], specs: Record<string, OptionSpec>): { options: ParsedOptions; positional: string[] } {
  const options: ParsedOptions = {};
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith("--") || arg === "--") {
      if (arg === "--") {
        positional.push(...argv.slice(i + 1));
        break;
      }
      positional.push(arg);
      continue;
    }
    let name = arg.slice(2);
    let inline: string | undefined;
    const eq = name.indexOf("=");
    if (eq >= 0) {
      inline = name.slice(eq + 1);
      name = name.slice(0, eq);
    }
    const spec = specs[name];
    if (!spec) throw new UsageError(`unknown option --${name}`);
    if (spec.kind === "flag") {
      if (inline !== undefined) throw new UsageError(`--${name} takes no value`);
      options[name] = true;
      continue;
    }
    const raw = inline ?? argv[++i];
    if (raw === undefined || (inline === undefined && raw.startsWith("--"))) throw new UsageError(`--${name} needs a value ${spec.value ?? ""}`.trim());
    options[name] = convert(name, spec, raw);
  }
  return { options, positional };
}

function convert(name: string, spec: OptionSpec, raw: string): string | number | number[] {
  if (spec.kind === "string") {
    if (raw === "") throw new UsageError(`--${name} needs a non-empty value`);
    return raw;
  }
  if (spec.kind === "int") return integer(name, spec, raw);
  if (raw.trim() === "") return [];
  return raw.split(",").map((part) => integer(name, spec, part.trim()));
}

function integer(name: string, spec: OptionSpec, raw: string): number {
  if (!/^\d+$/.test(raw)) throw new UsageError(`--${name} must be a whole number, not "${raw}"`);
  const value = Number(raw);
  if (spec.min !== undefined && value < spec.min) throw new UsageError(`--${name} must be at least ${spec.min}, not ${value}`);
  if (spec.max !== undefined && value > spec.max) throw new UsageError(`--${name} must be at most ${spec.max}, not ${value}`);
  return value;
}

export function helpText(specs: Record<string, OptionSpec>): string {
  return Object.entries(specs)
    .map(([name, spec]) => {
      const left = `  --${name}${spec.value ? " " + spec.value : ""}`;
      // A long option name gets its help on the next line, aligned with the others.
      return left.length < 28 ? left.padEnd(28) + spec.help : left + "\n" + " ".repeat(28) + spec.help;
    })
    .join("\n");
}
