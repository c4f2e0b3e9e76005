/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzz target for manifest loading: any bytes through the YAML reader, the node tree and every
 * decoder, strict and not, then everything freed (ASan checks leaks and overflows). */
#include "manifest/diag.h"
#include "manifest/model.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    for (int strict = 0; strict < 2; strict++) {
        struct ce_manifest_set *set = NULL;
        if (ce_manifest_set_create(&set) != 0) {
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
