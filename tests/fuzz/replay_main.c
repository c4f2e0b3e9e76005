/* SPDX-License-Identifier: Apache-2.0 */
/* Replays every file of a corpus directory through a fuzz target, so the corpora run under
 * CTest on machines without libFuzzer. Fails if the directory is empty or missing. */
#include "core/base/mem.h"

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int replay_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        return -1;
    }
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || st.st_size > 16 * 1024 * 1024) {
        fclose(f);
        return -1;
    }
    uint8_t *buf = ce_xmalloc((size_t)st.st_size + 1);
    size_t n = fread(buf, 1, (size_t)st.st_size, f);
    fclose(f);
    LLVMFuzzerTestOneInput(buf, n);
    ce_free(buf);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
        return 2;
    }
    DIR *d = opendir(argv[1]);
    if (!d) {
        perror(argv[1]);
        return 1;
    }
    int count = 0, failed = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') {
            continue;
        }
        char *path = ce_xasprintf("%s/%s", argv[1], e->d_name);
        if (replay_file(path) != 0) {
            failed++;
        }
        ce_free(path);
        count++;
    }
    closedir(d);
    printf("%d passed, %d failed\n", count - failed, failed);
    return (count == 0 || failed) ? 1 : 0;
}
