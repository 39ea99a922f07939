/* shop.h - binds the shop-settings resolvers (shop.c). */
#ifndef BFF_SERVER_SHOP_H
#define BFF_SERVER_SHOP_H

#include <stddef.h>

#include "config.h"
#include "graphql/schema.h"

int bff_shop_bind(bff_schema_t *schema, const bff_config_t *config, char *err, size_t errlen);

#endif
