// The normalize thread (normalize-thread.ts starts it): turns chunks of raw records into
// TabSeparated event and reject rows with the same code as the in-thread path
// (record-rows.ts `addRecord`: one row per outcome of a record, with its record_index), and hands the UTF-8 bytes back transferred, not copied.
import { parentPort } from 'node:worker_threads';
import { normalizeRecord } from '../transform/index.ts';
import { addRecord, RowText } from './record-rows.ts';
import type { ChunkJob, ChunkResult } from './normalize-thread.ts';

const port = parentPort!;
const encoder = new TextEncoder();

port.on('message', (job: ChunkJob) => {
  try {
    const rows = new RowText(job.wantKeys);
    const data = new Uint8Array(job.data);
    let at = 0;
    for (let i = 0; i < job.offsets.length; i++) {
      const len = job.lens[i]!;
      const bytes = len < 0 ? new Uint8Array(0) : data.subarray(at, at + len);
      if (len > 0) at += len;
      addRecord(rows, normalizeRecord, job.limits, job.source, job.topic, job.partition, job.offsets[i]!, bytes, job.ts[i]!);
    }
    // TextEncoder gives each result its own ArrayBuffer (Buffer.from may share its pool), so it can be transferred.
    const ev = encoder.encode(rows.events);
    const rj = encoder.encode(rows.rejects);
    const res: ChunkResult = {
      id: job.id,
      events: ev,
      eventCount: rows.eventCount,
      rejects: rj,
      rejectCount: rows.rejectCount,
      reasons: Object.fromEntries(rows.reasons),
      formats: Object.fromEntries(rows.formats),
      eventKeys: rows.eventKeys,
      rejectKeys: rows.rejectKeys,
    };
    port.postMessage(res, [ev.buffer, rj.buffer]);
  } catch (err) {
    port.postMessage({ id: job.id, error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  }
});
