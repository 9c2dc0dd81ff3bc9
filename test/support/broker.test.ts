// The test broker itself: it starts, serves kafkajs produce/fetch/consumer groups over
// loopback, and its fault controls take effect.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Kafka, logLevel } from 'kafkajs';
import { ApiKey, KafkaErr, startBroker } from '../../support/broker.ts';

test('mock broker serves produce and a consumer group to kafkajs', async (t) => {
  const broker = await startBroker({ brokers: 3 });
  t.after(() => broker.stop());
  assert.equal(broker.brokers.length, 3);
  await broker.createTopic('t-basic', 4);
  const kafka = new Kafka({ brokers: broker.brokers, clientId: 'broker-test', logLevel: logLevel.NOTHING });
  const producer = kafka.producer();
  await producer.connect();
  const messages = Array.from({ length: 100 }, (_, i) => ({ key: String(i), value: `m${i}` }));
  await producer.send({ topic: 't-basic', messages });
  await producer.disconnect();

  // The mock's group coordinator waits 3 s for the first join and session_timeout - 1 s on
  // later rebalances, so tests keep the session timeout short.
  const consumer = kafka.consumer({ groupId: 'g-basic', sessionTimeout: 6000, heartbeatInterval: 500 });
  await consumer.connect();
  await consumer.subscribe({ topic: 't-basic', fromBeginning: true });
  const seen = new Set<string>();
  await new Promise<void>((resolve) => {
    void consumer.run({
      eachMessage: async ({ message }) => {
        seen.add(message.value!.toString());
        if (seen.size === 100) resolve();
      },
    });
  });
  await consumer.disconnect();
  assert.equal(seen.size, 100);
});

test('unknown commands and bad topics are reported, injected errors are accepted', async (t) => {
  const broker = await startBroker();
  t.after(() => broker.stop());
  await broker.createTopic('t-err', 1);
  await assert.rejects(broker.createTopic('t-err', 1), /mock broker: topic t-err 1: err .*already exists/);
  await broker.pushRequestErrors(ApiKey.Produce, [KafkaErr.NOT_LEADER_FOR_PARTITION]);
  const kafka = new Kafka({
    brokers: broker.brokers,
    clientId: 'broker-test',
    logLevel: logLevel.NOTHING,
    retry: { retries: 5, initialRetryTime: 50 },
  });
  const producer = kafka.producer();
  await producer.connect();
  // The first Produce fails with a retriable error; kafkajs retries and succeeds.
  const res = await producer.send({ topic: 't-err', messages: [{ value: 'x' }] });
  assert.equal(res[0]?.errorCode, 0);
  await producer.disconnect();
});

test('a broker taken down refuses connections until brought up', async (t) => {
  const broker = await startBroker({ brokers: 1 });
  t.after(() => broker.stop());
  await broker.createTopic('t-down', 1);
  await broker.brokerDown(1);
  const kafka = new Kafka({
    brokers: broker.brokers,
    clientId: 'broker-test',
    logLevel: logLevel.NOTHING,
    retry: { retries: 0 },
    connectionTimeout: 300,
  });
  const producer = kafka.producer();
  await assert.rejects(producer.connect());
  await broker.brokerUp(1);
  const again = new Kafka({ brokers: broker.brokers, clientId: 'broker-test', logLevel: logLevel.NOTHING });
  const p2 = again.producer();
  await p2.connect();
  await p2.send({ topic: 't-down', messages: [{ value: 'y' }] });
  await p2.disconnect();
});
