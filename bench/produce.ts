// Producing the bench topic: fast bulk fill (before any consumer starts, so every contender
// reads the same data) with kafkajs; the freshness phase's steady stream comes from a C
// producer in its own process (steady-producer.ts, bench/fresh-producer.c).
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
 * Write `records` round-robin over `partitions` partitions: record i goes to partition
 * i % partitions. Each request carries `perPartition` consecutive records of each of
 * `partitionsPerRequest` partitions; `inFlight` requests overlap. No compression, acks=1.
 *
 * Large per-partition batches matter on the mock broker: its Fetch answers at most one
 * produced batch per partition, so the batch size here is what a consumer gets per fetch
 * round trip (a real broker fills the fetch up to its byte limits from many batches).
 */
export async function fillTopic(
  brokers: string,
  topic: string,
  partitions: number,
  records: readonly string[],
  opts: { perPartition?: number; partitionsPerRequest?: number; inFlight?: number } = {},
): Promise<FillResult> {
  const perPartition = opts.perPartition ?? 2000;
  const group = Math.min(partitions, opts.partitionsPerRequest ?? 8);
  const inFlight = opts.inFlight ?? 3;
  const byPartition: string[][] = Array.from({ length: partitions }, () => []);
  let bytes = 0;
  records.forEach((r, i) => {
    byPartition[i % partitions]!.push(r);
    bytes += Buffer.byteLength(r);
  });
  const tasks: { first: number; chunk: number }[] = [];
  const chunks = Math.ceil((byPartition[0]?.length ?? 0) / perPartition);
  for (let c = 0; c < chunks; c++) for (let p = 0; p < partitions; p += group) tasks.push({ first: p, chunk: c });
  const producer = await connectProducer(brokers);
  const t0 = performance.now();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < tasks.length) {
      const { first, chunk } = tasks[next++]!;
      const messages: Message[] = [];
      for (let p = first; p < Math.min(partitions, first + group); p++) {
        for (const value of byPartition[p]!.slice(chunk * perPartition, (chunk + 1) * perPartition)) messages.push({ value, partition: p });
      }
      if (messages.length > 0) await producer.sendBatch({ acks: 1, topicMessages: [{ topic, messages }] });
    }
  };
  try {
    await Promise.all(Array.from({ length: inFlight }, worker));
  } finally {
    await producer.disconnect();
  }
  return { records: records.length, bytes, elapsed_ms: Math.round(performance.now() - t0) };
}
