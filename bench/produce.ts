// Producing the bench topic: fast bulk fill (before any consumer starts, so every contender
// reads the same data) and a steady-rate stream for the freshness measurement.
import { Kafka, logLevel, type Message, type Producer } from 'kafkajs';

export function kafka(brokers: string, clientId = 'faultline-bench'): Kafka {
  return new Kafka({ clientId, brokers: brokers.split(','), logLevel: logLevel.NOTHING });
}

async function connectProducer(brokers: string): Promise<Producer> {
  // Idempotence off and one in-flight request per broker keep kafkajs' overhead minimal;
  // the mock broker has a single node, so parallelism comes from several requests in flight.
  const producer = kafka(brokers).producer({ allowAutoTopicCreation: false, maxInFlightRequests: 8 });
  await producer.connect();
  return producer;
}

export interface FillResult {
  records: number;
  bytes: number;
  elapsed_ms: number;
}

/**
 * Write `records` round-robin over `partitions` partitions. Each request carries every
 * partition (`perPartition` messages each); `inFlight` requests overlap. No compression, acks=1.
 */
export async function fillTopic(
  brokers: string,
  topic: string,
  partitions: number,
  records: readonly string[],
  opts: { perPartition?: number; inFlight?: number; onProgress?: (done: number) => void } = {},
): Promise<FillResult> {
  const perPartition = opts.perPartition ?? 250;
  const inFlight = opts.inFlight ?? 4;
  const producer = await connectProducer(brokers);
  const t0 = performance.now();
  let bytes = 0;
  let next = 0;
  let done = 0;
  const requestSize = perPartition * partitions;
  const sendOne = async (): Promise<void> => {
    while (next < records.length) {
      const start = next;
      const end = Math.min(records.length, start + requestSize);
      next = end;
      const byPartition: Message[][] = Array.from({ length: partitions }, () => []);
      for (let i = start; i < end; i++) {
        const value = records[i]!;
        bytes += value.length;
        byPartition[i % partitions]!.push({ value });
      }
      await producer.sendBatch({
        acks: 1,
        topicMessages: [
          { topic, messages: byPartition.flatMap((msgs, partition) => msgs.map((m) => ({ ...m, partition }))) },
        ],
      });
      done += end - start;
      opts.onProgress?.(done);
    }
  };
  try {
    await Promise.all(Array.from({ length: inFlight }, sendOne));
  } finally {
    await producer.disconnect();
  }
  return { records: records.length, bytes, elapsed_ms: Math.round(performance.now() - t0) };
}

/**
 * Produce at a steady `rate` records/s for `seconds`, in ticks of `tickMs`. `make(seq, nowMs)`
 * builds each record (the caller embeds the produce time in it). Returns what was sent.
 */
export async function produceSteady(
  brokers: string,
  topic: string,
  partitions: number,
  rate: number,
  seconds: number,
  make: (seq: number, nowMs: number) => string,
  tickMs = 20,
): Promise<{ records: number; elapsed_ms: number; behind_ms_max: number; started_at: number }> {
  const producer = await connectProducer(brokers);
  const t0 = performance.now();
  const total = Math.round(rate * seconds);
  let seq = 0;
  let behindMax = 0;
  try {
    while (seq < total) {
      const due = Math.min(total, Math.floor(((performance.now() - t0) / 1000) * rate));
      if (due > seq) {
        const now = Date.now();
        const messages: { value: string; partition: number; timestamp: string }[] = [];
        for (; seq < due; seq++) {
          messages.push({ value: make(seq, now), partition: seq % partitions, timestamp: String(now) });
        }
        const sendStart = performance.now();
        await producer.sendBatch({ acks: 1, topicMessages: [{ topic, messages }] });
        behindMax = Math.max(behindMax, performance.now() - sendStart);
      }
      const wait = tickMs - ((performance.now() - t0) % tickMs);
      await new Promise((res) => setTimeout(res, wait));
    }
  } finally {
    await producer.disconnect();
  }
  return { records: seq, elapsed_ms: Math.round(performance.now() - t0), behind_ms_max: Math.round(behindMax), started_at: t0 };
}
