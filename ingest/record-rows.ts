// One record's rows: the normalizer's outcomes for a record as TabSeparated event and reject
// rows (sql/row-format.ts), counted, with the limits and settings the normalizer runs under.
// Shared by the in-thread path (segment.ts SegmentBuilder) and the normalize thread
// (normalize-worker.ts), so both build the same bytes for the same record.
import type { Config } from '../lib/config.ts';
import { storedRowKey } from '../sql/ledger.ts';
import { eventTsvLine, rejectTsvLine } from '../sql/row-format.ts';
import type { InputFormat, NormalizeContext, NormalizeResult, RejectReason, Source } from '../transform/event.ts';
import { redactText } from '../transform/redact.ts';

/**
 * The normalizer's signature (transform/index.ts `normalizeRecord`): a record's outcomes in
 * order, one for most records, one per log record of an OTLP message; an outcome's position is
 * its `record_index` (docs/real-inputs.md §1). A single outcome may come bare.
 */
export type Normalizer = (record: Uint8Array, ctx: NormalizeContext) => NormalizeResult | readonly NormalizeResult[];

export interface Limits {
  maxRecordBytes: number;
  /** Each stream's input format (docs/real-inputs.md §1: `auto`, or `otlp_proto` for a topic the Collector writes protobuf to). */
  formats?: Readonly<Record<Source, InputFormat>>;
  maxDepth: number;
  rawMaxBytes: number;
  /** FAULTLINE_RAW: `non-ok` stores `raw` only for events that are not `ok` or not recognised (default `all`). */
  raw?: 'all' | 'non-ok' | undefined;
  /** The installation's redaction key (docs/secrets.md §4); travels to normalize threads, never to a log. */
  redactionKey?: string | undefined;
  pii?: 'keep' | 'mask' | undefined;
}

/** The limits the settings ask for (FAULTLINE_MAX_RECORD_BYTES, FAULTLINE_*_FORMAT, …). */
export function limitsOf(config: Config): Limits {
  return {
    maxRecordBytes: config.FAULTLINE_MAX_RECORD_BYTES,
    maxDepth: config.FAULTLINE_MAX_DEPTH,
    rawMaxBytes: config.FAULTLINE_RAW_MAX_BYTES,
    redactionKey: config.FAULTLINE_REDACTION_KEY,
    pii: config.FAULTLINE_PII,
    raw: config.FAULTLINE_RAW,
    formats: { gateway: config.FAULTLINE_GATEWAY_FORMAT, client: config.FAULTLINE_CLIENT_FORMAT },
  };
}
/** One outcome of a record as its TabSeparated event row, or its reject row and reason. */
export type Row = { event: string; format: string } | { event: undefined; reject: string; reason: RejectReason };

/**
 * One record's outcomes as rows, added to `rows` in order with their record_index (shared by the
 * in-thread path and the normalize thread, so both build the same bytes).
 */
export function addRecord(
  rows: RowText,
  normalize: Normalizer,
  limits: Limits,
  source: Source,
  topic: string,
  partition: number,
  offset: number,
  bytes: Uint8Array,
  transportMs: number,
): void {
  let res: NormalizeResult | readonly NormalizeResult[];
  try {
    res = normalize(bytes, {
      source,
      transportTimeMs: transportMs,
      format: limits.formats?.[source],
      maxRecordBytes: limits.maxRecordBytes,
      maxDepth: limits.maxDepth,
      rawMaxBytes: limits.rawMaxBytes,
      redactionKey: limits.redactionKey,
      pii: limits.pii,
    });
    // Never no outcome: a record always leaves a row, or the ledger's count and the checked replay would miss it.
    if (Array.isArray(res) && res.length === 0) throw new Error('no outcome');
  } catch (err) {
    // A throwing normalizer is a bug, but it must not stop the stream either: the record becomes a reject that says so.
    // An error message may quote the record (V8's JSON errors do): redacted, then cut (docs/secrets.md).
    res = {
      ok: false,
      reject: {
        reason: 'unrecognised_text',
        detail: redactText(`normalizer failed: ${err instanceof Error ? err.message : String(err)}`).slice(0, 200),
        head: '',
      },
    };
  }
  if (!Array.isArray(res)) {
    rows.add(toRow(res as NormalizeResult, source, topic, partition, offset, transportMs, 0, limits.raw), offset, 0);
    return;
  }
  const all = res as readonly NormalizeResult[];
  for (let i = 0; i < all.length; i++) rows.add(toRow(all[i]!, source, topic, partition, offset, transportMs, i, limits.raw), offset, i);
}

function toRow(
  res: NormalizeResult,
  source: Source,
  topic: string,
  partition: number,
  offset: number,
  transportMs: number,
  recordIndex: number,
  raw: Limits['raw'],
): Row {
  if (res.ok) {
    const e = res.event;
    // FAULTLINE_RAW=non-ok (docs/configuration.md "The raw record"): an `ok` event the normalizer
    // recognised is stored as its normalized columns alone. The event is this call's own object.
    if (raw === 'non-ok' && e.outcome === 'ok' && e.format !== 'unrecognized') e.raw = '';
    return { event: eventTsvLine(e, topic, partition, offset, recordIndex), format: e.format ?? '' };
  }
  return {
    event: undefined,
    reason: res.reject.reason,
    reject: rejectTsvLine({
      transport_time: iso(transportMs),
      source,
      topic,
      partition,
      offset,
      reason: res.reject.reason,
      detail: res.reject.detail,
      head: res.reject.head,
      record_index: recordIndex,
    }),
  };
}

/** The rows of a run of records as text, counted (the in-thread path and the normalize thread). */
export class RowText {
  events = '';
  eventCount = 0;
  rejects = '';
  rejectCount = 0;
  readonly reasons = new Map<RejectReason, number>();
  readonly formats = new Map<string, number>();
  /** Keys of the event and reject rows, line by line, when kept (replayed segments). */
  readonly eventKeys: string[] | undefined;
  readonly rejectKeys: string[] | undefined;

  constructor(keepKeys: boolean) {
    this.eventKeys = keepKeys ? [] : undefined;
    this.rejectKeys = keepKeys ? [] : undefined;
  }

  add(row: Row, offset: number, recordIndex: number): void {
    const format = row.event !== undefined ? row.format : 'reject';
    this.formats.set(format, (this.formats.get(format) ?? 0) + 1);
    if (row.event !== undefined) {
      this.events += row.event;
      this.eventCount++;
      this.eventKeys?.push(storedRowKey(offset, recordIndex));
    } else {
      this.reasons.set(row.reason, (this.reasons.get(row.reason) ?? 0) + 1);
      this.rejects += row.reject;
      this.rejectCount++;
      this.rejectKeys?.push(storedRowKey(offset, recordIndex));
    }
  }
}

const iso = (ms: number) => new Date(ms).toISOString();
