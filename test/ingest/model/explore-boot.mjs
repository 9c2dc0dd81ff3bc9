// Worker threads do not inherit the parent's module hooks: register tsx here, then load the
// TypeScript explorer (the pattern of bench/proto-worker-boot.mjs).
import { register } from 'tsx/esm/api';

register();
await import('./explore.ts');
