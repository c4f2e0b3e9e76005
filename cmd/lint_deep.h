/* SPDX-License-Identifier: Apache-2.0 */
/* What `cevents lint` checks beyond the manifest's rules: every expression, path, template,
 * regular expression, script and jq program the manifests embed is compiled as the EventSource
 * and the Sensor would compile it at start, so a typo is reported offline, as
 * `file:line:col: error: path: message`. */
#ifndef CE_CMD_LINT_DEEP_H
#define CE_CMD_LINT_DEEP_H

#include "manifest/lint.h"

ce_lint_deep_fn ce_lint_deep;

#endif
