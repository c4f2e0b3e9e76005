/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzzes the sns source's message checks: the input's first line is the manifest's endpoint
 * (empty: none), the rest an SNS message. It is parsed, its signed text built, its
 * SigningCertURL judged and its signature checked against a test certificate (the corpus holds
 * messages signed with its key). A certificate URL accepted without an endpoint must be https
 * (any case, as URL schemes are) on an amazonaws.com host, and a message that verifies must have
 * been signed, or the target aborts. */
#include "core/base/mem.h"
#include "core/base/rc.h"
#include "eventsource/sns/message.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char fuzz_cert[] = "-----BEGIN CERTIFICATE-----\n"
                                "MIICFDCCAX2gAwIBAgIUQZka2U97f3wzrmFLXJRA4Ln19JgwDQYJKoZIhvcNAQEL\n"
                                "BQAwGzEZMBcGA1UEAwwQc25zLWZ1enouY2V2ZW50czAgFw0yNjEyMDMxMjM2MzZa\n"
                                "GA8yMTI2MTEwOTEyMzYzNlowGzEZMBcGA1UEAwwQc25zLWZ1enouY2V2ZW50czCB\n"
                                "nzANBgkqhkiG9w0BAQEFAAOBjQAwgYkCgYEAv7NwDroLHXkws9WI5I58UuQ/pUkO\n"
                                "+IQQtDs0IGolhBNtH/LtnPwxz0l7/mGYOFf+T/hy2qSKlOhn6loGyo7AAf2hVlyl\n"
                                "L4K0QoqDko/IiD/PQaHlYK6ZuFEF03UEJCDTYoE4ewxOhQvSgkmNb4uiCFD3/K07\n"
                                "mEAok8KWmc2BPosCAwEAAaNTMFEwHQYDVR0OBBYEFAUi4693GzBAdjs0qRf4f+Pt\n"
                                "qWT9MB8GA1UdIwQYMBaAFAUi4693GzBAdjs0qRf4f+PtqWT9MA8GA1UdEwEB/wQF\n"
                                "MAMBAf8wDQYJKoZIhvcNAQELBQADgYEAtcsphnZRee+jmWVd6kicVdM5L12Ps9vB\n"
                                "ZwtGGYYMdM+TgI04kuGCnY0Fp6C1NnXP/o+ja/kUlTfdgWTJit6RD7Cxj9gcggMR\n"
                                "a+REhAS7+Kx7EoAn5VEtlxRzKrjvm2aph71YzWJ4LUTc9tBMWL/C4sEZUMSYnmW6\n"
                                "+SzExOfZUnI=\n"
                                "-----END CERTIFICATE-----\n";

static void fuzz_url(const char *url, const char *endpoint)
{
    char err[256];
    if (ce_sns_cert_url_check(url, endpoint, err, sizeof err) == CE_OK && endpoint == NULL &&
        (strncasecmp(url, "https://", 8) != 0 || strstr(url, ".amazonaws.com") == NULL)) {
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    const char *nl = memchr(s, '\n', size);
    size_t elen = nl ? (size_t)(nl - s) : 0;
    char *endpoint = elen > 0 ? ce_xstrndup(s, elen) : NULL;
    const char *body = nl ? nl + 1 : s;
    size_t blen = nl ? size - elen - 1 : size;
    struct ce_sns_message m;
    char err[256];
    if (ce_sns_message_parse(body, blen, &m, err, sizeof err) == CE_OK) {
        size_t len = 0;
        char *text = ce_sns_string_to_sign(&m, &len);
        fuzz_url(m.signing_cert_url, endpoint);
        fuzz_url(m.signing_cert_url, NULL);
        if (ce_sns_verify(&m, fuzz_cert, sizeof fuzz_cert - 1, err, sizeof err) == CE_OK &&
            (text == NULL || m.signature[0] == '\0')) {
            abort();
        }
        ce_free(text);
        ce_sns_message_fini(&m);
    }
    ce_free(endpoint);
    return 0;
}
