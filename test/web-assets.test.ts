// The web pages' generated assets (modules/web/assets.generated.ts): up to date with their
// sources, within the size budget (40 KB gzip for all of them together), and consistent
// (each gzip is its text).

import test from "ava";
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { totalGzipBytes } from "../modules/web/assets";
import { base64Decode } from "../modules/net/base64";
import { WEB_ASSETS } from "../modules/web/assets.generated";
import { buildWebAssets, generatedModule, GENERATED } from "../scripts/build-web.js";

const BUDGET_GZIP_BYTES = 40 * 1024;

test("the generated module is up to date with modules/web/src (run node scripts/build-web.js)", async (t) => {
  const assets = await buildWebAssets();
  const fresh = generatedModule(assets);
  const committed = readFileSync(GENERATED, "utf8");
  t.true(fresh === committed, "modules/web/assets.generated.ts is out of date: run node scripts/build-web.js");
});

test("all assets together are at most 40 KB gzip-compressed", (t) => {
  const total = totalGzipBytes();
  t.log(`assets: ${WEB_ASSETS.map((a) => `${a.path} ${base64Decode(a.gzip)!.length} B`).join(", ")}; total ${total} B gzip`);
  t.true(total <= BUDGET_GZIP_BYTES, `${total} B > ${BUDGET_GZIP_BYTES} B`);
  t.true(total > 1000, "the assets are really there");
});

test("each asset's gzip bytes are its text; the page names the others by their hash", (t) => {
  for (const a of WEB_ASSETS) {
    const bytes = base64Decode(a.gzip)!;
    t.deepEqual(Buffer.from(bytes), Buffer.from(new Uint8Array(Buffer.from(a.gzip, "base64"))), `${a.path}: our base64 decoder`);
    t.is(gunzipSync(bytes).toString("utf8"), a.text, a.path);
  }
  const page = WEB_ASSETS.find((a) => a.path === "/")!;
  for (const a of WEB_ASSETS) if (a.path !== "/") t.true(page.text.includes(`${a.path}?v=`), a.path);
  t.false(/https?:\/\//.test(page.text.replace(/http:\/\/www\.w3\.org\/\d+\/svg/g, "")), "no CDN, nothing from outside");
});
