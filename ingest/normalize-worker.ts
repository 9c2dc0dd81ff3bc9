// The normalize thread (normalize-thread.ts starts it): turns chunks of raw records into
// TabSeparated event and reject rows with the same code as the in-thread path
// (segment.ts `normalizeRow`), and hands the UTF-8 bytes back transferred, not copied.
import { parentPort } from 'node:worker_threads';
import { normalize } from '../transform/index.ts';
import { normalizeRow } from './segment.ts';
import type { ChunkJob, ChunkResult } from './normalize-thread.ts';

const port = parentPort!;
const encoder = new TextEncoder();

port.on('message', (job: ChunkJob) => {
  try {
    let events = '';
    let rejects = '';
    let eventCount = 0;
    let rejectCount = 0;
    const reasons: Record<string, number> = {};
    const eventOffsets: number[] | undefined = job.wantOffsets ? [] : undefined;
    const rejectOffsets: number[] | undefined = job.wantOffsets ? [] : undefined;
    const data = new Uint8Array(job.data);
    let at = 0;
    for (let i = 0; i < job.offsets.length; i++) {
      const len = job.lens[i]!;
      const bytes = len < 0 ? new Uint8Array(0) : data.subarray(at, at + len);
      if (len > 0) at += len;
      const offset = job.offsets[i]!;
      const row = normalizeRow(normalize, job.limits, job.source, job.topic, job.partition, offset, bytes, job.ts[i]!);
      if (row.event !== undefined) {
        events += row.event;
        eventCount++;
        eventOffsets?.push(offset);
      } else {
        rejects += row.reject;
        rejectCount++;
        reasons[row.reason] = (reasons[row.reason] ?? 0) + 1;
        rejectOffsets?.push(offset);
      }
    }
    // TextEncoder gives each result its own ArrayBuffer (Buffer.from may share its pool), so it can be transferred.
    const ev = encoder.encode(events);
    const rj = encoder.encode(rejects);
    const res: ChunkResult = { id: job.id, events: ev, eventCount, rejects: rj, rejectCount, reasons, eventOffsets, rejectOffsets };
    port.postMessage(res, [ev.buffer, rj.buffer]);
  } catch (err) {
    port.postMessage({ id: job.id, error: err instanceof Error ? err.stack ?? err.message : String(err) });
  }
});
