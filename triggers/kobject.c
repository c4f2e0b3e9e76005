/* SPDX-License-Identifier: Apache-2.0 */
/* See kobject.h. The source is decoded with the controller's rule (exactly one location) and a
 * resource or inline object is parsed once at decode time, so a manifest mistake is found by
 * `cevents lint`; file, URL, config map, S3 object and git file are read at each firing, as Argo
 * does. */
#include "triggers/kobject.h"
#include "core/base/file.h"
#include "core/base/mem.h"
#include "core/service/secrets.h"
#include "manifest/diag.h"
#include "manifest/node.h"
#include "manifest/tojson.h"
#include "triggers/params.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const kobj_source_keys[] = {"resource",  "inline", "file", "url",
                                               "configmap", "git",    "s3",   NULL};

int ce_kobj_parse(const char *text, size_t len, const char *origin, json_t **out, char *err,
                  size_t errlen)
{
    *out = NULL;
    struct ce_diag diag;
    ce_diag_init(&diag);
    struct ce_node_doc *docs = NULL;
    int n = 0;
    int rc = ce_node_parse(text, len, origin, &diag, &docs, &n);
    ce_diag_fini(&diag);
    if (rc != CE_OK) {
        return ce_rc_fail(CE_EPARSE, err, errlen, "%s: not YAML or JSON", origin);
    }
    if (n != 1 || docs[0].root->type != CE_NODE_MAP) {
        ce_node_docs_free(docs, n);
        return ce_rc_fail(CE_EINVAL, err, errlen,
                          n == 1 ? "%s: expected an object (a map)"
                                 : "%s: expected one object, got %d documents",
                          origin, n);
    }
    *out = ce_node_to_json(docs[0].root);
    ce_node_docs_free(docs, n);
    return CE_OK;
}

static void kobj_decode_inline(struct ce_mdec *c, const struct ce_node *src,
                               struct ce_kobj_source *out)
{
    char *text = ce_mdec_str(c, src, "inline", true);
    out->node = ce_node_get(src, "inline");
    char err[256];
    if (text != NULL &&
        ce_kobj_parse(text, strlen(text), "inline", &out->object, err, sizeof err) != CE_OK) {
        ce_mdec_err_key(c, ce_node_get(src, "inline"), "inline", "%s", err);
    }
    ce_free(text);
}

static void kobj_decode_fetched(struct ce_mdec *c, const struct ce_node *src, const char *key,
                                struct ce_kobj_source *out)
{
    const struct ce_node *n = ce_node_get(src, key);
    size_t old = ce_mdec_push(c, key);
    if (ce_mdec_map(c, n)) {
        if (strcmp(key, "configmap") == 0) {
            out->cm_name = ce_mdec_str(c, n, "name", true);
            out->cm_key = ce_mdec_str(c, n, "key", true);
            ce_mdec_ref(c, CE_MDEC_REF_CONFIG_MAP, out->cm_name);
        }
        else {
            out->path = ce_mdec_str(c, n, "path", true);
            out->verify_cert = ce_mdec_bool(c, n, "verifyCert");
        }
    }
    ce_mdec_pop(c, old);
}

/* The location key given (the first; more than one is an error). */
static const char *kobj_location(struct ce_mdec *c, const struct ce_node *src)
{
    const char *found = NULL;
    for (int i = 0; kobj_source_keys[i] != NULL; i++) {
        const struct ce_node *v = ce_node_get(src, kobj_source_keys[i]);
        if (v == NULL || ce_node_is_null(v)) {
            continue;
        }
        if (found != NULL) {
            ce_mdec_err_key(c, v, kobj_source_keys[i],
                            "a source has exactly one location; \"%s\" is already given", found);
            continue;
        }
        found = kobj_source_keys[i];
    }
    return found;
}

static void kobj_decode_location(struct ce_mdec *c, const struct ce_node *src,
                                 struct ce_kobj_source *out)
{
    const char *key = kobj_location(c, src);
    if (key == NULL) {
        ce_mdec_err(c, src,
                    "a source needs one of resource, inline, file, url, configmap, s3 or git");
    }
    else if (strcmp(key, "resource") == 0) {
        out->from = CE_KOBJ_RESOURCE;
        out->node = ce_node_get(src, "resource");
        if (out->node->type != CE_NODE_MAP) {
            ce_mdec_err_key(c, out->node, "resource", "expected an object, got %s",
                            ce_node_type_name(out->node));
        }
        else {
            out->object = ce_node_to_json(out->node);
        }
    }
    else if (strcmp(key, "inline") == 0) {
        out->from = CE_KOBJ_INLINE;
        kobj_decode_inline(c, src, out);
    }
    else if (strcmp(key, "s3") == 0) {
        out->from = CE_KOBJ_S3;
        ce_kobj_s3_decode(c, ce_node_get(src, key), out);
    }
    else if (strcmp(key, "git") == 0) {
        out->from = CE_KOBJ_GIT;
        ce_kobj_git_decode(c, ce_node_get(src, key), out);
    }
    else {
        out->from = strcmp(key, "file") == 0  ? CE_KOBJ_FILE
                    : strcmp(key, "url") == 0 ? CE_KOBJ_URL
                                              : CE_KOBJ_CONFIGMAP;
        kobj_decode_fetched(c, src, key, out);
    }
}

void ce_kobj_source_decode(struct ce_mdec *c, const struct ce_node *block,
                           struct ce_kobj_source *out)
{
    memset(out, 0, sizeof(*out));
    const struct ce_node *src = ce_node_get(block, "source");
    if (src == NULL || ce_node_is_null(src)) {
        ce_mdec_err_missing(c, block, block, "source", "required field is missing");
        return;
    }
    size_t old = ce_mdec_push(c, "source");
    if (ce_mdec_map(c, src)) {
        kobj_decode_location(c, src, out);
        ce_mdec_known(c, src, kobj_source_keys);
    }
    ce_mdec_pop(c, old);
}

void ce_kobj_source_fini(struct ce_kobj_source *s)
{
    json_decref(s->object);
    ce_free(s->path);
    ce_free(s->cm_name);
    ce_free(s->cm_key);
    ce_kobj_s3_free(s->s3);
    ce_kobj_git_free(s->git);
    memset(s, 0, sizeof(*s));
}

void ce_kobj_source_describe(const struct ce_kobj_source *s, char *out, size_t outlen)
{
    switch (s->from) {
    case CE_KOBJ_FILE:
        snprintf(out, outlen, "source.file %s", s->path ? s->path : "");
        break;
    case CE_KOBJ_URL:
        snprintf(out, outlen, "source.url %s", s->path ? s->path : "");
        break;
    case CE_KOBJ_CONFIGMAP:
        snprintf(out, outlen, "source.configmap %s/%s", s->cm_name ? s->cm_name : "",
                 s->cm_key ? s->cm_key : "");
        break;
    case CE_KOBJ_S3:
        snprintf(out, outlen, "source.s3 %s/%s", s->s3->bucket ? s->s3->bucket : "",
                 s->s3->key ? s->s3->key : "");
        break;
    case CE_KOBJ_GIT:
        snprintf(out, outlen, "source.git %s %s", s->git->url ? s->git->url : "",
                 s->git->file_path ? s->git->file_path : "");
        break;
    case CE_KOBJ_INLINE:
        snprintf(out, outlen, "source.inline");
        break;
    default:
        snprintf(out, outlen, "source.resource");
        break;
    }
}

static int kobj_read_text(const struct ce_kobj_source *s, const char *config_dir,
                          const char *secrets_dir, char **text, size_t *len, char *err,
                          size_t errlen)
{
    if (s->from == CE_KOBJ_S3) {
        return ce_kobj_s3_read(s->s3, secrets_dir, text, len, err, errlen);
    }
    if (s->from == CE_KOBJ_GIT) {
        return ce_kobj_git_read(s->git, secrets_dir, text, len, err, errlen);
    }
    if (s->from == CE_KOBJ_FILE) {
        int sys_err = 0;
        int rc = ce_file_read(s->path, CE_KOBJ_MAX_BYTES, text, len, &sys_err);
        if (rc != CE_OK) {
            return ce_rc_fail(rc, err, errlen, "source.file %s: %s", s->path,
                              rc == CE_ETOOBIG ? "larger than 4 MiB" : strerror(sys_err));
        }
        return CE_OK;
    }
    if (s->from == CE_KOBJ_URL) {
        return ce_kobj_fetch_url(s->path, s->verify_cert, text, len, err, errlen);
    }
    int rc = ce_secret_read(config_dir ? config_dir : CE_CONFIG_DIR_DEFAULT, s->cm_name, s->cm_key,
                            text, len);
    if (rc != CE_OK) {
        return ce_rc_fail(rc, err, errlen, "source.configmap %s key %s: %s", s->cm_name, s->cm_key,
                          rc == CE_ENOENT ? "not found" : ce_rc_str(rc));
    }
    return CE_OK;
}

int ce_kobj_source_load(const struct ce_kobj_source *s, const char *config_dir,
                        const char *secrets_dir, json_t **out, char *err, size_t errlen)
{
    if (secrets_dir == NULL) {
        secrets_dir = getenv("CEVENTS_SECRETS_DIR");
    }
    if (secrets_dir == NULL || secrets_dir[0] == '\0') {
        secrets_dir = CE_SECRETS_DIR_DEFAULT;
    }
    *out = NULL;
    if (s->from == CE_KOBJ_RESOURCE || s->from == CE_KOBJ_INLINE) {
        if (s->object == NULL) {
            return ce_rc_fail(CE_EINVAL, err, errlen, "the trigger has no object");
        }
        *out = json_deep_copy(s->object);
        return CE_OK;
    }
    char *text = NULL;
    size_t len = 0;
    int rc = kobj_read_text(s, config_dir, secrets_dir, &text, &len, err, errlen);
    if (rc == CE_OK) {
        char where[300];
        ce_kobj_source_describe(s, where, sizeof where);
        rc = ce_kobj_parse(text, len, where, out, err, errlen);
    }
    ce_free(text);
    return rc;
}

int ce_kobj_apply_params(const struct ce_params *ps, const struct ce_trigger_event *ev, int n,
                         json_t **obj, char *err, size_t errlen)
{
    if (ce_params_count(ps) == 0) {
        return CE_OK;
    }
    char *text = json_dumps(*obj, JSON_COMPACT);
    char *doc = ce_xstrdup(text);
    size_t len = strlen(text);
    free(text);
    int rc = ce_params_apply(ps, ev, n, &doc, &len, err, errlen);
    if (rc == CE_OK) {
        json_error_t jerr;
        json_t *j = json_loadb(doc, len, 0, &jerr);
        if (!json_is_object(j)) {
            json_decref(j);
            rc = ce_rc_fail(CE_EINVAL, err, errlen, "the parameters left no object");
        }
        else {
            json_decref(*obj);
            *obj = j;
        }
    }
    ce_free(doc);
    return rc;
}

static json_t *kobj_metadata(json_t *obj)
{
    json_t *m = json_object_get(obj, "metadata");
    if (!json_is_object(m)) {
        m = json_object();
        json_object_set_new(obj, "metadata", m);
    }
    return m;
}

const char *ce_kobj_meta(const json_t *obj, const char *key)
{
    const json_t *v = json_object_get(json_object_get(obj, "metadata"), key);
    return json_is_string(v) && json_string_length(v) > 0 ? json_string_value(v) : NULL;
}

void ce_kobj_set_meta(json_t *obj, const char *key, const char *value)
{
    json_object_set_new(kobj_metadata(obj), key, json_string(value));
}

void ce_kobj_set_meta_map(json_t *obj, const char *field, const char *key, const char *value)
{
    json_t *m = kobj_metadata(obj);
    json_t *map = json_object_get(m, field);
    if (!json_is_object(map)) {
        map = json_object();
        json_object_set_new(m, field, map);
    }
    json_object_set_new(map, key, json_string(value));
}

void ce_kobj_add_labels(json_t *obj, const char *sensor, const char *trigger, int64_t now_ms)
{
    char ts[32];
    snprintf(ts, sizeof ts, "%lld", (long long)now_ms);
    ce_kobj_set_meta_map(obj, "labels", "events.argoproj.io/sensor", sensor ? sensor : "");
    ce_kobj_set_meta_map(obj, "labels", "events.argoproj.io/trigger", trigger ? trigger : "");
    ce_kobj_set_meta_map(obj, "labels", "events.argoproj.io/action-timestamp", ts);
}
