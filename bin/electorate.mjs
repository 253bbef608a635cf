#!/usr/bin/env node
// `npx electorate ...`: registers tsx's loader in this process, then starts the TypeScript CLI
// (no build step, no second process).
import { register } from "tsx/esm/api";

register();
await import("../src/cli/main.ts");
