/* SPDX-License-Identifier: Apache-2.0 */
/* Loading manifests: files and directories into a manifest set. Each YAML document is routed
 * by apiVersion/kind to its decoder; documents of other kinds are set aside as skipped so that
 * a directory holding ConfigMaps or RBAC next to the Argo objects still loads. */
#include "manifest/decode_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/base/file.h"
#include "core/base/mem.h"
#include "core/base/rc.h"

#define LOAD_API_VERSION "argoproj.io/v1alpha1"
#define LOAD_MAX_DIR_FILES 10000
#define LOAD_MAX_DIR_DEPTH 16 /* also ends a loop of directory links */

static const char *const load_top_known[] = {"apiVersion", "kind",   "metadata",
                                             "spec",       "status", NULL};
static const char *const load_meta_known[] = {"name",
                                              "namespace",
                                              "labels",
                                              "annotations",
                                              "generateName",
                                              "uid",
                                              "resourceVersion",
                                              "generation",
                                              "creationTimestamp",
                                              "deletionTimestamp",
                                              "deletionGracePeriodSeconds",
                                              "ownerReferences",
                                              "finalizers",
                                              "managedFields",
                                              "selfLink",
                                              NULL};
static const char *const load_kinds[] = {"EventSource", "Sensor", "EventBus", NULL};

/* What the per-document code needs besides the decode context. */
struct load_doc {
    const struct ce_node *root;
    const char *kind;
    char *name;
    char *namespace_;
    const struct ce_node *name_node;
};

static struct ce_manifest_set_priv *load_priv(struct ce_manifest_set *set)
{
    return (struct ce_manifest_set_priv *)set;
}

int ce_manifest_set_create(const struct ce_manifest_plugins *plugins, struct ce_manifest_set **out)
{
    struct ce_manifest_set_priv *p = ce_xcalloc(1, sizeof(*p));
    p->plugins = plugins;
    *out = &p->pub;
    return CE_OK;
}

void ce_manifest_set_record(struct ce_manifest_set *set, const struct ce_mdec_recorder *recorder)
{
    load_priv(set)->recorder = recorder;
}

void ce_manifest_set_destroy(struct ce_manifest_set *set)
{
    if (set == NULL) {
        return;
    }
    struct ce_manifest_set_priv *p = load_priv(set);
    for (int i = 0; i < set->n_eventsources; i++) {
        ce_manifest_eventsource_free(set->eventsources[i]);
    }
    for (int i = 0; i < set->n_sensors; i++) {
        ce_manifest_sensor_free(set->sensors[i]);
    }
    for (int i = 0; i < set->n_eventbuses; i++) {
        ce_manifest_eventbus_free(set->eventbuses[i]);
    }
    ce_free(set->eventsources);
    ce_free(set->sensors);
    ce_free(set->eventbuses);
    for (int i = 0; i < set->n_skipped; i++) {
        ce_free(set->skipped[i]);
    }
    ce_free(set->skipped);
    for (int i = 0; i < p->n_skips; i++) {
        ce_free(p->skips[i].what);
    }
    ce_free(p->skips);
    for (int i = 0; i < p->n_roots; i++) {
        ce_node_free(p->roots[i]);
    }
    ce_free(p->roots);
    for (int i = 0; i < p->n_files; i++) {
        ce_free(p->files[i]);
    }
    ce_free(p->files);
    ce_mdec_refs_fini(&p->refs);
    ce_free(p);
}

int ce_manifest_set_refs(const struct ce_manifest_set *set, enum ce_mdec_ref_kind kind,
                         const char *const **names)
{
    const struct ce_manifest_set_priv *p = (const struct ce_manifest_set_priv *)set;
    *names = (const char *const *)p->refs.names[kind];
    return p->refs.overflow ? -1 : p->refs.n[kind];
}

static const char *load_intern(struct ce_manifest_set_priv *p, const char *file)
{
    for (int i = 0; i < p->n_files; i++) {
        if (strcmp(p->files[i], file) == 0) {
            return p->files[i];
        }
    }
    p->files = ce_xrealloc(p->files, ((size_t)p->n_files + 1) * sizeof(*p->files));
    p->files[p->n_files] = ce_xstrdup(file);
    return p->files[p->n_files++];
}

static void load_skip(struct ce_manifest_set_priv *p, struct ce_mdec *c, const struct load_doc *d)
{
    const char *kind = d->kind ? d->kind : "(no kind)";
    const char *name = d->name ? d->name : "(unnamed)";
    struct ce_manifest_set *set = &p->pub;
    set->skipped = ce_xrealloc(set->skipped, ((size_t)set->n_skipped + 1) * sizeof(char *));
    set->skipped[set->n_skipped++] =
        ce_xasprintf("%s:%d:%d: %s %s", c->file, d->root->line, d->root->col, kind, name);
    p->skips = ce_xrealloc(p->skips, ((size_t)p->n_skips + 1) * sizeof(*p->skips));
    p->skips[p->n_skips].pos = ce_mdec_pos(c, d->root);
    p->skips[p->n_skips].what = ce_xasprintf("%s %s", kind, name);
    p->n_skips++;
}

/* metadata: name required (reported at the document), namespace optional. */
static void load_metadata(struct ce_mdec *c, struct load_doc *d)
{
    const struct ce_node *meta = ce_node_get(d->root, "metadata");
    size_t old = ce_mdec_push(c, "metadata");
    if (ce_mdec_map(c, meta)) {
        d->name = ce_mdec_str(c, meta, "name", false);
        d->name_node = ce_node_get(meta, "name");
        d->namespace_ = ce_mdec_str(c, meta, "namespace", false);
        ce_mdec_known(c, meta, load_meta_known);
    }
    if (d->name == NULL) {
        ce_mdec_err_key(c, d->root, "name", "required field is missing");
    }
    ce_mdec_pop(c, old);
}

static const char *load_find_dup(struct ce_manifest_set *set, const char *kind, const char *name)
{
    if (strcmp(kind, "EventSource") == 0) {
        for (int i = 0; i < set->n_eventsources; i++) {
            if (strcmp(set->eventsources[i]->name, name) == 0) {
                return set->eventsources[i]->pos.file;
            }
        }
    }
    else if (strcmp(kind, "Sensor") == 0) {
        for (int i = 0; i < set->n_sensors; i++) {
            if (strcmp(set->sensors[i]->name, name) == 0) {
                return set->sensors[i]->pos.file;
            }
        }
    }
    else {
        for (int i = 0; i < set->n_eventbuses; i++) {
            if (strcmp(set->eventbuses[i]->name, name) == 0) {
                return set->eventbuses[i]->pos.file;
            }
        }
    }
    return NULL;
}

/* Decodes one Argo object; adds it to the set when it brought no error. */
static void load_object(struct ce_manifest_set *set, struct ce_mdec *c, struct load_doc *d)
{
    int before = ce_diag_errors(c->diag);
    load_metadata(c, d);
    const char *dup_file = d->name ? load_find_dup(set, d->kind, d->name) : NULL;
    if (dup_file != NULL) {
        size_t old = ce_mdec_push(c, "metadata");
        ce_mdec_err_key(c, d->name_node, "name", "duplicate %s name \"%s\" (first in %s)", d->kind,
                        d->name, dup_file);
        ce_mdec_pop(c, old);
    }
    const struct ce_node *spec = ce_node_get(d->root, "spec");
    struct ce_pos pos = ce_mdec_pos(c, d->root);
    if (strcmp(d->kind, "EventSource") == 0) {
        struct ce_eventsource *es = ce_xcalloc(1, sizeof(*es));
        ce_manifest_decode_eventsource(c, spec, es);
        es->name = d->name;
        es->namespace_ = d->namespace_;
        es->pos = pos;
        if (ce_diag_errors(c->diag) != before) {
            ce_manifest_eventsource_free(es);
            return;
        }
        set->eventsources = ce_xrealloc(set->eventsources, ((size_t)set->n_eventsources + 1) *
                                                               sizeof(*set->eventsources));
        set->eventsources[set->n_eventsources++] = es;
    }
    else if (strcmp(d->kind, "Sensor") == 0) {
        struct ce_sensor *sn = ce_xcalloc(1, sizeof(*sn));
        ce_manifest_decode_sensor(c, spec, sn);
        sn->name = d->name;
        sn->namespace_ = d->namespace_;
        sn->pos = pos;
        if (ce_diag_errors(c->diag) != before) {
            ce_manifest_sensor_free(sn);
            return;
        }
        set->sensors =
            ce_xrealloc(set->sensors, ((size_t)set->n_sensors + 1) * sizeof(*set->sensors));
        set->sensors[set->n_sensors++] = sn;
    }
    else {
        struct ce_eventbus *eb = ce_xcalloc(1, sizeof(*eb));
        ce_manifest_decode_eventbus(c, spec, eb);
        eb->name = d->name;
        eb->pos = pos;
        ce_free(d->namespace_);
        if (ce_diag_errors(c->diag) != before) {
            ce_manifest_eventbus_free(eb);
            return;
        }
        set->eventbuses = ce_xrealloc(set->eventbuses,
                                      ((size_t)set->n_eventbuses + 1) * sizeof(*set->eventbuses));
        set->eventbuses[set->n_eventbuses++] = eb;
    }
}

static const char *load_kind(const char *kind)
{
    for (int i = 0; kind && load_kinds[i] != NULL; i++) {
        if (strcmp(kind, load_kinds[i]) == 0) {
            return load_kinds[i];
        }
    }
    return NULL;
}

/* An argoproj.io document of a kind close to ours is a typo, not something to skip. */
static bool load_kind_typo(struct ce_mdec *c, const struct ce_node *root, const char *kind)
{
    for (int i = 0; kind && load_kinds[i] != NULL; i++) {
        if (ce_mdec_distance(kind, load_kinds[i], 2) <= 2) {
            ce_mdec_err_key(c, ce_node_get(root, "kind"), "kind",
                            "unknown kind \"%s\"; did you mean \"%s\"?", kind, load_kinds[i]);
            return true;
        }
    }
    return false;
}

static void load_document(struct ce_manifest_set_priv *p, struct ce_mdec *c,
                          const struct ce_node *root)
{
    struct load_doc d;
    memset(&d, 0, sizeof(d));
    d.root = root;
    if (root->type != CE_NODE_MAP) {
        ce_mdec_err(c, root, "a manifest must be a map, got %s", ce_node_type_name(root));
        return;
    }
    struct ce_mdec quiet = *c; /* type errors of skipped documents are not ours to report */
    struct ce_diag scratch;
    ce_diag_init(&scratch);
    quiet.diag = &scratch;
    quiet.strict = false;
    char *api = ce_mdec_str(&quiet, root, "apiVersion", false);
    char *kind = ce_mdec_str(&quiet, root, "kind", false);
    const char *ours = load_kind(kind);
    bool argo = api != NULL && strcmp(api, LOAD_API_VERSION) == 0;
    if (ours != NULL && argo) {
        d.kind = ours;
        load_object(&p->pub, c, &d);
        ce_mdec_known(c, root, load_top_known);
    }
    else if (ours != NULL && api != NULL && strncmp(api, "argoproj.io/", 12) == 0) {
        ce_mdec_err_key(c, ce_node_get(root, "apiVersion"), "apiVersion",
                        "unsupported apiVersion \"%s\" (cevents reads %s)", api, LOAD_API_VERSION);
    }
    else if (!(argo && load_kind_typo(c, root, kind))) {
        d.kind = kind;
        const struct ce_node *meta = ce_node_get(root, "metadata");
        d.name = ce_mdec_str(&quiet, meta, "name", false);
        load_skip(p, c, &d);
        ce_free(d.name);
    }
    ce_diag_fini(&scratch);
    ce_free(api);
    ce_free(kind);
}

int ce_manifest_load_buf(struct ce_manifest_set *set, const char *buf, size_t len,
                         const char *filename, bool strict, struct ce_diag *diag)
{
    struct ce_manifest_set_priv *p = load_priv(set);
    struct ce_mdec c;
    memset(&c, 0, sizeof(c));
    c.file = load_intern(p, filename ? filename : "<input>");
    c.diag = diag;
    c.strict = strict;
    c.plugins = p->plugins;
    c.refs = &p->refs;
    c.recorder = p->recorder;
    if (len > CE_MANIFEST_MAX_FILE_BYTES) {
        struct ce_pos pos = {c.file, 0, 0};
        ce_diag_add(diag, CE_DIAG_ERROR, &pos, "", "file is larger than %d bytes",
                    CE_MANIFEST_MAX_FILE_BYTES);
        return CE_ETOOBIG;
    }
    struct ce_node_doc *docs = NULL;
    int n_docs = 0;
    int rc = ce_node_parse(buf, len, c.file, diag, &docs, &n_docs);
    if (rc != CE_OK) {
        return rc;
    }
    p->roots = ce_xrealloc(p->roots, ((size_t)p->n_roots + (size_t)n_docs + 1) * sizeof(*p->roots));
    for (int i = 0; i < n_docs; i++) {
        c.path[0] = '\0';
        c.path_len = 0;
        p->roots[p->n_roots++] = docs[i].root;
        load_document(p, &c, docs[i].root);
    }
    ce_free(docs);
    return CE_OK;
}

static int load_read_file(const char *path, char **out, size_t *out_len, struct ce_diag *diag)
{
    struct ce_pos pos = {path, 0, 0};
    int err = 0;
    int rc = ce_file_read(path, CE_MANIFEST_MAX_FILE_BYTES, out, out_len, &err);
    if (rc == CE_ETOOBIG) {
        ce_diag_add(diag, CE_DIAG_ERROR, &pos, "", "file is larger than %d bytes",
                    CE_MANIFEST_MAX_FILE_BYTES);
    }
    else if (rc != CE_OK) {
        ce_diag_add(diag, CE_DIAG_ERROR, &pos, "", "cannot read: %s", strerror(err));
    }
    return rc;
}

static int load_file(struct ce_manifest_set *set, const char *path, bool strict,
                     struct ce_diag *diag)
{
    char *buf = NULL;
    size_t len = 0;
    int rc = load_read_file(path, &buf, &len, diag);
    if (rc == CE_OK) {
        rc = ce_manifest_load_buf(set, buf, len, path, strict, diag);
        ce_free(buf);
    }
    return rc;
}

bool ce_manifest_is_file_name(const char *name)
{
    size_t n = strlen(name);
    if (name[0] == '.') {
        return false;
    }
    return (n > 5 && strcmp(name + n - 5, ".yaml") == 0) ||
           (n > 4 && strcmp(name + n - 4, ".yml") == 0) ||
           (n > 5 && strcmp(name + n - 5, ".json") == 0);
}

static int load_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The entries of path worth reading: manifest files and directories, not hidden, sorted. */
static char **load_dir_names(const char *path, int *n_out, struct ce_diag *diag)
{
    struct ce_pos pos = {path, 0, 0};
    DIR *dir = opendir(path);
    *n_out = -1;
    if (dir == NULL) {
        ce_diag_add(diag, CE_DIAG_ERROR, &pos, "", "cannot open directory: %s", strerror(errno));
        return NULL;
    }
    char **names = NULL;
    int n = 0;
    struct dirent *de;
    while ((de = readdir(dir)) != NULL && n < LOAD_MAX_DIR_FILES) {
        if (de->d_name[0] != '.') {
            names = ce_xrealloc(names, ((size_t)n + 1) * sizeof(*names));
            names[n++] = ce_xstrdup(de->d_name);
        }
    }
    closedir(dir);
    qsort(names, (size_t)n, sizeof(*names), load_cmp);
    *n_out = n;
    return names;
}

/* Every manifest under path, subdirectories included (as `kubectl apply -R`), in name order;
 * *n_files counts the files read. */
static int load_dir(struct ce_manifest_set *set, const char *path, bool strict, int depth,
                    int *n_files, struct ce_diag *diag)
{
    int n = 0;
    char **names = load_dir_names(path, &n, diag);
    if (n < 0) {
        return CE_EIO;
    }
    int rc = CE_OK;
    size_t plen = strlen(path);
    bool slash = plen > 0 && path[plen - 1] == '/';
    for (int i = 0; i < n; i++) {
        char *full = ce_xasprintf("%s%s%s", path, slash ? "" : "/", names[i]);
        struct stat st;
        int r = CE_OK;
        if (stat(full, &st) == 0 && S_ISREG(st.st_mode) && ce_manifest_is_file_name(names[i])) {
            r = load_file(set, full, strict, diag);
            (*n_files)++;
        }
        else if (stat(full, &st) == 0 && S_ISDIR(st.st_mode) && depth < LOAD_MAX_DIR_DEPTH) {
            r = load_dir(set, full, strict, depth + 1, n_files, diag);
        }
        rc = rc == CE_OK ? r : rc;
        ce_free(full);
        ce_free(names[i]);
    }
    ce_free(names);
    return rc;
}

int ce_manifest_load_path(struct ce_manifest_set *set, const char *path, bool strict,
                          struct ce_diag *diag)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        struct ce_pos pos = {path, 0, 0};
        ce_diag_add(diag, CE_DIAG_ERROR, &pos, "", "cannot open: %s", strerror(errno));
        return CE_ENOENT;
    }
    if (S_ISDIR(st.st_mode)) {
        int n_files = 0;
        int rc = load_dir(set, path, strict, 0, &n_files, diag);
        if (rc == CE_OK && n_files == 0) {
            struct ce_pos pos = {path, 0, 0};
            ce_diag_add(diag, CE_DIAG_WARNING, &pos, "", "no *.yaml, *.yml or *.json file here");
        }
        return rc;
    }
    return load_file(set, path, strict, diag);
}

int ce_manifest_note_skipped(const struct ce_manifest_set *set, int from, struct ce_diag *diag)
{
    const struct ce_manifest_set_priv *p = (const struct ce_manifest_set_priv *)set;
    for (int i = from; i < p->n_skips; i++) {
        ce_diag_add(diag, CE_DIAG_NOTE, &p->skips[i].pos, "",
                    "skipped %s: not an argoproj.io/v1alpha1 EventSource, Sensor or EventBus",
                    p->skips[i].what);
    }
    return p->n_skips;
}

int ce_manifest_set_files(const struct ce_manifest_set *set)
{
    return ((const struct ce_manifest_set_priv *)set)->n_files;
}
