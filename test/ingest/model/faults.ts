// Where a model schedule dies. Every I/O call of the in-memory commit log and dedup store calls
// `step()` before its effect, between the parts of an insert (block by block, and between a
// block's table part and its view part) and after its effect; the step numbered `crashAt`
// throws instead. So "crash at step k" for k = 1…N covers every await point of a flush, with
// the effect of the call either not done, done in part, or done and never acknowledged.
import { AbortedError } from '../../../lib/retry.ts';
import { mulberry32 } from '../../support/seed.ts';

export type StepKind = 'commit' | 'insert' | 'torn' | 'block' | 'view' | 'ledger' | 'lookup' | 'ack';

/** A seeded PRNG (mulberry32): the same seed gives the same schedule. */
export const rng = mulberry32;

/** A member's death at a step: its process (buffers, flush in flight) is gone. */
export class Crash extends AbortedError {
  readonly step: number;
  readonly kind: StepKind;

  constructor(step: number, kind: StepKind) {
    // No stack: one is thrown per schedule, nobody reads where, and V8 walks the async chain to take it.
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(`crash at step ${step} (${kind})`);
    Error.stackTraceLimit = limit;
    this.step = step;
    this.kind = kind;
  }
}

export class Faults {
  steps = 0;
  /** What each step was (the dry run records them, to enumerate schedules). */
  readonly kinds: StepKind[] = [];
  /** The step at which the member dies (0: never). */
  crashAt = 0;
  /** Die as a refused commit (the generation ended) instead of a crash, when the step is a commit. */
  fence = false;
  fired: StepKind | undefined;

  constructor(
    private readonly onFire: () => void,
    /** Called as each step is reached, before it acts (the dry run copies the world here). */
    private readonly onStep?: () => void,
  ) {}

  /** One await point; throws Crash (or returns 'fence' for a commit) at the chosen one. */
  step(kind: StepKind): 'fence' | undefined {
    this.steps++;
    this.kinds.push(kind);
    this.onStep?.();
    if (this.steps !== this.crashAt || this.fired) return undefined;
    this.fired = kind;
    this.onFire();
    if (this.fence && kind === 'commit') return 'fence';
    throw new Crash(this.steps, kind);
  }
}
