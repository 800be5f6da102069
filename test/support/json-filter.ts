// The oracle of the JSON input tests, shared by the Node and XS suites (no Node imports).

import { KNOWN_KEYS } from "../../modules/shelly/known-keys";

/** What parseJsonBounded must give: JSON.parse's value with every unknown name removed. */
export function filtered(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(filtered);
  if (typeof value !== "object" || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const name of Object.keys(value)) if (KNOWN_KEYS.has(name)) out[name] = filtered((value as Record<string, unknown>)[name]);
  return out;
}
