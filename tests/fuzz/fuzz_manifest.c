/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzz target for manifest loading: any bytes through the YAML reader, the node tree and every
 * decoder, strict and not, then everything freed (ASan checks leaks and overflows). */
#include "eventsource/source.h"
#include "manifest/diag.h"
#include "manifest/model.h"
#include "manifest/plugin.h"
#include "triggers/trigger.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The plugins' own decoders take their blocks, as in the binary. */
static const struct ce_manifest_plugins fuzz_plugins = {ce_source_decoder, ce_trigger_decoder};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    for (int strict = 0; strict < 2; strict++) {
        struct ce_manifest_set *set = NULL;
        if (ce_manifest_set_create(&fuzz_plugins, &set) != 0) {
            return 0;
        }
        struct ce_diag diag;
        ce_diag_init(&diag);
        int rc =
            ce_manifest_load_buf(set, (const char *)data, size, "fuzz.yaml", strict != 0, &diag);
        (void)rc;
        (void)ce_diag_errors(&diag);
        ce_diag_fini(&diag);
        ce_manifest_set_destroy(set);
    }
    return 0;
}
