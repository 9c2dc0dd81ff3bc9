// Preloaded by scripts/test.js into the node:test runner and every test process it starts:
// makes standard output blocking. Each test process reports its results to the runner through
// its stdout pipe, and --test-force-exit ends it with process.exit(), which drops writes still
// queued on a non-blocking pipe: the runner then reported fewer tests than ran, and passed
// (node#64833, open on Node 20 to 26; here 1,491 of 1,500 synthetic tests, and once the unit
// tier's last file cut short). Blocking writes reach the pipe before the process can end.
process.stdout._handle?.setBlocking?.(true);
