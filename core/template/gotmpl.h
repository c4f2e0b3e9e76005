/* SPDX-License-Identifier: Apache-2.0 */
/* Go text/template for Sensor parameters (dataTemplate, contextTemplate) and data filters
 * (template), with the sprig function map Argo Events installs. Output is byte for byte what Go
 * prints for the same template and data: the data is JSON decoded as Go's json.Unmarshal into
 * interface{} does (numbers are float64), and values print with fmt's %v rules. A parsed
 * template is immutable; ce_tmpl_exec may run on it from many threads at once. */
#ifndef CE_CORE_GOTMPL_H
#define CE_CORE_GOTMPL_H

#include "core/base/buf.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#define CE_TMPL_MAX_SRC (64u * 1024u)      /* template text length */
#define CE_TMPL_MAX_NEST 64                /* nesting of control structures and parentheses */
#define CE_TMPL_MAX_OUTPUT (1024u * 1024u) /* default output cap */
#define CE_TMPL_MAX_ITERATIONS 100000      /* range iterations in one execution */
#define CE_TMPL_MAX_STEPS 1000000          /* commands evaluated in one execution */
#define CE_TMPL_MAX_CALL_DEPTH 32          /* nested {{template}} calls */

struct ce_tmpl;

struct ce_tmpl_opts {
    int64_t now_ns;    /* clock for now/date, Unix nanoseconds; 0 = the real clock */
    size_t max_output; /* 0 = CE_TMPL_MAX_OUTPUT */
    size_t max_memory; /* values built while executing; 0 = CE_TV_MAX_MEMORY */
};

/* Parses src (a Go template; functions are checked against the builtins and sprig as Go does at
 * parse time). The template is named "param", as in Argo Events' parameter resolution. Returns
 * CE_OK, CE_EPARSE with Go's message ("template: param:1: function \"foo\" not defined") or
 * CE_ETOOBIG. */
int ce_tmpl_parse(const char *src, struct ce_tmpl **out, char *err, size_t errlen);
/* As ce_tmpl_parse with another template name (used in error messages). */
int ce_tmpl_parse_named(const char *name, const char *src, size_t len, struct ce_tmpl **out,
                        char *err, size_t errlen);

/* Executes t with dot = data (NULL means a nil dot). Output is appended to out (whose own cap
 * also applies). opts may be NULL. Returns CE_OK, CE_EINVAL with Go's execution error
 * ("template: param:1:2: executing \"param\" at <.Input.a.b>: nil pointer evaluating interface
 * {}.b") or CE_ETOOBIG. On error out holds the partial output, as Go's writer would. */
int ce_tmpl_exec(const struct ce_tmpl *t, const json_t *data, const struct ce_tmpl_opts *opts,
                 struct ce_buf *out, char *err, size_t errlen);

/* Accepts NULL. */
void ce_tmpl_destroy(struct ce_tmpl *t);

/* Argo's parameter and filter rule: executes t with root {"Input": input} and returns the
 * output as a fresh string (ce_free). Returns CE_OK or the execution's failure. */
int ce_tmpl_exec_input(const struct ce_tmpl *t, const json_t *input,
                       const struct ce_tmpl_opts *opts, char **out, char *err, size_t errlen);
/* The same from the template's text: parse, then ce_tmpl_exec_input. */
int ce_tmpl_render_input(const char *src, const json_t *input, const struct ce_tmpl_opts *opts,
                         char **out, char *err, size_t errlen);

#endif
