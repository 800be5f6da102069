// Lint rules: typescript-eslint's recommended set, plus the core-purity rule
// that keeps sml/ and modules/ free of platform imports.
import tseslint from "typescript-eslint";

const platformModules = [
  "node:*", "fs", "path", "os", "http", "net", "dgram", "serialport", "ws", "timer", "wifi",
  "preference", "mdns", "embedded:*", "socket", "dns", "dns/*", "multicast-dns",
];

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
      "no-restricted-imports": ["error", { patterns: platformModules.map((p) => ({ group: [p], message: "The core must not import platform modules: it runs unchanged on XS and Node." })) }],
    },
  },
);
