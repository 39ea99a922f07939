/*
 * tax.c - the tax service's lines for an address and the discounted lines.
 */
#include <string.h>

#include "vendors.h"

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
