/* SPDX-License-Identifier: Apache-2.0 */
/* An object as YAML, for `cevents explain` (what kubectl shows), written by libyaml's emitter.
 * A string that would read back as another type (true, 10, null, "") is quoted. */
#include "core/base/buf.h"
#include "core/base/mem.h"
#include "triggers/kobject.h"

#include <stdio.h>
#include <string.h>
#include <yaml.h>

#define KOBJ_YAML_MAX (4 * 1024 * 1024)
#define KOBJ_YAML_DEPTH 64

static int kobj_yaml_write(void *ud, unsigned char *p, size_t n)
{
    return ce_buf_append(ud, p, n) == CE_OK;
}

/* Whether a plain scalar s would be read as something other than a string. */
static bool kobj_yaml_ambiguous(const char *s)
{
    static const char *const words[] = {"true", "false", "yes",   "no",   "on", "off", "null",
                                        "~",    "True",  "False", "Yes",  "No", "On",  "Off",
                                        "Null", "TRUE",  "FALSE", "NULL", NULL};
    if (*s == '\0') {
        return true;
    }
    for (int i = 0; words[i] != NULL; i++) {
        if (strcmp(s, words[i]) == 0) {
            return true;
        }
    }
    char *end = NULL;
    (void)strtod(s, &end);
    return end != s && *end == '\0';
}

static bool kobj_yaml_scalar(yaml_emitter_t *em, const char *text, bool is_string)
{
    yaml_event_t ev;
    yaml_scalar_style_t style = is_string && kobj_yaml_ambiguous(text)
                                    ? YAML_DOUBLE_QUOTED_SCALAR_STYLE
                                    : YAML_ANY_SCALAR_STYLE;
    yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)text, (int)strlen(text), 1, 1,
                                 style);
    return yaml_emitter_emit(em, &ev) != 0;
}

static bool kobj_yaml_node(yaml_emitter_t *em, const json_t *j, int depth)
{
    yaml_event_t ev;
    char num[64];
    if (depth > KOBJ_YAML_DEPTH) {
        return kobj_yaml_scalar(em, "...", false);
    }
    if (json_is_object(j)) {
        yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_MAPPING_STYLE);
        bool ok = yaml_emitter_emit(em, &ev) != 0;
        const char *k;
        json_t *v;
        json_object_foreach((json_t *)j, k, v)
        {
            ok = ok && kobj_yaml_scalar(em, k, true) && kobj_yaml_node(em, v, depth + 1);
        }
        yaml_mapping_end_event_initialize(&ev);
        return ok && yaml_emitter_emit(em, &ev) != 0;
    }
    if (json_is_array(j)) {
        yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_SEQUENCE_STYLE);
        bool ok = yaml_emitter_emit(em, &ev) != 0;
        size_t i;
        json_t *v;
        json_array_foreach(j, i, v)
        {
            ok = ok && kobj_yaml_node(em, v, depth + 1);
        }
        yaml_sequence_end_event_initialize(&ev);
        return ok && yaml_emitter_emit(em, &ev) != 0;
    }
    if (json_is_string(j)) {
        return kobj_yaml_scalar(em, json_string_value(j), true);
    }
    if (json_is_integer(j)) {
        snprintf(num, sizeof num, "%lld", (long long)json_integer_value(j));
    }
    else if (json_is_real(j)) {
        snprintf(num, sizeof num, "%.17g", json_real_value(j));
    }
    else {
        snprintf(num, sizeof num, "%s",
                 json_is_true(j)    ? "true"
                 : json_is_false(j) ? "false"
                                    : "null");
    }
    return kobj_yaml_scalar(em, num, false);
}

char *ce_kobj_to_yaml(const json_t *obj)
{
    struct ce_buf out;
    ce_buf_init(&out, KOBJ_YAML_MAX);
    yaml_emitter_t em;
    yaml_event_t ev;
    yaml_emitter_initialize(&em);
    yaml_emitter_set_output(&em, kobj_yaml_write, &out);
    yaml_emitter_set_unicode(&em, 1);
    yaml_emitter_set_width(&em, -1);
    yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING);
    bool ok = yaml_emitter_emit(&em, &ev) != 0;
    yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1);
    ok = ok && yaml_emitter_emit(&em, &ev) != 0 && kobj_yaml_node(&em, obj, 0);
    yaml_document_end_event_initialize(&ev, 1);
    ok = ok && yaml_emitter_emit(&em, &ev) != 0;
    yaml_stream_end_event_initialize(&ev);
    ok = ok && yaml_emitter_emit(&em, &ev) != 0;
    yaml_emitter_delete(&em);
    size_t len = 0;
    char *text = ce_buf_steal(&out, &len);
    ce_buf_fini(&out);
    if (!ok || text == NULL) {
        ce_free(text);
        return ce_xstrdup("(the object could not be shown as YAML)\n");
    }
    return text;
}

void ce_kobj_describe_object(const json_t *obj, const char *indent, struct ce_buf *out)
{
    char *text = ce_kobj_to_yaml(obj);
    int w = 0;
    for (char *line = text, *nl = NULL; line != NULL && *line != '\0'; line = nl ? nl + 1 : NULL) {
        nl = strchr(line, '\n');
        w |= ce_buf_printf(out, "%s  %.*s\n", indent, nl ? (int)(nl - line) : (int)strlen(line),
                           line);
    }
    (void)w; /* an explanation cut short by the cap is still printed */
    ce_free(text);
}
