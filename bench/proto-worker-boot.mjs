// Worker threads do not inherit the parent's module hooks: register tsx here, then load the
// TypeScript worker (same pattern as bin/faultline.js). The bench's memory probe is loaded
// explicitly too, so the worker's own V8 heap is counted.
import { register } from 'tsx/esm/api';

if (process.env.FAULTLINE_BENCH_MEM_OUT) await import('./mem-probe.mjs');
register();
await import('./proto-worker.ts');
