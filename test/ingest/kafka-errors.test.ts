// What a Kafka error means for faultline's retries and restarts (ingest/kafka-errors.ts), on the
// errors kafkajs itself builds from Kafka's protocol error codes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import kafkajs from 'kafkajs';
import { classifyCommitError, classifyConsumerCrash, generationEnded } from '../../ingest/kafka-errors.ts';

// kafkajs spreads its error classes into its CommonJS exports, which Node cannot name statically.
const { KafkaJSNonRetriableError, KafkaJSNumberOfRetriesExceeded, KafkaJSProtocolError } = kafkajs;

/** The error kafkajs raises for a broker's answer with Kafka error `type` (kafkajs src/protocol/error.js). */
const protocolError = (type: string, code: number) =>
  // kafkajs builds it from its table of protocol errors ({ type, code, retriable, message }); its typings say Error.
  new KafkaJSProtocolError(Object.assign(new Error(type), { type, code, retriable: false }));

test('a commit refused because the generation ended is not retried; other commit errors are', () => {
  for (const type of ['REBALANCE_IN_PROGRESS', 'ILLEGAL_GENERATION', 'UNKNOWN_MEMBER_ID']) {
    assert.equal(generationEnded(protocolError(type, 1)), true, type);
    assert.equal(classifyCommitError(protocolError(type, 1)), 'stop', type);
  }
  assert.equal(classifyCommitError(protocolError('REQUEST_TIMED_OUT', 7)), 'retry');
  assert.equal(classifyCommitError(new Error('socket hang up')), 'retry');
});

test('a consumer kafkajs will not restart: restarted after a broker protocol error, the run ends on what no restart heals', () => {
  assert.equal(classifyConsumerCrash(protocolError('INVALID_REQUEST', 42)), 'restart');
  assert.equal(classifyConsumerCrash(protocolError('UNKNOWN_SERVER_ERROR', -1)), 'restart');
  // Wrapped by kafkajs's retrier: the cause decides.
  const wrapped = new KafkaJSNumberOfRetriesExceeded(protocolError('INVALID_REQUEST', 42), { retryCount: 5, retryTime: 100 });
  assert.equal(classifyConsumerCrash(wrapped), 'restart');
  for (const [type, code] of [
    ['GROUP_AUTHORIZATION_FAILED', 30],
    ['TOPIC_AUTHORIZATION_FAILED', 29],
    ['SASL_AUTHENTICATION_FAILED', 58],
    ['INVALID_SESSION_TIMEOUT', 26],
  ] as const) {
    assert.equal(classifyConsumerCrash(protocolError(type, code)), 'fatal', type);
  }
  // Not a broker's answer (a misuse, a bug): never restarted blindly.
  assert.equal(classifyConsumerCrash(new KafkaJSNonRetriableError('Cannot subscribe to topic while consumer is running')), 'fatal');
  assert.equal(classifyConsumerCrash(new TypeError('x is undefined')), 'fatal');
});
