// Worker threads do not inherit module hooks registered through tsx's API (bin/faultline.js):
// register tsx here, then load the TypeScript worker.
import { register } from 'tsx/esm/api';

if (process.env.FAULTLINE_BENCH_MEM_OUT) await import('../bench/mem-probe.mjs').catch(() => {});
register();
await import('./normalize-worker.ts');
