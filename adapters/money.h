/*
 * money.h - the one place where amounts of money are converted.
 *
 * Amounts are integers in the currency's minor unit (cents); the schema
 * shows them as decimal strings with exactly the currency's number of
 * decimals ("129.90", JPY "1299"). Parsing a provider's decimal string is
 * exact or an error: more decimals than the currency has is refused, never
 * rounded. (Rounding of computed amounts, e.g. tax, lives with the cart.)
 */
#ifndef BFF_ADAPTERS_MONEY_H
#define BFF_ADAPTERS_MONEY_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

/* Decimals of an ISO 4217 currency (2 unless listed otherwise). */
int bff_money_exponent(const char *currency);
/* Writes the decimal string of `minor` into buf. */
void bff_money_format(char *buf, size_t len, int64_t minor, const char *currency);
/* "129.9" / "129.90" / "-3" -> minor units; -1 when malformed or more precise than the currency. */
int bff_money_parse_decimal(const char *text, const char *currency, int64_t *minor);
/* The schema's Money object {"amount": "129.90", "currencyCode": "EUR"} (a new reference). */
json_t *bff_money_json(int64_t minor, const char *currency);

#endif
