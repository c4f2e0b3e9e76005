/* SPDX-License-Identifier: Apache-2.0 */
/* A connection's bytes in and out, plain or through OpenSSL. Non-blocking: a TLS read that needs
 * a write (or the reverse) just reports "try later"; the loop retries both on every event. */
#include "core/base/mem.h"
#include "core/httpd/internal.h"

#include <errno.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <stdio.h>
#include <sys/socket.h>

static long httpd_tls_result(struct httpd_conn *c, int n)
{
    if (n > 0) {
        return n;
    }
    int e = SSL_get_error(c->ssl, n);
    ERR_clear_error();
    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
        return -1;
    }
    return e == SSL_ERROR_ZERO_RETURN ? 0 : -2;
}

long httpd_io_recv(struct httpd_conn *c, char *buf, size_t n)
{
    int cap = n > 1u << 30 ? 1 << 30 : (int)n;
    if (c->ssl) {
        return httpd_tls_result(c, SSL_read(c->ssl, buf, cap));
    }
    for (;;) {
        ssize_t r = recv(c->fd, buf, (size_t)cap, 0);
        if (r >= 0) {
            return (long)r;
        }
        if (errno == EINTR) {
            continue;
        }
        return errno == EAGAIN || errno == EWOULDBLOCK ? -1 : -2;
    }
}

long httpd_io_send(struct httpd_conn *c, const char *buf, size_t n)
{
    int cap = n > 1u << 30 ? 1 << 30 : (int)n;
    if (c->ssl) {
        return httpd_tls_result(c, SSL_write(c->ssl, buf, cap));
    }
    for (;;) {
        ssize_t r = send(c->fd, buf, (size_t)cap, MSG_NOSIGNAL);
        if (r >= 0) {
            return (long)r;
        }
        if (errno == EINTR) {
            continue;
        }
        return errno == EAGAIN || errno == EWOULDBLOCK ? -1 : -2;
    }
}

/* Reads a PEM text into the context: the certificate chain and the key. */
static int httpd_tls_load(SSL_CTX *ctx, const char *cert_pem, const char *key_pem)
{
    BIO *cb = BIO_new_mem_buf(cert_pem, -1);
    BIO *kb = BIO_new_mem_buf(key_pem, -1);
    X509 *cert = cb ? PEM_read_bio_X509(cb, NULL, NULL, NULL) : NULL;
    EVP_PKEY *key = kb ? PEM_read_bio_PrivateKey(kb, NULL, NULL, NULL) : NULL;
    int ok = cert && key && SSL_CTX_use_certificate(ctx, cert) == 1 &&
             SSL_CTX_use_PrivateKey(ctx, key) == 1 && SSL_CTX_check_private_key(ctx) == 1;
    for (X509 *extra; ok && (extra = PEM_read_bio_X509(cb, NULL, NULL, NULL)) != NULL;) {
        if (SSL_CTX_add_extra_chain_cert(ctx, extra) != 1) {
            X509_free(extra);
            ok = 0;
        }
    }
    X509_free(cert);
    EVP_PKEY_free(key);
    BIO_free(cb);
    BIO_free(kb);
    ERR_clear_error();
    return ok ? CE_OK : CE_EINVAL;
}

int httpd_tls_setup(struct ce_httpd *h, char *err, size_t errlen)
{
    if (!h->cfg.tls_cert_pem || !h->cfg.tls_key_pem) {
        return CE_OK;
    }
    h->tls = SSL_CTX_new(TLS_server_method());
    if (!h->tls) {
        return ce_rc_fail(CE_EIO, err, errlen, "cannot set up TLS");
    }
    SSL_CTX_set_min_proto_version(h->tls, TLS1_2_VERSION);
    SSL_CTX_set_mode(h->tls, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    if (httpd_tls_load(h->tls, h->cfg.tls_cert_pem, h->cfg.tls_key_pem) != CE_OK) {
        return ce_rc_fail(CE_EINVAL, err, errlen,
                          "the TLS certificate or key is not valid PEM, or they do not match");
    }
    return CE_OK;
}

int httpd_tls_conn(struct httpd_conn *c)
{
    SSL_CTX *ctx = c->loop->srv->tls;
    if (!ctx) {
        return CE_OK;
    }
    c->ssl = SSL_new(ctx);
    if (!c->ssl || SSL_set_fd(c->ssl, c->fd) != 1) {
        return CE_EIO;
    }
    SSL_set_accept_state(c->ssl);
    return CE_OK;
}

void httpd_tls_free(struct ce_httpd *h)
{
    SSL_CTX_free(h->tls);
    h->tls = NULL;
}
