/* SPDX-License-Identifier: Apache-2.0 */
/* jq programs of a Sensor's dependencies (transform.jq): compiled once with libjq, run per
 * event on the event data. The first output must be an object; it is written as Argo's Go code
 * marshals it (keys sorted, numbers as float64, '<' '>' '&' escaped), so the new data is byte
 * for byte Argo's for the same values. libjq's state is not thread-safe: a handle holds a mutex
 * so one run at a time uses it. libjq offers no step or memory budget, so a jq program that
 * never ends is not stopped (the program comes from the manifest, not the event). As in Argo
 * Events, env and $ENV are empty; input fails and inputs is empty. */
#ifndef CE_CORE_JQ_H
#define CE_CORE_JQ_H

#include <stddef.h>

/* Longest jq program accepted. */
#define CE_JQ_MAX_PROGRAM (64u * 1024u)

struct ce_jq;

/* Compiles program. Module imports are disabled (no library path). CE_OK, or CE_EPARSE
 * (compile error, message from the compiler) / CE_ETOOBIG. */
int ce_jq_compile(const char *program, struct ce_jq **out, char *err, size_t errlen);

/* Runs the program on json (len bytes, read as ce_gojson_parse_object does; NULL means no
 * data: CE_OK with *out NULL, the event is left as it is). The first output must be an object,
 * written into a fresh *out (ce_free) of *out_len bytes. Errors with a message: CE_EPARSE (bad
 * input), CE_EINVAL (no output, an output that is not an object, a runtime error, NaN or
 * infinity in the output), CE_ETOOBIG (input or output over the caps). */
int ce_jq_run_object(struct ce_jq *jq, const char *json, size_t len, char **out, size_t *out_len,
                     char *err, size_t errlen);

void ce_jq_destroy(struct ce_jq *jq);

#endif
