// The normalized event and the reject: the contract of docs/event-model.md §2 and
// §7 between transform/, the ClickHouse schema in sql/, the dashboards and `faultline parse`.
// One zod schema, shared by everything downstream.
import { z } from 'zod';

export const SOURCES = ['gateway', 'client'] as const;
const OUTCOMES = ['ok', 'error', 'business_failure', 'partial_success'] as const;
export const CATEGORIES = [
  'AUTH_ERROR',
  'RATE_LIMIT_ERROR',
  'VALIDATION_ERROR',
  'CHANNEL_ERROR',
  'INTERNAL_ERROR',
  'BUSINESS_ERROR',
  '',
] as const;
const LIMIT_KINDS = ['', 'rate', 'quota', 'platform', 'balance'] as const;

/** Low-cardinality reject reasons (metrics and the pipeline-health dashboard group by them). */
const REJECT_REASONS = [
  'empty',
  'invalid_utf8',
  'invalid_json',
  'not_an_object',
  'unrecognised_text',
  'too_large',
  'too_deep',
  'bad_time',
  /**
   * An OTLP message of several log records given to `normalize`, which returns one outcome per
   * record (docs/real-inputs.md §5): rejected whole, never read as one event. No stored path
   * produces it: ingest/ stores every outcome with its `record_index` (`normalizeRecord`).
   */
  'otlp_batch',
  /** A record on an `otlp_proto` topic that is no OTLP/protobuf logs message (docs/real-inputs.md §1). */
  'invalid_otlp',
] as const;

const SourceSchema = z.enum(SOURCES);
const OutcomeSchema = z.enum(OUTCOMES);
export const CategorySchema = z.enum(CATEGORIES);
export const LimitKindSchema = z.enum(LIMIT_KINDS);
const RejectReasonSchema = z.enum(REJECT_REASONS);

const FailedOfferSchema = z.object({
  offer_id: z.string(),
  spec_id: z.string(),
  error_code: z.string(),
  error_message: z.string(),
});

/** `2026-11-21T10:00:01.234Z`: UTC, always three fraction digits. */
const IsoMillisSchema = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);

export const EventSchema = z.object({
  event_time: IsoMillisSchema,
  source: SourceSchema,
  request_id: z.string(),
  http_status: z.number().int().min(0).max(65535),
  outcome: OutcomeSchema,
  code: z.string(),
  category: CategorySchema,
  limit_kind: LimitKindSchema,
  channel: z.string(),
  upstream_vendor: z.string(),
  upstream_code: z.string(),
  upstream_sub_code: z.string(),
  upstream_message: z.string(),
  message: z.string(),
  failed_offers: z.array(FailedOfferSchema),
  route: z.string(),
  method: z.string(),
  latency_ms: z.number().int().min(0).max(4294967295).nullable(),
  attempt: z.number().int().min(0).max(65535).nullable(),
  app_id: z.string(),
  /** A gateway code the error catalog does not know (docs/event-model.md §3, dialect 1). */
  catalog_drift: z.boolean(),
  raw: z.string(),
  /**
   * How the record was read: envelopes and inner layout joined by `/` (docs/real-inputs.md §4):
   * `json`, `docker/json`, `cri/text`, `unrecognized`… The normalizer always sets it; optional in
   * the type so rows built elsewhere (stores' tests, older callers) stay valid and store `''`.
   */
  format: z.string().optional(),
});

export type Source = z.infer<typeof SourceSchema>;
export type Outcome = z.infer<typeof OutcomeSchema>;
export type Category = z.infer<typeof CategorySchema>;
export type LimitKind = z.infer<typeof LimitKindSchema>;
export type RejectReason = z.infer<typeof RejectReasonSchema>;
export type FailedOffer = z.infer<typeof FailedOfferSchema>;
export type Event = z.infer<typeof EventSchema>;

/** A record that could not become an event (docs/event-model.md §7). */
export const RejectSchema = z.object({
  reason: RejectReasonSchema,
  /** Human detail, e.g. "Unexpected token } in JSON at position 12". Never contains secrets. */
  detail: z.string(),
  /** The first bytes of the record, redacted. */
  head: z.string(),
});
export type Reject = z.infer<typeof RejectSchema>;

/** What the normalizer returns for one record: exactly one of the two. */
export type NormalizeResult = { ok: true; event: Event } | { ok: false; reject: Reject };

/** Where a record came from (Kafka coordinates, or file/stdin with line numbers as offsets). */
export interface Provenance {
  topic: string;
  partition: number;
  offset: string;
}

/**
 * How a topic's records are read (docs/real-inputs.md §1): `auto` recognises every JSON and text
 * shape; `otlp_proto` reads each record as an OTLP/protobuf logs message (binary OTLP cannot be
 * told from garbage by its bytes, so it is never guessed).
 */
export const INPUT_FORMATS = ['auto', 'otlp_proto'] as const;
export type InputFormat = (typeof INPUT_FORMATS)[number];

/** Inputs of `normalize(record, ctx)` besides the record itself. */
export interface NormalizeContext {
  source: Source;
  /** The topic's input format (default `auto`). */
  format?: InputFormat | undefined;
  /** Transport time in epoch ms (Kafka message timestamp, file read time); used when the record's own time is missing or unreadable. */
  transportTimeMs?: number | undefined;
  /** Size limit in UTF-8 bytes (default 1 MiB). */
  maxRecordBytes?: number;
  /** Nesting limit of objects and arrays together (default 64; 64 is allowed). */
  maxDepth?: number;
  /** Size the redacted `raw` column is truncated to, in UTF-8 bytes (default 4096). */
  rawMaxBytes?: number;
  /** The installation's redaction key: API keys and bearer tokens become `[REDACTED:<fp>]` (docs/secrets.md §4). */
  redactionKey?: string | undefined;
  /** `mask`: e-mail local parts and card numbers are redacted too (docs/secrets.md §5; default `keep`). */
  pii?: 'keep' | 'mask' | undefined;
}
