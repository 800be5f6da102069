// Lint rules: typescript-eslint's recommended set, plus the core-purity rule
// that keeps sml/ and modules/ free of platform imports.
import tseslint from "typescript-eslint";

// Bare specifiers are matched exactly (so "../net/utf8" stays allowed); prefixes by pattern.
const platformModules = [
  "fs", "path", "os", "http", "net", "dgram", "serialport", "ws", "timer", "time", "wifi",
  "preference", "mdns", "socket", "dns", "multicast-dns", "ota", "flash", "sntp", "instrumentation",
];
const platformPrefixes = ["node:*", "embedded:*", "dns/*"];
const message = "The core must not import platform modules: it runs unchanged on XS and Node.";

export default tseslint.config(
  { ignores: ["node_modules/**", "dist/**", "build/**", "artifacts/**"] },
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  {
    files: ["sml/**/*.ts", "modules/**/*.ts"],
    ignores: ["modules/device/**"],
    rules: {
      "no-restricted-imports": ["error", {
        paths: platformModules.map((name) => ({ name, message })),
        patterns: [{ group: platformPrefixes, message }],
      }],
    },
  },
);
