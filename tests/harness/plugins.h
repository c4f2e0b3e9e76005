/* SPDX-License-Identifier: Apache-2.0 */
/* The plugin lookups the cevents binary decodes manifests with, for tests that load manifests. */
#ifndef CE_TESTS_HARNESS_PLUGINS_H
#define CE_TESTS_HARNESS_PLUGINS_H

#include "manifest/plugin.h"

/* Every registered source and trigger plugin decodes its block. */
const struct ce_manifest_plugins *ce_test_plugins(void);

#endif
