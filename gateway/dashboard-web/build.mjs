// Copies the locked ECharts browser build into the gateway's static files, where the dashboard
// page loads it from its own origin (the page's CSP allows scripts from 'self' only).
// The copy is written beside its target and renamed, so a running gateway never serves half a file.
import { copyFileSync, mkdirSync, renameSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const vendor = join(here, "..", "gateway", "dashboard", "static", "vendor");
const files = { "echarts.min.js": join(here, "node_modules", "echarts", "dist", "echarts.min.js") };

mkdirSync(vendor, { recursive: true });
for (const [name, source] of Object.entries(files)) {
  const target = join(vendor, name);
  const partial = `${target}.${process.pid}.tmp`;
  copyFileSync(source, partial);
  renameSync(partial, target);
}
