/* SPDX-License-Identifier: Apache-2.0 */
/* An event's `filter.expression` (every source type that has one): an expr-lang expression over
 * the event data, evaluated before publishing. The data must be a JSON object; its top-level
 * keys have '-' turned into '_' and dotted keys become nested objects, as Argo Events does.
 * Besides the language's builtins, `jsonpath(jsonString, path)` (a JSONPath query on the decoded
 * string, core/jsonpath), `sprig.<name>(...)` (the sprig functions of core/sprig, without env and
 * expandenv), `toJson(v)`, `asInt(v)` and `asFloat(v)` are available. Compiled once; evaluation
 * is thread-safe. */
#ifndef CE_EVENTSOURCE_FILTER_H
#define CE_EVENTSOURCE_FILTER_H

#include <stdbool.h>
#include <stddef.h>

struct ce_es_filter;

/* CE_EINVAL with the parser's message (line:col in the expression) in err. */
int ce_es_filter_compile(const char *expression, struct ce_es_filter **out, char *err,
                         size_t errlen);
/* *pass tells whether the event goes on. CE_EINVAL when the data is not a JSON object or the
 * expression fails or does not give a bool (the event is then dropped too, as in Argo). */
int ce_es_filter_eval(const struct ce_es_filter *f, const char *data, size_t len, bool *pass,
                      char *err, size_t errlen);
const char *ce_es_filter_source(const struct ce_es_filter *f);
void ce_es_filter_destroy(struct ce_es_filter *f);

#endif
