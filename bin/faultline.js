#!/usr/bin/env node
// Entry point: runs the TypeScript CLI through tsx so `npx faultline` works right after
// `npm ci`, with no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
