/* SPDX-License-Identifier: Apache-2.0 */
/* The pure part of the sqs source: an SQS message (as the JSON protocol's ReceiveMessage returns
 * it) turned into the event data Argo Events publishes:
 * {"messageId":..,"messageAttributes":{..}|null,"body":..,"metadata":{..}}. No I/O. */
#ifndef CE_EVENTSOURCE_SQS_DATA_H
#define CE_EVENTSOURCE_SQS_DATA_H

#include "core/base/buf.h"
#include "core/base/rc.h"

#include <jansson.h>
#include <stdbool.h>

struct ce_kv;

/* Appends the data of msg (one element of ReceiveMessage's "Messages"). body: the message's
 * bytes as JSON when json_body (CE_EPARSE when they are not), else base64 as Go writes a
 * []byte. Each message attribute is written as Go writes the SDK's MessageAttributeValue (its
 * five fields, absent ones null). "metadata" only when n_meta > 0. CE_OK, CE_EPARSE (the
 * message cannot be written: a bad body or attribute) or CE_ETOOBIG (out's cap). */
int ce_sqs_data_build(const json_t *msg, bool json_body, const struct ce_kv *meta, int n_meta,
                      struct ce_buf *out) CE_MUST_CHECK;

#endif
