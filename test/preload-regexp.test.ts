// No RegExp may be created while the firmware's modules are preloaded. In the Moddable SDK
// (xs/sources/xsre.c, fxAllocateRegExpData, 8.2.x) running a RegExp that was made at preload
// time allocates its match data with malloc but files it as an XS chunk: every exec leaks,
// and a garbage collection during the exec corrupts the heap (seen: a segfault in
// fx_RegExp_prototype_exec on the lin build after a few hundred UDP requests). A RegExp made
// at run time (a literal inside a function) is not affected.

import test from "ava";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import ts from "typescript";

const root = path.resolve(import.meta.dirname ?? path.dirname(new URL(import.meta.url).pathname), "..");

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) {
      if (name !== "src") out.push(...sources(full)); // modules/web/src is the browser's code
    } else if (name.endsWith(".ts") && !name.endsWith(".d.ts")) out.push(full);
  }
  return out;
}

/** Places where a RegExp is made at module scope (outside every function body). */
function moduleLevelRegExps(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
  const found: string[] = [];
  const visit = (node: ts.Node, inFunction: boolean): void => {
    const makes =
      node.kind === ts.SyntaxKind.RegularExpressionLiteral ||
      ((ts.isNewExpression(node) || ts.isCallExpression(node)) && ts.isIdentifier(node.expression) && node.expression.text === "RegExp");
    if (makes && !inFunction) {
      const { line } = source.getLineAndCharacterOfPosition(node.getStart());
      found.push(`${path.relative(root, file)}:${line + 1}: ${node.getText().slice(0, 60)}`);
    }
    const entersFunction = ts.isFunctionLike(node) && !ts.isClassStaticBlockDeclaration(node);
    ts.forEachChild(node, (child) => visit(child, inFunction || entersFunction));
  };
  visit(source, false);
  return found;
}

test("no module-level RegExp in the preloaded modules (core, device shell, main)", (t) => {
  const files = [...sources(path.join(root, "sml")), ...sources(path.join(root, "modules")), path.join(root, "main.ts")];
  t.true(files.length > 50);
  const found = files.flatMap(moduleLevelRegExps);
  t.deepEqual(found, [], "make these inside the function that uses them, or scan without a RegExp");
});

test("the check sees a module-level RegExp and ignores one inside a function", (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "ir2shelly-regexp-"));
  const probe = path.join(dir, "probe.ts");
  writeFileSync(probe, 'const A = /x/;\nconst B = new RegExp("y");\nfunction f() { return /z/.test("z"); }\nconst g = () => /w/;\n');
  try {
    const found = moduleLevelRegExps(probe);
    t.is(found.length, 2);
    t.regex(found[0], /:1: \/x\//);
    t.regex(found[1], /:2: new RegExp/);
  } finally {
    rmSync(dir, { recursive: true });
  }
});
