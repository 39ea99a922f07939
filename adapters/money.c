/*
 * money.c - minor units <-> decimal strings, exactly (see money.h).
 */
#include "adapters/money.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

int bff_money_exponent(const char *currency)
{
    static const char *const zero[] = {"JPY", "KRW", "CLP", "ISK", "VND"};
    static const char *const three[] = {"BHD", "KWD", "OMR", "JOD", "TND"};
    for (size_t i = 0; i < sizeof(zero) / sizeof(zero[0]); ++i)
        if (strcmp(currency, zero[i]) == 0)
            return 0;
    for (size_t i = 0; i < sizeof(three) / sizeof(three[0]); ++i)
        if (strcmp(currency, three[i]) == 0)
            return 3;
    return 2;
}

void bff_money_format(char *buf, size_t len, int64_t minor, const char *currency)
{
    /* written by hand: snprintf was a sixth of a listing's money (42 amounts a request) */
    int e = bff_money_exponent(currency);
    uint64_t mag = minor < 0 ? (uint64_t)0 - (uint64_t)minor : (uint64_t)minor;
    char tmp[32];
    size_t n = 0;
    for (int d = 0; d < e; ++d, mag /= 10)
        tmp[n++] = (char)('0' + mag % 10);
    if (e > 0)
        tmp[n++] = '.';
    do {
        tmp[n++] = (char)('0' + mag % 10);
        mag /= 10;
    } while (mag > 0);
    if (minor < 0)
        tmp[n++] = '-';
    size_t i = 0;
    for (; i < n && i + 1 < len; ++i)
        buf[i] = tmp[n - 1 - i];
    if (len > 0)
        buf[i] = '\0';
}

int bff_money_parse_decimal(const char *text, const char *currency, int64_t *minor)
{
    int e = bff_money_exponent(currency);
    const char *p = text;
    bool negative = *p == '-';
    if (negative)
        ++p;
    if (*p < '0' || *p > '9')
        return -1;
    uint64_t whole = 0;
    for (; *p >= '0' && *p <= '9'; ++p) {
        if (whole > 90000000000000ull)
            return -1; /* out of range */
        whole = whole * 10 + (uint64_t)(*p - '0');
    }
    uint64_t frac = 0;
    int digits = 0;
    if (*p == '.') {
        ++p;
        for (; *p >= '0' && *p <= '9'; ++p, ++digits) {
            if (digits >= e)
                return -1; /* more precise than the currency: refuse, never round */
            frac = frac * 10 + (uint64_t)(*p - '0');
        }
        if (digits == 0)
            return -1;
    }
    if (*p != '\0')
        return -1;
    for (; digits < e; ++digits)
        frac *= 10;
    uint64_t unit = 1;
    for (int i = 0; i < e; ++i)
        unit *= 10;
    int64_t v = (int64_t)(whole * unit + frac);
    *minor = negative ? -v : v;
    return 0;
}

json_t *bff_money_json(int64_t minor, const char *currency)
{
    char amount[48];
    bff_money_format(amount, sizeof(amount), minor, currency);
    json_t *o = json_object(); /* amount: digits, '.' and '-'; the currency is a checked ISO code */
    json_object_set_new_nocheck(o, "amount", json_string_nocheck(amount));
    json_object_set_new_nocheck(o, "currencyCode", json_string_nocheck(currency)); /* our strings are valid UTF-8 */
    return o;
}
