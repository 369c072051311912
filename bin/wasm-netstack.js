#!/usr/bin/env node
// Launcher: run the TypeScript CLI through tsx (no separate compile step).
import { register } from "tsx/esm/api";
register();
const { main } = await import("../host/cli.ts");
process.exitCode = await main(process.argv.slice(2));
