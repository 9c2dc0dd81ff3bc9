// The schedules of a run of the model (delivery-model.test.ts), counted, in a worker thread.
// Why a thread: node:test's harness enables an async hook (init and destroy on every promise,
// to tie uncaught errors to their test) in the test's thread, and every await of the product's
// flush pays for it: the same schedules ran 30% slower inside test() than in a plain loop
// (measured side by side). A worker thread has no such hook.
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { exploreSeed, ScheduleFailure, type ScheduleResult, type ScheduleSpec } from './schedule.ts';

export interface Tally {
  schedules: number;
  /** Steps of the dry runs (the crash points). */
  steps: number;
  fenced: number;
  checked: number;
  residual: number;
  /** Deaths by the kind of step they hit. */
  byKind: [string, number][];
  seconds: number;
  /** This process's CPU seconds meanwhile: the figure that holds on a shared machine. */
  cpu: number;
}

export type Outcome = { ok: true; tally: Tally } | { ok: false; message: string; spec: ScheduleSpec | undefined };

/** Every schedule of seeds base, base + 1, …, base + seeds - 1. */
export async function explore(base: number, seeds: number): Promise<Tally> {
  const started = performance.now();
  const cpu0 = process.cpuUsage();
  const byKind = new Map<string, number>();
  const t = { schedules: 0, steps: 0, fenced: 0, checked: 0, residual: 0 };
  const visit = (spec: ScheduleSpec, r: ScheduleResult) => {
    t.schedules++;
    if (spec.crashAt === 0) return;
    if (spec.fence) t.fenced++;
    if (r.checked) t.checked++;
    if (r.residual) t.residual++;
    byKind.set(r.fired!, (byKind.get(r.fired!) ?? 0) + 1);
  };
  for (let i = 0; i < seeds; i++) t.steps += (await exploreSeed((base + i) >>> 0, visit)).steps;
  const used = process.cpuUsage(cpu0);
  return { ...t, byKind: [...byKind], seconds: (performance.now() - started) / 1000, cpu: (used.user + used.system) / 1e6 };
}

if (!isMainThread && parentPort) {
  const { base, seeds } = workerData as { base: number; seeds: number };
  const outcome: Outcome = await explore(base, seeds).then(
    (tally): Outcome => ({ ok: true, tally }),
    (err: unknown): Outcome => ({
      ok: false,
      message: err instanceof Error ? (err.stack ?? err.message) : String(err),
      spec: err instanceof ScheduleFailure ? err.spec : undefined,
    }),
  );
  parentPort.postMessage(outcome);
}
