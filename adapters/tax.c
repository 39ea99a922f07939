/*
 * tax.c - the tax service's lines for an address and the discounted lines.
 */
#include <string.h>

#include "pull.h"
#include "vendors.h"

const char *bff_tax_request(bff_arena_t *arena, const char *currency, json_t *address, const char *const *skus,
                            const int64_t *taxable, size_t n, int64_t shipping)
{
    bff_buf_t b = BFF_BUF_INIT;
    bff_buf_appends(&b, "{\"currency\":");
    bff_vendor_write_string(&b, currency);
    bff_buf_appends(&b, ",\"address\":");
    bff_vendor_write_json(&b, address);
    bff_buf_appends(&b, ",\"lines\":[");
    for (size_t i = 0; i < n; ++i) {
        bff_buf_appends(&b, i > 0 ? ",{\"sku\":" : "{\"sku\":");
        bff_vendor_write_string(&b, skus[i]);
        bff_buf_appends(&b, ",\"amount_minor\":");
        bff_buf_append_int(&b, taxable[i]);
        bff_buf_appendc(&b, '}');
    }
    bff_buf_appends(&b, "],\"shipping_minor\":");
    bff_buf_append_int(&b, shipping);
    bff_buf_appendc(&b, '}');
    return bff_vendor_text(arena, &b);
}

static const char *tax_row(bff_json_pull_t *j, bff_arena_t *arena, void *item, void *ctx)
{
    int amount = 0;
    const bff_pull_field_t fields[] = {{"amount_minor", BFF_PULL_AMOUNT, item, &amount}};
    bff_pull_fields(j, arena, fields, 1);
    return amount == BFF_PULL_READ ? NULL : "tax answered a tax line without a whole, non-negative amount";
}

const char *bff_tax_parse(const char *text, size_t len, bff_arena_t *arena, bff_tax_t *out)
{
    memset(out, 0, sizeof(*out));
    int64_t *amounts;
    size_t n;
    const char *bad = bff_pull_list(text, len, arena, "tax", "tax_lines", "tax answered without tax lines",
                                    sizeof(*amounts), tax_row, NULL, (void **)&amounts, &n);
    if (bad != NULL)
        return bad;
    for (size_t i = 0; i < n; ++i)
        if (__builtin_add_overflow(out->total, amounts[i], &out->total))
            return "tax answered lines whose sum does not fit in an amount";
    out->nlines = n;
    return NULL;
}
