// The Apache Kafka versions the test bed runs (fetched by kafka-dist.ts), by the names tests
// and `npm run test-broker -- --kafka` use. compose.yaml runs the newest one the tests pass on
// (test/compose.test.ts checks it).
export const KAFKA_VERSIONS = { '4': '4.4.0', '3.9': '3.9.2' } as const;
export type KafkaLine = keyof typeof KAFKA_VERSIONS;
