/*
 * tax.c - the tax service's lines for an address and the discounted lines.
 */
#include <string.h>

#include "vendors.h"

json_t *bff_tax_request(const char *currency, json_t *address, const char *const *skus, const int64_t *taxable, size_t n,
                        int64_t shipping)
{
    json_t *lines = json_array();
    for (size_t i = 0; i < n; ++i)
        json_array_append_new(lines, json_pack("{s:s, s:I}", "sku", skus[i], "amount_minor", (json_int_t)taxable[i]));
    return json_pack("{s:s?, s:O?, s:o, s:I}", "currency", currency, "address", address, "lines", lines,
                     "shipping_minor", (json_int_t)shipping);
}

const char *bff_tax_parse(json_t *body, bff_tax_t *out)
{
    memset(out, 0, sizeof(*out));
    json_t *lines = json_object_get(body, "tax_lines");
    if (!json_is_array(lines))
        return "tax answered without tax lines";
    size_t i;
    json_t *line;
    json_array_foreach(lines, i, line)
    {
        int64_t amount;
        if (bff_vendor_amount(json_object_get(line, "amount_minor"), &amount) != 0)
            return "tax answered a tax line without a whole, non-negative amount";
        out->total += amount;
        out->nlines++;
    }
    return NULL;
}
