// `faultline run --from file:PATH` and `--from -`: one record per line, through the same
// normalize + sink path as Kafka. Offsets are line numbers (1-based), the topic is
// `file:<basename>` or `stdin`, the partition 0. Lines are split on bytes, not decoded text,
// so invalid UTF-8 reaches the normalizer (and becomes a reject) instead of U+FFFD; a line
// longer than the record limit is kept only up to limit + 1 bytes (the normalizer rejects it
// as too large) so a huge line cannot exhaust memory.
//
// Segments are cut on fixed line-number boundaries (lines k·B+1 … (k+1)·B), so running the same
// file again reproduces the same dedup tokens and stores nothing twice. A file whose first line
// is already stored is such a rerun (after a kill, say): each segment is then read back after
// its write and a torn insert repaired (sink.ts `repair`), as a Kafka replay is. Stdin
// additionally flushes on the time bound (it may be a live pipe); it cannot be replayed anyway.
import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import type { Readable } from 'node:stream';
import type { Source } from '../transform/event.ts';
import type { Logger } from './log.ts';
import type { IngestMetrics } from './metrics.ts';
import type { Limits, Normalizer } from './record-rows.ts';
import { SegmentBuilder, type SealedSegment } from './segment.ts';
import type { Sink } from './sink.ts';

export interface FileSourceOptions {
  /** A file path, or a stream (stdin) with the topic name to record. */
  input: { path: string } | { stream: Readable; topic?: string };
  source: Source;
  sink: Sink;
  normalize: Normalizer;
  limits: Limits;
  log: Logger;
  metrics?: IngestMetrics | undefined;
  batchSize: number;
  /** Time bound for streams (ms); files are cut on size only, to stay reproducible. */
  batchMs: number;
  signal?: AbortSignal | undefined;
  /**
   * Transport time of line `lineNo` (1-based) when the caller knows it (the demo's generated
   * timestamps, as Kafka would carry them); else the read time.
   */
  transportTimeOf?: ((lineNo: number) => number | undefined) | undefined;
}

export interface FileSourceResult {
  topic: string;
  lines: number;
  records: number;
  events: number;
  rejects: number;
}

export async function runFileSource(o: FileSourceOptions): Promise<FileSourceResult> {
  const isFile = 'path' in o.input;
  const topic = 'path' in o.input ? `file:${basename(o.input.path)}` : (o.input.topic ?? 'stdin');
  const stream: Readable = 'path' in o.input ? createReadStream(o.input.path) : o.input.stream;
  const result: FileSourceResult = { topic, lines: 0, records: 0, events: 0, rejects: 0 };
  const cap = o.limits.maxRecordBytes + 1;

  let seg: SegmentBuilder | null = null;
  let writing: Promise<void> = Promise.resolve();
  let failed: unknown;
  const rerun = isFile && (await o.sink.hasRows({ topic, partition: 0, first: 1, last: o.batchSize }, o.signal));
  if (rerun) o.log.info(`${topic}: stored before; every segment is read back after its write`);

  const store = (sealed: SealedSegment) => {
    writing = writing.then(async () => {
      if (failed) return;
      try {
        const s = await sealed.complete;
        await o.sink.write([s], { signal: o.signal });
        if (rerun) await o.sink.repair([s], { signal: o.signal });
        result.records += s.records;
        result.events += s.events.rows;
        result.rejects += s.rejects.rows;
        o.metrics?.eventsOut.inc({ topic }, s.events.rows);
        for (const [reason, n] of s.rejectReasons) o.metrics?.rejects.inc({ topic, reason }, n);
        for (const [format, n] of s.formats ?? []) o.metrics?.records.inc({ topic, format }, n);
        o.metrics?.batchLatency.observe((Date.now() - s.openedAt) / 1000);
      } catch (err) {
        failed = err;
      }
    });
    return writing;
  };
  /** Seal the open segment and queue it; resolves once the segment before it is stored (one in flight while reading on). */
  const seal = (): Promise<void> => {
    const before = writing;
    if (seg && seg.records > 0) void store(seg.seal());
    seg = null;
    return before;
  };
  const timer = isFile
    ? undefined
    : setInterval(
        () => {
          if (seg && Date.now() - seg.openedAt >= o.batchMs) void seal();
        },
        Math.max(20, Math.min(250, o.batchMs)),
      );

  let parts: Buffer[] = [];
  let partBytes = 0;
  const push = (b: Buffer) => {
    if (b.length === 0) return;
    if (partBytes < cap) parts.push(partBytes + b.length > cap ? b.subarray(0, cap - partBytes) : b);
    partBytes += b.length;
  };
  const endLine = async () => {
    result.lines++;
    let line = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
    parts = [];
    partBytes = 0;
    if (line.length > 0 && line[line.length - 1] === 0x0d) line = line.subarray(0, line.length - 1);
    if (isBlank(line)) return;
    const lineNo = result.lines;
    if (seg && Math.floor((lineNo - 1) / o.batchSize) !== Math.floor((seg.first - 1) / o.batchSize)) await seal();
    if (!seg) {
      seg = new SegmentBuilder(topic, 0, o.source, o.normalize, o.limits);
      seg.replayed = rerun; // keeps the row keys the read-back compares
    }
    seg.add(lineNo, line, o.transportTimeOf?.(lineNo) ?? Date.now());
    o.metrics?.recordsIn.inc({ topic });
  };

  try {
    for await (const chunk of stream as AsyncIterable<Buffer | string>) {
      if (o.signal?.aborted || failed) break;
      const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      let from = 0;
      for (let nl = buf.indexOf(0x0a); nl !== -1; nl = buf.indexOf(0x0a, from)) {
        push(buf.subarray(from, nl));
        from = nl + 1;
        await endLine();
      }
      push(buf.subarray(from));
    }
    if (partBytes > 0 && !o.signal?.aborted && !failed) await endLine();
    if (!o.signal?.aborted) await seal();
    await writing;
  } finally {
    clearInterval(timer);
    if ('path' in o.input) stream.destroy();
  }
  if (failed) throw failed;
  if (o.signal?.aborted) o.log.warn(`${topic}: stopped after line ${result.lines}`);
  return result;
}

function isBlank(b: Buffer): boolean {
  for (let i = 0; i < b.length; i++) {
    const c = b[i];
    if (c !== 0x20 && c !== 0x09 && c !== 0x0d) return false;
  }
  return true;
}
