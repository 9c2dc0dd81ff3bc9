// Public surface of transform/: record -> event | reject, the event contract, the error
// catalog, redaction helpers (the sink and logs use them too), and time formatting.
export * from './event.ts';
export { normalize, normalizeRecord } from './normalize.ts';
export { catalog, catalogCodes, gatewayCode, CatalogSchema, type Catalog, type GatewayCode } from './catalog.ts';
export { redactText, redactValue, isSecretKey, mayHoldSecret, REDACTED, redactOptions, type RedactOptions } from './redact.ts';
export { formatIsoMillis, parseTime } from './time.ts';
/** The redacted, ≤ 512-byte head of any record text (for rejects made outside normalize). */
export { headOf as redactedHead } from './parse-record.ts';
export { DEFAULT_MAX_RECORD_BYTES, DEFAULT_MAX_DEPTH, DEFAULT_RAW_MAX_BYTES, HEAD_MAX_BYTES, truncateUtf8 } from './limits.ts';
