/* SPDX-License-Identifier: Apache-2.0 */
/* The ceilings kafka-ingest.sh measures the Kafka EventSource against: a bare librdkafka
 * consumer in a group that reads a topic from the beginning and does nothing with the messages,
 * or (with a NATS URL) publishes each value to JetStream asynchronously with a message id and
 * waits for every ack at the end (a bridge with no event data, no commit-after-ack and no
 * logging). Prints the messages/s from the first message to the nth read (or acknowledged);
 * the group's join is not counted.
 *
 * usage: ce_kafka_bare_consumer BOOTSTRAP TOPIC GROUP N [NATS_URL] */
#include <librdkafka/rdkafka.h>
#include <nats/nats.h>

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static rd_kafka_t *consumer(const char *bootstrap, const char *group)
{
    char err[256];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    const char *kv[][2] = {{"bootstrap.servers", bootstrap},
                           {"group.id", group},
                           {"auto.offset.reset", "earliest"},
                           {"enable.auto.commit", "true"}};
    for (size_t i = 0; i < sizeof(kv) / sizeof(kv[0]); i++) {
        if (rd_kafka_conf_set(conf, kv[i][0], kv[i][1], err, sizeof(err)) != RD_KAFKA_CONF_OK) {
            fprintf(stderr, "%s\n", err);
            exit(1);
        }
    }
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof(err));
    if (rk == NULL) {
        fprintf(stderr, "%s\n", err);
        exit(1);
    }
    rd_kafka_poll_set_consumer(rk);
    return rk;
}

/* Publishes the value to JetStream with the partition and offset as its message id. */
static void publish(jsCtx *js, const rd_kafka_message_t *m)
{
    char id[64];
    snprintf(id, sizeof(id), "%d:%lld", (int)m->partition, (long long)m->offset);
    natsMsg *msg = NULL;
    if (natsMsg_Create(&msg, "default.bare.bench", NULL, m->payload, (int)m->len) != NATS_OK) {
        exit(1);
    }
    natsMsgHeader_Set(msg, "Nats-Msg-Id", id);
    if (js_PublishMsgAsync(js, &msg, NULL) != NATS_OK) {
        fprintf(stderr, "publish failed\n");
        exit(1);
    }
}

int main(int argc, char **argv)
{
    if (argc != 5 && argc != 6) {
        fprintf(stderr, "usage: ce_kafka_bare_consumer BOOTSTRAP TOPIC GROUP N [NATS_URL]\n");
        return 2;
    }
    natsConnection *nc = NULL;
    jsCtx *js = NULL;
    if (argc == 6 && (natsConnection_ConnectTo(&nc, argv[5]) != NATS_OK ||
                      natsConnection_JetStream(&js, nc, NULL) != NATS_OK)) {
        fprintf(stderr, "cannot connect to %s\n", argv[5]);
        return 1;
    }
    long n = strtol(argv[4], NULL, 10);
    rd_kafka_t *rk = consumer(argv[1], argv[3]);
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(l, argv[2], RD_KAFKA_PARTITION_UA);
    rd_kafka_subscribe(rk, l);
    rd_kafka_topic_partition_list_destroy(l);
    long got = 0;
    double first = 0, last = 0, deadline = now_s() + 120;
    while (got < n && now_s() < deadline) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 100);
        if (m == NULL) {
            continue;
        }
        if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
            last = now_s();
            first = got++ == 0 ? last : first;
            if (js != NULL) {
                publish(js, m);
            }
        }
        rd_kafka_message_destroy(m);
    }
    if (js != NULL) {
        jsPubOptions po;
        jsPubOptions_Init(&po);
        po.MaxWait = 60000;
        if (js_PublishAsyncComplete(js, &po) != NATS_OK) {
            fprintf(stderr, "not every publish was acknowledged\n");
            got = -1;
        }
        last = now_s();
        jsCtx_Destroy(js);
        natsConnection_Destroy(nc);
    }
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
    double secs = last - first;
    printf("messages %ld seconds %.3f rate %.0f\n", got, secs, secs > 0 ? (got - 1) / secs : 0);
    return got == n ? 0 : 1;
}
