/* SPDX-License-Identifier: Apache-2.0 */
/* The file systems that give no inotify events for remote changes (see watch.h). */
#include "eventsource/file/watch.h"

#include <stddef.h>
#include <stdint.h>

const char *ce_fsw_remote_fs(long f_type)
{
    static const struct {
        long magic;
        const char *name;
    } remote[] = {
        {0x6969, "nfs"},      {0xFF534D42, "cifs"}, {0xFE534D42, "smb2"},  {0x517B, "smb"},
        {0x65735546, "fuse"}, {0x01021997, "9p"},   {0x47504653, "gpfs"},  {0x0BD00BD0, "lustre"},
        {0x6B414653, "afs"},  {0x00C36400, "ceph"}, {0x013111A8, "ibrix"}, {0x564C, "ncp"},
    };
    for (size_t i = 0; i < sizeof remote / sizeof remote[0]; i++) {
        if ((unsigned long)f_type == (unsigned long)remote[i].magic ||
            (uint32_t)f_type == (uint32_t)remote[i].magic) {
            return remote[i].name;
        }
    }
    return NULL;
}
