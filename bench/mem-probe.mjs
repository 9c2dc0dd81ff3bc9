// Preloaded into bench child processes (`node --import bench/mem-probe.mjs …`): appends
// process.memoryUsage() of this thread as one JSON line to $FAULTLINE_BENCH_MEM_OUT every
// 200 ms, so the bench can tell the JS side's memory (V8 heaps + external) from the embedded
// engine's. Worker threads of the child load it too (they inherit the process's `--import`),
// each reporting its own isolate. The timer is unref'd: it never keeps a process or thread alive.
import { appendFileSync } from 'node:fs';
import { getHeapStatistics } from 'node:v8';
import { threadId } from 'node:worker_threads';

const out = process.env.FAULTLINE_BENCH_MEM_OUT;
if (out) {
  const write = () => {
    try {
      // Not process.memoryUsage(): its profile showed 3.6% of `faultline run`'s main thread at
      // 5 calls/s on a 1 GB process. The heap statistics and rss() alone are cheap.
      const h = getHeapStatistics();
      appendFileSync(
        out,
        `${JSON.stringify({ t: Date.now(), thread: threadId, rss: process.memoryUsage.rss(), heapTotal: h.total_heap_size, external: h.external_memory })}\n`,
      );
    } catch {
      // the bench removed the file: nothing to report to
    }
  };
  write();
  setInterval(write, 200).unref();
}
