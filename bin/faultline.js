#!/usr/bin/env node
// Entry point: the CLI compiled to dist/ by `npm run build`, which `npm ci` runs (`prepare`).
// Plain JavaScript, no transpiler at run time. In production run it as the process itself
// (`node bin/faultline.js run`, or `exec` in a shell script) so that SIGTERM reaches faultline
// (docs/operations.md); `npx` would keep it as a child that outlives a stopped npx.
const entry = new URL('../dist/cli/main.js', import.meta.url);
let cli;
try {
  cli = await import(entry.href);
} catch (err) {
  // Only dist/ itself missing is "not built"; a module missing inside it is a real error.
  if (err?.code !== 'ERR_MODULE_NOT_FOUND' || !String(err.message).includes(entry.pathname)) throw err;
  process.stderr.write(
    `faultline: not built: ${entry.pathname} is missing.` +
      ` Run \`npm run build\` in ${new URL('..', import.meta.url).pathname} (\`npm ci\` does it).\n`,
  );
  process.exit(1);
}
process.exitCode = await cli.main(process.argv.slice(2));
