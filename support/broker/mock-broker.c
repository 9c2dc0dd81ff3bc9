/*
 * The Kafka test broker: librdkafka's mock cluster (rdkafka_mock.h, librdkafka >= 1.4) kept
 * alive in a small process and driven by one command per line on stdin, so node tests can
 * create topics and inject faults. Built by support/broker.ts with
 *   gcc -O2 -o test/support/build/mock-broker mock-broker.c -lrdkafka
 *
 * Usage: mock-broker [BROKER_COUNT]
 * On start it prints "bootstrap HOST:PORT[,HOST:PORT...]" on stdout. Then, per stdin line:
 *   topic NAME PARTITIONS           create a topic (the admin CreateTopics call fails on the mock)
 *   down BROKER_ID | up BROKER_ID   take a broker's listener down / up
 *   rtt BROKER_ID MS                add round-trip latency to a broker
 *   errors API_KEY ERR [ERR...]     the next requests of that API key fail with these codes
 *   leader TOPIC PARTITION BROKER   move a partition's leader
 *   quit                            exit
 * Every command answers exactly one line: "ok" or "err MESSAGE". EOF on stdin (the test
 * process died) ends the broker too, so no mock outlives its harness.
 */
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void reply(rd_kafka_resp_err_t err) {
  if (err) printf("err %s\n", rd_kafka_err2str(err));
  else printf("ok\n");
  fflush(stdout);
}

int main(int argc, char **argv) {
  int brokers = argc > 1 ? atoi(argv[1]) : 1;
  if (brokers < 1) brokers = 1;
  char errstr[512];
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  /* The handle only hosts the mock cluster's thread; it never connects anywhere. */
  rd_kafka_conf_set(conf, "log_level", "0", errstr, sizeof errstr);
  rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
  if (!rk) { fprintf(stderr, "mock-broker: rd_kafka_new: %s\n", errstr); return 1; }
  rd_kafka_mock_cluster_t *mc = rd_kafka_mock_cluster_new(rk, brokers);
  if (!mc) { fprintf(stderr, "mock-broker: rd_kafka_mock_cluster_new failed\n"); return 1; }
  printf("bootstrap %s\n", rd_kafka_mock_cluster_bootstraps(mc));
  fflush(stdout);

  char line[4096];
  while (fgets(line, sizeof line, stdin)) {
    char *save = NULL;
    char *cmd = strtok_r(line, " \t\r\n", &save);
    if (!cmd) continue;
    if (!strcmp(cmd, "quit")) break;
    if (!strcmp(cmd, "topic")) {
      char *name = strtok_r(NULL, " \t\r\n", &save);
      char *parts = strtok_r(NULL, " \t\r\n", &save);
      if (!name || !parts) { printf("err usage: topic NAME PARTITIONS\n"); fflush(stdout); continue; }
      reply(rd_kafka_mock_topic_create(mc, name, atoi(parts), 1));
    } else if (!strcmp(cmd, "down") || !strcmp(cmd, "up")) {
      char *id = strtok_r(NULL, " \t\r\n", &save);
      if (!id) { printf("err usage: %s BROKER_ID\n", cmd); fflush(stdout); continue; }
      reply(!strcmp(cmd, "down") ? rd_kafka_mock_broker_set_down(mc, atoi(id))
                                 : rd_kafka_mock_broker_set_up(mc, atoi(id)));
    } else if (!strcmp(cmd, "rtt")) {
      char *id = strtok_r(NULL, " \t\r\n", &save);
      char *ms = strtok_r(NULL, " \t\r\n", &save);
      if (!id || !ms) { printf("err usage: rtt BROKER_ID MS\n"); fflush(stdout); continue; }
      reply(rd_kafka_mock_broker_set_rtt(mc, atoi(id), atoi(ms)));
    } else if (!strcmp(cmd, "leader")) {
      char *topic = strtok_r(NULL, " \t\r\n", &save);
      char *part = strtok_r(NULL, " \t\r\n", &save);
      char *id = strtok_r(NULL, " \t\r\n", &save);
      if (!topic || !part || !id) { printf("err usage: leader TOPIC PARTITION BROKER_ID\n"); fflush(stdout); continue; }
      reply(rd_kafka_mock_partition_set_leader(mc, topic, atoi(part), atoi(id)));
    } else if (!strcmp(cmd, "errors")) {
      char *key = strtok_r(NULL, " \t\r\n", &save);
      rd_kafka_resp_err_t errs[256];
      size_t n = 0;
      char *tok;
      while (n < 256 && (tok = strtok_r(NULL, " \t\r\n", &save))) errs[n++] = (rd_kafka_resp_err_t)atoi(tok);
      if (!key || n == 0) { printf("err usage: errors API_KEY ERR [ERR...]\n"); fflush(stdout); continue; }
      rd_kafka_mock_push_request_errors_array(mc, (int16_t)atoi(key), n, errs);
      reply(RD_KAFKA_RESP_ERR_NO_ERROR);
    } else {
      printf("err unknown command %s\n", cmd);
      fflush(stdout);
    }
  }
  rd_kafka_mock_cluster_destroy(mc);
  rd_kafka_destroy(rk);
  return 0;
}
