/*
 * storefront.h - the descriptive providers' answers as canonical C types:
 * catalog (PIM) products, variants and collections, reviews, recommendations,
 * customers and carts. Each is checked and mapped in its own file
 * (catalog.c, reviews.c, recommendations.c, customers.c, carts.c); strings
 * are copied into the arena. Parse functions return NULL, or why the answer
 * is refused (static or in the arena).
 */
#ifndef BFF_ADAPTERS_STOREFRONT_H
#define BFF_ADAPTERS_STOREFRONT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"

/* A copy of a JSON string in the arena, or NULL when `v` is not a string. */
static inline const char *bff_adapter_str(bff_arena_t *arena, json_t *v)
{
    return json_is_string(v) ? bff_arena_strdup(arena, json_string_value(v)) : NULL;
}

typedef struct st_bff_option_t {
    const char *name, *value;
} bff_option_t;

typedef struct st_bff_variant_t {
    const char *sku, *title;
    bff_option_t *options;
    size_t noptions;
    int64_t list_price; /* the PIM's list price in EUR minor units (from a decimal string), -1: none */
    int64_t weight_grams;
    /* set by the variant batch lookup only */
    const char *product_id, *product_title, *product_handle;
} bff_variant_t;

typedef struct st_bff_image_t {
    const char *src, *alt; /* alt may be NULL */
} bff_image_t;

typedef struct st_bff_product_t {
    const char *id, *handle, *title, *description, *vendor, *created_at; /* description may be NULL */
    const char **tags;
    size_t ntags;
    bff_image_t *images;
    size_t nimages;
    bff_variant_t *variants;
    size_t nvariants;
} bff_product_t;

typedef struct st_bff_collection_t {
    const char *id, *handle, *title;
} bff_collection_t;

/* catalog: a product {"id", "handle", "title", "vendor", "created_at", "description"?, "tags"?, "images"?, "variants"}. */
const char *bff_catalog_product(json_t *p, bff_arena_t *arena, bff_product_t *out);
/* catalog: a page {"total", "items": [product...]}; products that do not map are left out (counted in *skipped). */
const char *bff_catalog_page(json_t *body, bff_arena_t *arena, bff_product_t **items, size_t *n, int64_t *total,
                             size_t *skipped);
/*
 * A page of products as the catalog sent them ({"total", "items": [...]}: the array, borrowed, or NULL, and the
 * total), and the one product a lookup by handle found (borrowed, or NULL). The products themselves are read by
 * bff_catalog_product; the resolvers keep the vendor objects to memoise their mapping on them (catalog cache).
 */
json_t *bff_catalog_page_products(json_t *body, int64_t *total);
json_t *bff_catalog_handle_product(json_t *body);

/* The catalog's paths: a product by id, by handle, the collections, a page of a listing (escaped; in `arena`). */
#define BFF_CATALOG_PRODUCTS_PATH "/catalog/v1/products"
#define BFF_CATALOG_COLLECTIONS_PATH "/catalog/v1/collections"
const char *bff_catalog_product_path(bff_arena_t *arena, const char *pid);
const char *bff_catalog_handle_path(bff_arena_t *arena, const char *handle);
typedef enum en_bff_listing_sort_t {
    BFF_LISTING_SORT_NONE, /* the catalog's own order */
    BFF_LISTING_SORT_ID,
    BFF_LISTING_SORT_TITLE,
    BFF_LISTING_SORT_PRICE,
    BFF_LISTING_SORT_CREATED_AT,
} bff_listing_sort_t;
typedef struct st_bff_listing_t {
    long page, per_page;
    const char *query, *collection, *vendor; /* NULL: not asked */
    int64_t min_price, max_price;            /* EUR minor units; -1: no bound */
    int in_stock;                            /* -1: any; 0 or 1 */
    bff_listing_sort_t sort;
    bool descending;
} bff_listing_t;
const char *bff_catalog_listing_path(bff_arena_t *arena, const bff_listing_t *l);

/* catalog: {"collections": [{"id", "handle", "title"}]}. */
const char *bff_catalog_collections(json_t *body, bff_arena_t *arena, bff_collection_t **items, size_t *n);
/*
 * catalog: the variant batch {"variants": [{"sku", "title", "product_id", "product_title", "product_handle",
 * "weight_grams"}]}, read from the text (no tree), indexed by SKU.
 */
typedef struct st_bff_variants_t {
    bff_variant_t *items;
    size_t n;
    struct st_bff_key_index_t *index;
} bff_variants_t;
#define BFF_CATALOG_VARIANTS_PATH "/catalog/v1/variants"
const char *bff_catalog_variants_parse(const char *text, size_t len, bff_arena_t *arena, bff_variants_t *out);
/* The variant with `sku` (the first listed), or NULL. */
const bff_variant_t *bff_variants_find(const bff_variants_t *v, const char *sku);
/* The path asking the variants of `n` SKUs (escaped; in `arena`). */
const char *bff_catalog_variants_path(bff_arena_t *arena, const char *const *skus, size_t n);

/* reviews: {"count", "average"|null, "reviews": [{"id", "rating" 1..5, "title", "author"}]}. */
typedef struct st_bff_review_t {
    const char *id, *title, *author;
    int rating;
} bff_review_t;
typedef struct st_bff_reviews_t {
    int64_t count;
    double average; /* < 0: none */
    bff_review_t *items;
    size_t n;
} bff_reviews_t;
const char *bff_reviews_parse(const char *text, size_t len, bff_arena_t *arena, bff_reviews_t *out);
/* The path asking up to `limit` reviews of product `pid` (escaped; in `arena`). */
const char *bff_reviews_path(bff_arena_t *arena, const char *pid, int limit);

/* recommendations: {"items": ["p0002", ...]}: product ids, best first. */
const char *bff_recommendations_parse(const char *text, size_t len, bff_arena_t *arena, const char ***ids, size_t *n);
/* The path asking `n` recommendations for product `pid` (escaped; in `arena`). */
const char *bff_recommendations_path(bff_arena_t *arena, const char *pid, long long n);

/* customers: {"id", "email", "first_name"?, "last_name"?, "addresses": [{"id", "line1"?, "city"?, "zip"?, "country"}]}. */
typedef struct st_bff_address_t {
    const char *id, *line1, *city, *zip, *country; /* id, line1, city, zip may be NULL */
} bff_address_t;
typedef struct st_bff_customer_t {
    const char *id, *email, *first_name, *last_name;
    bff_address_t *addresses;
    size_t naddresses;
} bff_customer_t;
const char *bff_customers_parse(json_t *body, bff_arena_t *arena, bff_customer_t *out);
/* The shopper's own record, named by the bearer token sent with the call. */
#define BFF_CUSTOMERS_ME_PATH "/customers/me"
/* An address {"id"?, "line1"?, "city"?, "zip"?, "country"} (customers.c): the country is what tax and shipping need. */
const char *bff_address_parse(json_t *a, bff_arena_t *arena, bff_address_t *out);

/* carts: {"id", "currency", "lines": [{"sku", "quantity"}], "buyer"?: {"email"?, "address": {...}},
   "discount_codes": [...], "shipping_rate_id"?}. */
typedef struct st_bff_cart_line_t {
    const char *sku;
    int64_t quantity;
} bff_cart_line_t;
typedef struct st_bff_cart_t {
    const char *id, *currency, *email, *shipping_rate_id; /* email, shipping_rate_id may be NULL */
    bool has_address;
    bff_address_t address;
    bff_cart_line_t *lines;
    size_t nlines;
    const char **codes;
    size_t ncodes;
} bff_cart_t;
const char *bff_carts_parse(json_t *body, bff_arena_t *arena, bff_cart_t *out);
/* A cart answer's id (borrowed from it; NULL: none), and whether it is checked out already ({"completed": true}). */
const char *bff_carts_id(json_t *body);
bool bff_carts_completed(json_t *body);
/* The cart service's paths: carts (POST creates one), and a cart or one of its parts (escaped; in `arena`). */
#define BFF_CARTS_PATH "/carts"
typedef enum en_bff_cart_part_t {
    BFF_CART_ITSELF,
    BFF_CART_LINES,
    BFF_CART_DISCOUNT_CODES,
    BFF_CART_BUYER,
    BFF_CART_SHIPPING_RATE,
    BFF_CART_COMPLETE,
} bff_cart_part_t;
const char *bff_carts_path(bff_arena_t *arena, const char *id, bff_cart_part_t part);
/* The address as the providers take it: {"line1"?, "city"?, "zip"?, "country"} (a new reference). */
json_t *bff_address_json(const bff_address_t *a);

#endif
