/*
 * providers.h - where each provider is and how to call it: base URL, an
 * authentication header and a timeout per provider, from the "providers"
 * setting over the defaults (providers_url, provider_timeout_ms).
 *
 * Built once at start-up (a bad entry stops the boot with its name) and
 * read by every worker: immutable after bff_providers_new.
 */
#ifndef BFF_RESOLVERS_PROVIDERS_H
#define BFF_RESOLVERS_PROVIDERS_H

#include <stddef.h>
#include <stdint.h>

/* Every provider the resolvers call, by the name config and errors use. */
#define BFF_PROVIDER_NAMES(X)                                                                                         \
    X(catalog) X(pricing) X(inventory) X(promotions) X(tax) X(shipping) X(payments) X(orders) X(reviews)              \
        X(recommendations) X(carts) X(customers)

typedef struct st_bff_provider_conf_t {
    const char *name;
    char *url;         /* base URL, no trailing slash: paths start with '/' */
    char *auth_header; /* "Name: value" sent with every call, or NULL */
    uint32_t timeout_ms;
    char *ca_file; /* PEM bundle for an https url, or NULL: the system's CAs */
} bff_provider_conf_t;

typedef struct st_bff_providers_t bff_providers_t;

/*
 * The table: every provider gets `default_url` and `default_timeout_ms`,
 * then what `json` (an object: provider name -> {"url", "auth_header",
 * "timeout_ms", "ca_file"}, each optional) says; an empty default_ca_file
 * means the system's CAs. NULL with a message naming the bad
 * provider or key on error.
 */
bff_providers_t *bff_providers_new(const char *default_url, uint32_t default_timeout_ms, const char *default_ca_file,
                                   const char *json, char *err, size_t errlen);
void bff_providers_free(bff_providers_t *p);
/* The provider's settings, or NULL for a name that is not a provider. */
const bff_provider_conf_t *bff_providers_get(const bff_providers_t *p, const char *name);

#endif
