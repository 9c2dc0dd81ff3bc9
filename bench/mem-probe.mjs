// Preloaded into bench child processes (`node --import bench/mem-probe.mjs …`): appends
// process.memoryUsage() as one JSON line to $FAULTLINE_BENCH_MEM_OUT every 200 ms, so the
// bench can tell the JS side's memory (V8 heap + external) from the embedded engine's.
// The timer is unref'd: it never keeps the process alive.
import { appendFileSync } from 'node:fs';

const out = process.env.FAULTLINE_BENCH_MEM_OUT;
if (out) {
  const write = () => {
    try {
      appendFileSync(out, JSON.stringify(process.memoryUsage()) + '\n');
    } catch {
      // the bench removed the file: nothing to report to
    }
  };
  write();
  setInterval(write, 200).unref();
}
