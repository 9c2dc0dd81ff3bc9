// Public surface of transform/: what other folders use, record -> event(s) | reject (the CLI's
// `parse`, the ingest pipeline and its normalize thread). Tests import the modules themselves.
export { SOURCES, type Source, type NormalizeResult } from './event.ts';
export { normalizeRecord } from './normalize.ts';
