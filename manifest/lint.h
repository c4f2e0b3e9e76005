/* SPDX-License-Identifier: Apache-2.0 */
/* `cevents lint [--strict] PATH...`: loads and validates manifests and reports every problem.
 * Exit status 0 when clean, 1 when any error was found, 2 for bad usage. */
#ifndef CE_MANIFEST_LINT_H
#define CE_MANIFEST_LINT_H

struct ce_diag;
struct ce_manifest_set;

/* Checks beyond the manifest's own rules (the languages embedded in it), supplied by the layer
 * that knows them; adds its findings to diag. */
typedef void ce_lint_deep_fn(const struct ce_manifest_set *set, struct ce_diag *diag);

/* argv[0] is "lint". Prints diagnostics to stderr and a summary line to stdout. deep may be
 * NULL. */
int ce_lint_main(int argc, char **argv, ce_lint_deep_fn *deep);

#endif
