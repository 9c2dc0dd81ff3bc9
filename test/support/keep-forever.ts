// Test data carries fixed dates (2026-11-21 and around): stores made for tests keep rows
// forever (FAULTLINE_RETENTION_DAYS=0: no TTL), so no TTL can drop them whatever today's date
// is. Test stores (stores.ts) use it, and every child process a test starts gets it in its
// environment. test/sql/migrate.test.ts proves the TTL itself, with dates relative to now.
export const KEEP_FOREVER = { FAULTLINE_RETENTION_DAYS: '0' } as const;
