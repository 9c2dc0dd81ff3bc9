// Normalizing off the main thread. The main thread of `faultline run` fetches (kafkajs
// decoding), keeps the delivery protocol, and drives chDB; normalizing and serialising the rows
// (~3/4 of its JS work, measured by the ingest benchmark with --cpu-prof) happens in this one worker thread, so that
// on 2 cores fetch, normalize and the engine's insert all run at once. Chunks are answered in
// the order they were sent; their rows are byte-for-byte what the in-thread path would build
// (same `normalizeRow`), so tokens and replays do not depend on where rows were built.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { RejectReason, Source } from '../transform/event.ts';
import type { Limits } from './record-rows.ts';

/** Main → worker: the records of one segment from one fetched batch. */
export interface ChunkJob {
  id: number;
  source: Source;
  topic: string;
  partition: number;
  limits: Limits;
  offsets: number[];
  /** Transport time (epoch ms) per record. */
  ts: number[];
  /** Byte length per record in `data`; -1 for a null value. */
  lens: Int32Array;
  /** The records' bytes back to back (a copy: the fetch's buffer can go). */
  data: ArrayBuffer;
  /** Keep the row keys (replayed segments: checked replays insert only the missing rows). */
  wantKeys: boolean;
}

/** What a chunk's rows hold besides their bytes and reject reasons. */
interface ChunkCounts {
  eventCount: number;
  rejectCount: number;
  /** Row keys, `storedRowKey(offset, record_index)`, when wanted. */
  eventKeys: string[] | undefined;
  rejectKeys: string[] | undefined;
}

/** A chunk's rows as the worker posts them (transferable bytes, reasons as a plain object). */
export interface ChunkResult extends ChunkCounts {
  id: number;
  events: Uint8Array;
  rejects: Uint8Array;
  reasons: Record<string, number>;
  formats: Record<string, number>;
}

/** A chunk's rows as the sink takes them. */
export interface ChunkRows extends ChunkCounts {
  events: Buffer;
  rejects: Buffer;
  reasons: Map<RejectReason, number>;
  formats: Map<string, number>;
}

/**
 * The worker's code is compiled JavaScript, always: dist/ingest/normalize-worker.js, written by
 * `npm run build` (tsc). Running from dist/ it is this module's neighbour; running the
 * TypeScript sources (the tests and benchmarks, through tsx) it is the same file in dist/, which
 * scripts/test.js builds before every run. Booting it takes ~0.3 s; a worker loading the sources
 * through tsx's loader took ~2 s (its hooks thread compiles every module again), so there is no
 * such path: a missing file is an error naming the command that makes it.
 */
const WORKER = import.meta.url.endsWith('.ts')
  ? new URL('../dist/ingest/normalize-worker.js', import.meta.url)
  : new URL('./normalize-worker.js', import.meta.url);

export class NormalizeThread {
  private readonly worker: Worker;
  private nextId = 0;
  private readonly pending = new Map<number, { resolve: (r: ChunkRows) => void; reject: (e: Error) => void }>();
  private failed: Error | undefined;

  /** Referenced while jobs are pending, so that the process waits for their rows. */
  private track(): void {
    if (this.pending.size > 0) this.worker.ref();
    else this.worker.unref();
  }

  /** `worker`: the compiled worker module (a test points it elsewhere to see the error). */
  constructor(worker: URL = WORKER) {
    if (!existsSync(worker)) {
      throw new Error(`normalize thread: the compiled worker ${fileURLToPath(worker)} is missing: run \`npm run build\``);
    }
    this.worker = this.spawn(worker);
  }

  private spawn(url: URL): Worker {
    // The worker inherits the process's node options (`execArgv`): a tool that preloads a module
    // with `--import` (the benchmarks' memory probe) reaches this thread too, so
    // product code never names it.
    const worker = new Worker(url);
    worker.on('message', (m: ChunkResult | { id: number; error: string }) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      this.track();
      if ('error' in m) {
        p.reject(new Error(`normalize thread: ${m.error}`));
        return;
      }
      const buf = (u: Uint8Array) => Buffer.from(u.buffer, u.byteOffset, u.byteLength);
      p.resolve({
        events: buf(m.events),
        eventCount: m.eventCount,
        rejects: buf(m.rejects),
        rejectCount: m.rejectCount,
        reasons: new Map(Object.entries(m.reasons) as [RejectReason, number][]),
        formats: new Map(Object.entries(m.formats)),
        eventKeys: m.eventKeys,
        rejectKeys: m.rejectKeys,
      });
    });
    const fail = (err: Error) => {
      this.failed ??= err;
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    };
    worker.on('error', (err) => fail(err));
    worker.on('exit', (code) => fail(new Error(`normalize thread exited (code ${code})`)));
    // An idle worker must not keep the process alive (the ingest's own handles do); a busy one must.
    worker.unref();
    return worker;
  }

  /** Normalize one chunk; rejects only if the thread itself failed (a bad record is a reject row). */
  run(job: Omit<ChunkJob, 'id'>): Promise<ChunkRows> {
    if (this.failed) return Promise.reject(this.failed);
    const id = this.nextId++;
    return new Promise<ChunkRows>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ ...job, id }, [job.data]);
      this.track();
    });
  }

  async close(): Promise<void> {
    this.failed ??= new Error('normalize thread closed');
    // Referenced until it has exited: an unreferenced worker's termination does not keep the
    // event loop alive, so a caller awaiting close() could see its process end first (seen in a
    // unit test process on a loaded machine: every test after it cancelled).
    this.worker.ref();
    await this.worker.terminate();
  }
}
