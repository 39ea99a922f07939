/*
 * data.h - the simulator's seeded catalog: products with variants, prices in
 * two currencies, stock per location, collections, reviews. Generated once at
 * start from a fixed seed, so every run (and every test) sees the same data;
 * read-only afterwards.
 */
#ifndef BFF_SIM_DATA_H
#define BFF_SIM_DATA_H

#include <stddef.h>
#include <stdint.h>

#define SIM_PRODUCTS 1000
#define SIM_COLLECTIONS 20
#define SIM_LOCATIONS 3
#define SIM_MAX_VARIANTS 4
#define SIM_MAX_REVIEWS 8

typedef struct st_sim_variant_t {
    char sku[24];
    char title[48];
    char size[8];
    char color[16];
    int64_t price_eur_minor; /* the ERP's prices, minor units */
    int64_t price_usd_minor;
    int64_t compare_at_eur_minor; /* the PIM's list price, 0: none */
    int stock[SIM_LOCATIONS];
    int weight_g;
} sim_variant_t;

typedef struct st_sim_review_t {
    int rating;
    char title[48];
    char author[24];
} sim_review_t;

typedef struct st_sim_product_t {
    char id[8]; /* "p0001" */
    char handle[64];
    char title[64];
    char vendor[24];
    char description[160];
    char created_at[24];
    int collections[3];
    int ncollections;
    sim_variant_t variants[SIM_MAX_VARIANTS];
    int nvariants;
    sim_review_t reviews[SIM_MAX_REVIEWS];
    int nreviews;
    char tags[3][16];
    int ntags;
} sim_product_t;

typedef struct st_sim_collection_t {
    char id[8]; /* "c01" */
    char handle[32];
    char title[48];
} sim_collection_t;

typedef struct st_sim_data_t {
    sim_product_t products[SIM_PRODUCTS];
    sim_collection_t collections[SIM_COLLECTIONS];
    const char *locations[SIM_LOCATIONS];
} sim_data_t;

/* Fills `d` from the fixed seed. */
void sim_data_generate(sim_data_t *d);
const sim_product_t *sim_product_by_id(const sim_data_t *d, const char *id);
const sim_product_t *sim_product_by_handle(const sim_data_t *d, const char *handle);
/* The variant with `sku` and its product, or NULL. */
const sim_variant_t *sim_variant_by_sku(const sim_data_t *d, const char *sku, const sim_product_t **product);
/* Recommendations for a product: n product indexes, deterministic. */
void sim_recommendations(const sim_data_t *d, int product_index, int n, int *out);

#endif
