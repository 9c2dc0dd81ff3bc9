// Worker threads do not inherit the parent's module hooks: register tsx here, then load the
// TypeScript worker (same pattern as bin/faultline.js).
import { register } from 'tsx/esm/api';

register();
await import('./proto-worker.ts');
