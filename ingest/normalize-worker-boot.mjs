// Worker threads do not inherit module hooks registered through tsx's API (bin/faultline.js):
// register tsx here, then load the TypeScript worker.
import { register } from 'tsx/esm/api';

register();
await import('./normalize-worker.ts');
