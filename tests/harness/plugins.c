/* SPDX-License-Identifier: Apache-2.0 */
#include "tests/harness/plugins.h"
#include "eventsource/source.h"
#include "triggers/trigger.h"

static const struct ce_manifest_plugins test_plugins = {
    .source = ce_source_decoder,
    .trigger = ce_trigger_decoder,
};

const struct ce_manifest_plugins *ce_test_plugins(void)
{
    return &test_plugins;
}
