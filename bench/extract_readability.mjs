// Mozilla Readability on linkedom over a directory of pages, in one process,
// the way score.py's --batch-cmd wants it: IN_DIR/<id>.html -> OUT_DIR/<id>.txt,
// and "extract_seconds=X extract_cpu_seconds=Y" on stderr (parsing with
// linkedom included, file I/O excluded). Needs the npm packages
// @mozilla/readability and linkedom (bench/compare_extractors.sh installs them
// into a scratch directory and sets NODE_PATH).
//   node bench/extract_readability.mjs IN_DIR OUT_DIR
import { readFileSync, readdirSync, writeFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { createRequire } from "node:module";

const require = createRequire(join(process.env.NODE_PATH || process.cwd(), "x.js"));
const { Readability } = require("@mozilla/readability");
const { parseHTML } = require("linkedom");

const [inDir, outDir] = process.argv.slice(2);
mkdirSync(outDir, { recursive: true });
const pages = readdirSync(inDir)
  .filter((f) => f.endsWith(".html"))
  .map((f) => [f.slice(0, -5), readFileSync(join(inDir, f), "utf8")]);
const texts = new Map();
const cpu0 = process.cpuUsage();
const wall0 = process.hrtime.bigint();
for (const [id, html] of pages) {
  let text = "";
  try {
    const { document } = parseHTML(html);
    const article = new Readability(document).parse();
    text = article && article.textContent ? article.textContent : "";
  } catch (e) {
    text = "";
  }
  texts.set(id, text);
}
const wall = Number(process.hrtime.bigint() - wall0) / 1e9;
const cpu = process.cpuUsage(cpu0);
for (const [id, text] of texts) writeFileSync(join(outDir, id + ".txt"), text);
process.stderr.write(
  `extract_seconds=${wall.toFixed(6)} extract_cpu_seconds=${((cpu.user + cpu.system) / 1e6).toFixed(6)}\n`,
);
