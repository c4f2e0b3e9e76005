/* SPDX-License-Identifier: Apache-2.0 */
/* cevents-crdgen: writes the CustomResourceDefinitions of EventSource, Sensor and EventBus for
 * deploy/, their OpenAPI schemas taken from the manifest decoders themselves. It loads a corpus
 * of manifests (the examples, the tests' data and samples/ here) with a recorder on the decode
 * context, so each schema says what the decoders read and nothing they do not: when a decoder
 * learns a field, `make deploy` puts it in the CRD and the drift test fails until it is done.
 *
 * usage: cevents-crdgen -o DIR PATH...   writes DIR/argoproj.io_<plural>.yaml */
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/base/mem.h"
#include "eventsource/source.h"
#include "manifest/diag.h"
#include "manifest/model.h"
#include "manifest/plugin.h"
#include "tools/crdgen/record.h"
#include "tools/crdgen/schema.h"
#include "triggers/trigger.h"

#define GEN_MAX_FILES 10000
#define GEN_MAX_DEPTH 8

/* One kind's CRD: its names as Argo Events' CRDs give them, and the printer columns. */
struct gen_kind {
    const char *kind;
    const char *plural;
    const char *singular;
    const char *short_name;
    const char *columns; /* additionalPrinterColumns items, indented for their place */
    struct sch *spec;
};

#define GEN_COL(name, type, path)                                                                  \
    "    - name: " name "\n      type: " type "\n      jsonPath: '" path "'\n"
#define GEN_COND(name, cond)                                                                       \
    GEN_COL(name, "string", ".status.conditions[?(@.type==\"" cond "\")].status")
#define GEN_AGE GEN_COL("Age", "date", ".metadata.creationTimestamp")

static struct gen_kind gen_kinds[] = {
    {"EventSource", "eventsources", "eventsource", "es",
     GEN_COND("Sources", "SourcesProvided") GEN_COND("Deployed", "Deployed") GEN_AGE, NULL},
    {"Sensor", "sensors", "sensor", "sn",
     GEN_COND("Dependencies", "DependenciesProvided") GEN_COND("Triggers", "TriggersProvided")
         GEN_COND("Deployed", "Deployed") GEN_AGE,
     NULL},
    {"EventBus", "eventbus", "eventbus", "eb",
     GEN_COL("JetStream", "string", ".spec.jetstream.version") GEN_COL(
         "URL", "string", ".status.config.jetstream.url") GEN_COND("Deployed", "Deployed") GEN_AGE,
     NULL},
};
#define GEN_N_KINDS ((int)(sizeof(gen_kinds) / sizeof(gen_kinds[0])))

static const struct ce_manifest_plugins gen_plugins = {
    .source = ce_source_decoder,
    .trigger = ce_trigger_decoder,
};

/* Loads one corpus file and merges the spec of every valid object into its kind's schema. An
 * object with an error is left out (it was written to be refused), and so is a file that is no
 * YAML as it stands (a test's template with placeholders). */
static void gen_load(const char *path, struct rec_store *rec)
{
    struct ce_manifest_set *set = NULL;
    struct ce_diag diag;
    ce_diag_init(&diag);
    int rc = ce_manifest_set_create(&gen_plugins, &set);
    if (rc == CE_OK) {
        ce_manifest_set_record(set, &rec->recorder);
        rc = ce_manifest_load_path(set, path, false, &diag);
    }
    if (rc == CE_OK) {
        rec_seal(rec);
        for (int i = 0; i < set->n_eventsources; i++) {
            sch_merge(gen_kinds[0].spec, set->eventsources[i]->spec, rec);
        }
        for (int i = 0; i < set->n_sensors; i++) {
            sch_merge(gen_kinds[1].spec, set->sensors[i]->spec, rec);
        }
        for (int i = 0; i < set->n_eventbuses; i++) {
            sch_merge(gen_kinds[2].spec, set->eventbuses[i]->spec, rec);
        }
    }
    ce_manifest_set_destroy(set);
    rec_clear(rec);
    ce_diag_fini(&diag);
}

static bool gen_is_manifest(const char *name)
{
    size_t n = strlen(name);
    return name[0] != '.' && ((n > 5 && strcmp(name + n - 5, ".yaml") == 0) ||
                              (n > 4 && strcmp(name + n - 4, ".yml") == 0));
}

static int gen_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A file, or every manifest file under a directory, each in a set of its own (files of one
 * directory may reuse a name), in name order so the output never depends on the disk. */
static int gen_load_path(const char *path, struct rec_store *rec, int depth)
{
    DIR *d = opendir(path);
    if (d == NULL) {
        if (errno != ENOTDIR) {
            fprintf(stderr, "cevents-crdgen: %s: %s\n", path, strerror(errno));
            return 1;
        }
        gen_load(path, rec);
        return 0;
    }
    char **names = NULL;
    size_t n = 0;
    for (struct dirent *e = readdir(d); e != NULL && n < GEN_MAX_FILES; e = readdir(d)) {
        if (e->d_name[0] != '.') {
            names = ce_xrealloc(names, (n + 1) * sizeof(*names));
            names[n++] = ce_xstrdup(e->d_name);
        }
    }
    closedir(d);
    qsort(names, n, sizeof(*names), gen_cmp);
    int bad = 0;
    for (size_t i = 0; i < n; i++) {
        char *sub = ce_xasprintf("%s/%s", path, names[i]);
        struct stat st;
        if (stat(sub, &st) == 0 && S_ISDIR(st.st_mode) && depth < GEN_MAX_DEPTH) {
            bad |= gen_load_path(sub, rec, depth + 1);
        }
        else if (S_ISREG(st.st_mode) && gen_is_manifest(names[i])) {
            gen_load(sub, rec);
        }
        ce_free(sub);
        ce_free(names[i]);
    }
    ce_free(names);
    return bad;
}

static void gen_header(const struct gen_kind *k, FILE *out)
{
    fprintf(
        out,
        "# Generated by tools/crdgen (`make deploy`) from what cevents' manifest decoders read;\n"
        "# do not edit: a test fails when this file and the decoders disagree.\n"
        "apiVersion: apiextensions.k8s.io/v1\n"
        "kind: CustomResourceDefinition\n"
        "metadata:\n"
        "  name: %s.argoproj.io\n"
        "spec:\n"
        "  group: argoproj.io\n"
        "  names:\n"
        "    kind: %s\n"
        "    listKind: %sList\n"
        "    plural: %s\n"
        "    singular: %s\n"
        "    shortNames:\n"
        "    - %s\n"
        "  scope: Namespaced\n"
        "  versions:\n"
        "  - name: v1alpha1\n"
        "    served: true\n"
        "    storage: true\n"
        "    subresources:\n"
        "      status: {}\n"
        "    additionalPrinterColumns:\n"
        "%s",
        k->plural, k->kind, k->kind, k->plural, k->singular, k->short_name, k->columns);
}

static void gen_write(const struct gen_kind *k, FILE *out)
{
    gen_header(k, out);
    fprintf(out, "    schema:\n"
                 "      openAPIV3Schema:\n"
                 "        type: object\n"
                 "        required:\n"
                 "        - metadata\n"
                 "        - spec\n"
                 "        properties:\n"
                 "          apiVersion:\n"
                 "            type: string\n"
                 "          kind:\n"
                 "            type: string\n"
                 "          metadata:\n"
                 "            type: object\n"
                 "          spec:\n");
    sch_emit_object(k->spec, out, 12);
    fprintf(out, "          status:\n"
                 "            type: object\n"
                 "            x-kubernetes-preserve-unknown-fields: true\n");
}

static int gen_write_file(const char *dir, const struct gen_kind *k)
{
    char path[4096];
    int n = snprintf(path, sizeof(path), "%s/argoproj.io_%s.yaml", dir, k->plural);
    if (n < 0 || (size_t)n >= sizeof(path)) {
        fprintf(stderr, "cevents-crdgen: output directory name too long\n");
        return 1;
    }
    FILE *f = fopen(path, "w");
    if (f == NULL) {
        fprintf(stderr, "cevents-crdgen: %s: %s\n", path, strerror(errno));
        return 1;
    }
    gen_write(k, f);
    if (fclose(f) != 0) {
        fprintf(stderr, "cevents-crdgen: %s: %s\n", path, strerror(errno));
        return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 4 || strcmp(argv[1], "-o") != 0) {
        fprintf(stderr, "usage: cevents-crdgen -o DIR PATH...\n");
        return 2;
    }
    struct rec_store rec;
    rec_init(&rec);
    for (int i = 0; i < GEN_N_KINDS; i++) {
        gen_kinds[i].spec = sch_new();
    }
    int bad = 0;
    for (int i = 3; i < argc; i++) {
        bad |= gen_load_path(argv[i], &rec, 0);
    }
    for (int i = 0; i < GEN_N_KINDS && !bad; i++) {
        bad |= gen_write_file(argv[2], &gen_kinds[i]);
    }
    for (int i = 0; i < GEN_N_KINDS; i++) {
        sch_free(gen_kinds[i].spec);
    }
    rec_fini(&rec);
    return bad ? 1 : 0;
}
