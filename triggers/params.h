/* SPDX-License-Identifier: Apache-2.0 */
/* Trigger parameters (TriggerParameter), resolved and applied as Argo Events does, byte for
 * byte: a value comes from an event of the firing (the whole event, its data or context by
 * gjson key or Go template, or the literal `value` as the default) and is set at `dest` in a
 * JSON document by sjson, overwriting, appending or prepending. Trigger-level parameters edit
 * the trigger template, action-level ones the action block, `payload` builds a body from
 * nothing. Compiled once per trigger; resolving and applying are pure and thread-safe. */
#ifndef CE_TRIGGERS_PARAMS_H
#define CE_TRIGGERS_PARAMS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

struct ce_trigger_event;
struct ce_params;

#define CE_PARAMS_MAX 256 /* parameters in one list */

/* Compiles a JSON array of TriggerParameter (an empty or absent list gives an empty set).
 * where names the list in messages ("template.http.payload"). Templates are parsed here, so a
 * template that does not parse stops the Sensor at start. CE_EINVAL with the reason. */
int ce_params_compile(const json_t *list, const char *where, struct ce_params **out, char *err,
                      size_t errlen);
void ce_params_destroy(struct ce_params *ps);
int ce_params_count(const struct ce_params *ps);
/* Why parameter i's template is not used although the key or value can serve (it does not
 * parse; Argo falls back the same way at run time), for a warning; NULL when it is used. */
const char *ce_params_warning(const struct ce_params *ps, int i);

/* One resolved value. text NULL: skipped (its dependency did not take part in the firing and
 * it has no default). raw: the text is JSON of a non-string type (object, array, number,
 * bool, null) found by key, which useRawData inserts as is. */
struct ce_param_value {
    char *text;
    size_t len;
    bool raw;
};

/* Resolves parameter i of ps for the firing's events. CE_EINVAL with "unable to resolve
 * 'dep' parameter value ..." when nothing matched and there is no default. */
int ce_param_resolve(const struct ce_params *ps, int i, const struct ce_trigger_event *ev, int n,
                     struct ce_param_value *out, char *err, size_t errlen);
void ce_param_value_fini(struct ce_param_value *v);

/* Applies every parameter to *doc (a JSON document of *len bytes, replaced by the result, heap,
 * ce_free): the dest of each is set with sjson after append/prepend. */
int ce_params_apply(const struct ce_params *ps, const struct ce_trigger_event *ev, int n,
                    char **doc, size_t *len, char *err, size_t errlen);

/* Builds a payload from nothing (Argo's ConstructPayload): each parameter is set at its dest; a
 * parameter without dest makes its value the whole payload and ends the list. *out is the
 * payload (heap, possibly empty). */
int ce_params_payload(const struct ce_params *ps, const struct ce_trigger_event *ev, int n,
                      char **out, size_t *len, char *err, size_t errlen);

/* Resolves parameter i and returns only the text and its dest (dynamicHeaders: dest is the
 * header name). */
const char *ce_param_dest(const struct ce_params *ps, int i);

#endif
