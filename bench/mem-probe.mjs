// Preloaded into bench child processes (`node --import bench/mem-probe.mjs …`): appends
// process.memoryUsage() of this thread as one JSON line to $FAULTLINE_BENCH_MEM_OUT every
// 200 ms, so the bench can tell the JS side's memory (V8 heaps + external) from the embedded
// engine's. Worker threads of the child load it too (they inherit the process's `--import`),
// each reporting its own isolate. The timer is unref'd: it never keeps a process or thread alive.
import { appendFileSync } from 'node:fs';
import { threadId } from 'node:worker_threads';

const out = process.env.FAULTLINE_BENCH_MEM_OUT;
if (out) {
  const write = () => {
    try {
      const m = process.memoryUsage();
      appendFileSync(out, JSON.stringify({ t: Date.now(), thread: threadId, rss: m.rss, heapTotal: m.heapTotal, external: m.external }) + '\n');
    } catch {
      // the bench removed the file: nothing to report to
    }
  };
  write();
  setInterval(write, 200).unref();
}
