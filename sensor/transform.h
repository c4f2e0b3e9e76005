/* SPDX-License-Identifier: Apache-2.0 */
/* A dependency's transform (§5.3): jq or a Lua script, compiled once from the manifest and
 * applied per event before the filters. As in Argo Events only one runs: jq when set, else the
 * script. Thread-safe (each compiled program guards its own state). */
#ifndef CE_SENSOR_TRANSFORM_H
#define CE_SENSOR_TRANSFORM_H

#include <stddef.h>

struct ce_transform;

/* jq and script may each be NULL or empty; with neither, *out is NULL and CE_OK (nothing to
 * do). A program that does not compile is CE_EPARSE with its message. Note that Argo Events
 * only reports a bad program when an event arrives; cevents reports it here. */
int ce_transform_create(const char *jq, const char *script, struct ce_transform **out, char *err,
                        size_t errlen);

/* Applies the transform to the event data (len bytes). On CE_OK *out is the new data (ce_free)
 * of *out_len bytes, or NULL when the data stays as it is (no data, or t NULL). Any error means
 * the event does not reach this dependency, with the reason in err. */
int ce_transform_apply(struct ce_transform *t, const char *data, size_t len, char **out,
                       size_t *out_len, char *err, size_t errlen);

void ce_transform_destroy(struct ce_transform *t);

#endif
