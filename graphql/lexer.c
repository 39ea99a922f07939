/*
 * lexer.c - GraphQL tokens from UTF-8 source, as graphql-js 16 reads them.
 *
 * The lexer walks bytes. Positions are byte offsets; lines and columns are
 * computed as graphql-js reports them (column = UTF-16 code units since the
 * line start, 1-based), incrementally so a long one-line document costs O(n).
 * String tokens are decoded once into the arena (a decoded string is never
 * longer than its source, so one allocation of the raw length suffices).
 * Errors go through lx->fail, which does not return.
 */
#include <assert.h>
#include "lexer.h"

#include <stdio.h>
#include <string.h>

static const char *const token_desc[] = {
#define BFF_TOKEN_DESC(id, desc, punct) punct ? "\"" desc "\"" : desc,
    BFF_TOKEN_KINDS(BFF_TOKEN_DESC)
#undef BFF_TOKEN_DESC
};

const char *bff_token_kind_desc(bff_token_kind_t kind)
{
    return token_desc[kind];
}

void bff_lexer_init(bff_lexer_t *lx, const char *src, size_t len, bff_arena_t *arena)
{
    memset(lx, 0, sizeof(*lx));
    lx->src = src;
    lx->len = len;
    lx->line = 1;
    lx->col = 1;
    lx->arena = arena;
}

/* Decodes one UTF-8 sequence; returns its length, 0 when invalid (or truncated). */
static size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
    unsigned char c = s[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c >= 0xC2 && c <= 0xDF && n >= 2 && (s[1] & 0xC0) == 0x80) {
        *cp = ((uint32_t)(c & 0x1F) << 6) | (s[1] & 0x3F);
        return 2;
    }
    if (c >= 0xE0 && c <= 0xEF && n >= 3 && (s[1] & 0xC0) == 0x80 && (s[2] & 0xC0) == 0x80) {
        uint32_t v = ((uint32_t)(c & 0x0F) << 12) | ((uint32_t)(s[1] & 0x3F) << 6) | (s[2] & 0x3F);
        if (v < 0x800 || (v >= 0xD800 && v <= 0xDFFF))
            return 0;
        *cp = v;
        return 3;
    }
    if (c >= 0xF0 && c <= 0xF4 && n >= 4 && (s[1] & 0xC0) == 0x80 && (s[2] & 0xC0) == 0x80 &&
        (s[3] & 0xC0) == 0x80) {
        uint32_t v = ((uint32_t)(c & 0x07) << 18) | ((uint32_t)(s[1] & 0x3F) << 12) | ((uint32_t)(s[2] & 0x3F) << 6) |
                     (s[3] & 0x3F);
        if (v < 0x10000 || v > 0x10FFFF)
            return 0;
        *cp = v;
        return 4;
    }
    return 0;
}

static size_t utf8_encode(char *out, uint32_t cp)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* UTF-16 code units in src[from, to); ASCII runs are counted eight bytes at a time. */
static uint32_t utf16_units(const char *src, size_t from, size_t to)
{
    uint32_t n = 0;
    size_t i = from;
    for (; i + 8 <= to; i += 8) {
        uint64_t w;
        memcpy(&w, src + i, 8);
        if ((w & 0x8080808080808080ull) != 0)
            break;
        n += 8;
    }
    for (; i < to; ++i) {
        unsigned char c = (unsigned char)src[i];
        if ((c & 0xC0) != 0x80)
            n += c >= 0xF0 ? 2 : 1;
    }
    return n;
}

void bff_lexer_position(const char *src, size_t len, size_t offset, uint32_t *line, uint32_t *column)
{
    uint32_t l = 1;
    size_t ls = 0;
    if (offset > len)
        offset = len;
    for (size_t i = 0; i < offset; ++i) {
        if (src[i] == '\n') {
            ++l;
            ls = i + 1;
        } else if (src[i] == '\r') {
            if (i + 1 < offset && src[i + 1] == '\n')
                ++i;
            ++l;
            ls = i + 1;
        }
    }
    *line = l;
    *column = utf16_units(src, ls, offset) + 1;
}

/* "U+0041" style or "\"A\"" for printable ASCII, as graphql-js's printCodePointAt. */
static const char *print_code_point_at(bff_lexer_t *lx, size_t pos)
{
    if (pos >= lx->len)
        return "<EOF>";
    uint32_t cp;
    size_t n = utf8_decode((const unsigned char *)lx->src + pos, lx->len - pos, &cp);
    if (n == 0)
        return bff_arena_printf(lx->arena, "byte 0x%02X (invalid UTF-8)", (unsigned char)lx->src[pos]);
    if (cp >= 0x20 && cp <= 0x7E) {
        if (cp == '"')
            return "'\"'";
        return bff_arena_printf(lx->arena, "\"%c\"", (char)cp);
    }
    return bff_arena_printf(lx->arena, "U+%04X", (unsigned)cp);
}

#define FAIL(lx, off, ...) (lx)->fail((lx)->fail_ctx, (off), bff_arena_printf((lx)->arena, __VA_ARGS__))

static void newline_at(bff_lexer_t *lx, size_t next_line_start)
{
    lx->line++;
    lx->line_start = next_line_start;
}

static void skip_ignored(bff_lexer_t *lx)
{
    const char *s = lx->src;
    while (lx->pos < lx->len) {
        unsigned char c = (unsigned char)s[lx->pos];
        if (c == ' ' || c == '\t' || c == ',') {
            lx->pos++;
            uint64_t w;
            while (lx->pos + 8 <= lx->len && (memcpy(&w, s + lx->pos, 8), w == 0x2020202020202020ull))
                lx->pos += 8; /* indentation, eight spaces at a time */
        } else if (c == '\n') {
            lx->pos++;
            newline_at(lx, lx->pos);
        } else if (c == '\r') {
            lx->pos++;
            if (lx->pos < lx->len && s[lx->pos] == '\n')
                lx->pos++;
            newline_at(lx, lx->pos);
        } else if (c == 0xEF && lx->pos + 2 < lx->len && (unsigned char)s[lx->pos + 1] == 0xBB &&
                   (unsigned char)s[lx->pos + 2] == 0xBF) {
            lx->pos += 3; /* BOM */
            lx->gap_unicode = true;
        } else if (c == '#') {
            lx->gap_unicode = true;
            /* A comment runs to the line end, or to a character that is not a source character. */
            lx->pos++;
            while (lx->pos < lx->len) {
                unsigned char d = (unsigned char)s[lx->pos];
                if (d == '\n' || d == '\r')
                    break;
                if (d < 0x80) {
                    lx->pos++;
                    continue;
                }
                uint32_t cp;
                size_t n = utf8_decode((const unsigned char *)s + lx->pos, lx->len - lx->pos, &cp);
                if (n == 0)
                    break;
                lx->pos += n;
            }
        } else {
            break;
        }
    }
}

/* Byte classes: 1 name start (letters, '_'), 2 name continuation (those and digits). */
static const unsigned char name_class[256] = {
    ['0'] = 2, ['1'] = 2, ['2'] = 2, ['3'] = 2, ['4'] = 2, ['5'] = 2, ['6'] = 2, ['7'] = 2, ['8'] = 2, ['9'] = 2,
    ['A'] = 3, ['B'] = 3, ['C'] = 3, ['D'] = 3, ['E'] = 3, ['F'] = 3, ['G'] = 3, ['H'] = 3, ['I'] = 3, ['J'] = 3,
    ['K'] = 3, ['L'] = 3, ['M'] = 3, ['N'] = 3, ['O'] = 3, ['P'] = 3, ['Q'] = 3, ['R'] = 3, ['S'] = 3, ['T'] = 3,
    ['U'] = 3, ['V'] = 3, ['W'] = 3, ['X'] = 3, ['Y'] = 3, ['Z'] = 3, ['_'] = 3,
    ['a'] = 3, ['b'] = 3, ['c'] = 3, ['d'] = 3, ['e'] = 3, ['f'] = 3, ['g'] = 3, ['h'] = 3, ['i'] = 3, ['j'] = 3,
    ['k'] = 3, ['l'] = 3, ['m'] = 3, ['n'] = 3, ['o'] = 3, ['p'] = 3, ['q'] = 3, ['r'] = 3, ['s'] = 3, ['t'] = 3,
    ['u'] = 3, ['v'] = 3, ['w'] = 3, ['x'] = 3, ['y'] = 3, ['z'] = 3,
};

static inline int is_name_start(int c)
{
    return c >= 0 && (name_class[c] & 1);
}

static inline int is_name_continue(int c)
{
    return c >= 0 && (name_class[c] & 2);
}

static int is_digit(int c)
{
    return c >= '0' && c <= '9';
}

static int peek_byte(const bff_lexer_t *lx, size_t pos)
{
    return pos < lx->len ? (unsigned char)lx->src[pos] : -1;
}

static size_t read_digits(bff_lexer_t *lx, size_t pos)
{
    if (!is_digit(peek_byte(lx, pos)))
        FAIL(lx, pos, "Invalid number, expected digit but got: %s.", print_code_point_at(lx, pos));
    while (is_digit(peek_byte(lx, pos)))
        ++pos;
    return pos;
}

static bff_token_kind_t read_number(bff_lexer_t *lx, size_t start, size_t *end)
{
    size_t pos = start;
    int is_float = 0;
    if (peek_byte(lx, pos) == '-')
        ++pos;
    if (peek_byte(lx, pos) == '0') {
        ++pos;
        if (is_digit(peek_byte(lx, pos)))
            FAIL(lx, pos, "Invalid number, unexpected digit after 0: %s.", print_code_point_at(lx, pos));
    } else {
        pos = read_digits(lx, pos);
    }
    if (peek_byte(lx, pos) == '.') {
        is_float = 1;
        pos = read_digits(lx, pos + 1);
    }
    if (peek_byte(lx, pos) == 'e' || peek_byte(lx, pos) == 'E') {
        is_float = 1;
        ++pos;
        if (peek_byte(lx, pos) == '+' || peek_byte(lx, pos) == '-')
            ++pos;
        pos = read_digits(lx, pos);
    }
    int c = peek_byte(lx, pos);
    if (c == '.' || is_name_start(c))
        FAIL(lx, pos, "Invalid number, expected digit but got: %s.", print_code_point_at(lx, pos));
    *end = pos;
    return is_float ? BFF_TOK_FLOAT : BFF_TOK_INT;
}

static int hex_value(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Four hex digits at pos, or -1. */
static int32_t read_hex4(const bff_lexer_t *lx, size_t pos)
{
    int32_t v = 0;
    for (int i = 0; i < 4; ++i) {
        int h = hex_value(peek_byte(lx, pos + (size_t)i));
        if (h < 0)
            return -1;
        v = (v << 4) | h;
    }
    return v;
}

static int is_scalar_value(uint32_t cp)
{
    return cp <= 0xD7FF || (cp >= 0xE000 && cp <= 0x10FFFF);
}

/* The source slice [pos, pos+n) clipped to the document, for messages. */
static const char *slice(bff_lexer_t *lx, size_t pos, size_t n)
{
    if (pos + n > lx->len)
        n = lx->len - pos;
    return bff_arena_strndup(lx->arena, lx->src + pos, n);
}

/*
 * The text of `units` UTF-16 code units from `pos`, as graphql-js slices its
 * messages: whole characters, never a UTF-8 sequence cut in half.
 */
static const char *slice_units(bff_lexer_t *lx, size_t pos, size_t units)
{
    size_t end = pos;
    while (units > 0 && end < lx->len) {
        unsigned char b = (unsigned char)lx->src[end];
        size_t l = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
        if (end + l > lx->len)
            l = lx->len - end;
        end += l;
        units -= l == 4 && units >= 2 ? 2 : 1;
    }
    return bff_arena_strndup(lx->arena, lx->src + pos, end - pos);
}

/*
 * Reads the escape sequence starting at the backslash at `pos`; appends the
 * decoded character to out and returns the escape's byte length.
 */
static size_t read_escape(bff_lexer_t *lx, size_t pos, char *out, size_t *outlen)
{
    int c = peek_byte(lx, pos + 1);
    switch (c) {
    case '"': out[(*outlen)++] = '"'; return 2;
    case '\\': out[(*outlen)++] = '\\'; return 2;
    case '/': out[(*outlen)++] = '/'; return 2;
    case 'b': out[(*outlen)++] = '\b'; return 2;
    case 'f': out[(*outlen)++] = '\f'; return 2;
    case 'n': out[(*outlen)++] = '\n'; return 2;
    case 'r': out[(*outlen)++] = '\r'; return 2;
    case 't': out[(*outlen)++] = '\t'; return 2;
    case 'u':
        break;
    default: {
        /* graphql-js shows the backslash and the next character */
        size_t n = 1;
        if (pos + 1 < lx->len) {
            uint32_t cp;
            size_t l = utf8_decode((const unsigned char *)lx->src + pos + 1, lx->len - pos - 1, &cp);
            n += l ? l : 1;
        }
        FAIL(lx, pos, "Invalid character escape sequence: \"%s\".", slice(lx, pos, n));
    }
    }
    if (peek_byte(lx, pos + 2) == '{') {
        /* \u{...}: at most 12 characters in all, at least \u{0} */
        uint32_t point = 0;
        size_t size = 3;
        while (size < 12) {
            int d = peek_byte(lx, pos + size++);
            if (d == '}') {
                if (size < 5 || !is_scalar_value(point))
                    break;
                *outlen += utf8_encode(out + *outlen, point);
                return size;
            }
            int h = hex_value(d);
            if (h < 0 || point > 0x10FFFF) {
                break;
            }
            point = (point << 4) | (uint32_t)h;
        }
        FAIL(lx, pos, "Invalid Unicode escape sequence: \"%s\".", slice_units(lx, pos, size));
    }
    int32_t code = read_hex4(lx, pos + 2);
    if (code >= 0 && is_scalar_value((uint32_t)code)) {
        *outlen += utf8_encode(out + *outlen, (uint32_t)code);
        return 6;
    }
    if (code >= 0xD800 && code <= 0xDBFF && peek_byte(lx, pos + 6) == '\\' && peek_byte(lx, pos + 7) == 'u') {
        int32_t trail = read_hex4(lx, pos + 8);
        if (trail >= 0xDC00 && trail <= 0xDFFF) {
            uint32_t cp = 0x10000 + (((uint32_t)code - 0xD800) << 10) + ((uint32_t)trail - 0xDC00);
            *outlen += utf8_encode(out + *outlen, cp);
            return 12;
        }
    }
    FAIL(lx, pos, "Invalid Unicode escape sequence: \"%s\".", slice_units(lx, pos, 6));
}

static void read_string(bff_lexer_t *lx, bff_token_t *tok)
{
    size_t pos = tok->start + 1;
    /*
     * The value is never longer than the raw text between the quotes (an
     * escape decodes to fewer bytes than it is written with): find where the
     * string ends first and allocate that, not the rest of the document.
     */
    size_t raw_end = pos;
    while (raw_end < lx->len && lx->src[raw_end] != '"' && lx->src[raw_end] != '\n' && lx->src[raw_end] != '\r')
        raw_end += lx->src[raw_end] == '\\' && raw_end + 1 < lx->len ? 2 : 1;
    char *out = bff_arena_alloc(lx->arena, raw_end - pos + 1);
    size_t outlen = 0;
    while (pos < lx->len) {
        unsigned char c = (unsigned char)lx->src[pos];
        if (c == '"') {
            assert(pos == raw_end && outlen <= raw_end - tok->start - 1);
            out[outlen] = '\0';
            tok->value = out;
            tok->value_len = outlen;
            tok->end = (uint32_t)(pos + 1);
            return;
        }
        if (c == '\\') {
            pos += read_escape(lx, pos, out, &outlen);
            continue;
        }
        if (c == '\n' || c == '\r')
            break;
        if (c < 0x80) {
            out[outlen++] = (char)c;
            ++pos;
            continue;
        }
        uint32_t cp;
        size_t n = utf8_decode((const unsigned char *)lx->src + pos, lx->len - pos, &cp);
        if (n == 0)
            FAIL(lx, pos, "Invalid character within String: %s.", print_code_point_at(lx, pos));
        memcpy(out + outlen, lx->src + pos, n);
        outlen += n;
        pos += n;
    }
    FAIL(lx, pos, "Unterminated string.");
}

/* graphql-js dedentBlockStringLines over the raw lines, joined with '\n'. */
static void block_string_value(bff_lexer_t *lx, const char *raw, size_t rawlen, bff_token_t *tok)
{
    /* split into lines (\r\n, \n, \r) */
    size_t nlines = 1;
    for (size_t i = 0; i < rawlen; ++i)
        if (raw[i] == '\n' || (raw[i] == '\r' && !(i + 1 < rawlen && raw[i + 1] == '\n')))
            ++nlines;
    size_t *ls = bff_arena_alloc(lx->arena, sizeof(size_t) * nlines);
    size_t *le = bff_arena_alloc(lx->arena, sizeof(size_t) * nlines);
    size_t li = 0;
    ls[0] = 0;
    for (size_t i = 0; i < rawlen; ++i) {
        if (raw[i] == '\r' || raw[i] == '\n') {
            le[li] = i;
            if (raw[i] == '\r' && i + 1 < rawlen && raw[i + 1] == '\n')
                ++i;
            ls[++li] = i + 1;
        }
    }
    le[li] = rawlen;
    size_t common = SIZE_MAX;
    size_t first = SIZE_MAX, last = 0;
    int any = 0;
    for (size_t i = 0; i < nlines; ++i) {
        size_t indent = 0;
        while (ls[i] + indent < le[i] && (raw[ls[i] + indent] == ' ' || raw[ls[i] + indent] == '\t'))
            ++indent;
        if (ls[i] + indent == le[i])
            continue;
        if (first == SIZE_MAX)
            first = i;
        last = i;
        any = 1;
        if (i != 0 && indent < common)
            common = indent;
    }
    char *out = bff_arena_alloc(lx->arena, rawlen + 1);
    size_t outlen = 0;
    if (any) {
        for (size_t i = first; i <= last; ++i) {
            size_t s = ls[i];
            if (i != 0) {
                size_t linelen = le[i] - ls[i];
                s += common < linelen ? common : linelen;
            }
            if (i != first)
                out[outlen++] = '\n';
            memcpy(out + outlen, raw + s, le[i] - s);
            outlen += le[i] - s;
        }
    }
    out[outlen] = '\0';
    tok->value = out;
    tok->value_len = outlen;
}

static void read_block_string(bff_lexer_t *lx, bff_token_t *tok)
{
    size_t pos = tok->start + 3;
    /* raw content with \""" unescaped; never longer than the source */
    char *raw = bff_arena_alloc(lx->arena, lx->len - tok->start + 1);
    size_t rawlen = 0;
    while (pos < lx->len) {
        unsigned char c = (unsigned char)lx->src[pos];
        if (c == '"' && peek_byte(lx, pos + 1) == '"' && peek_byte(lx, pos + 2) == '"') {
            tok->end = (uint32_t)(pos + 3);
            block_string_value(lx, raw, rawlen, tok);
            return;
        }
        if (c == '\\' && peek_byte(lx, pos + 1) == '"' && peek_byte(lx, pos + 2) == '"' &&
            peek_byte(lx, pos + 3) == '"') {
            memcpy(raw + rawlen, "\"\"\"", 3);
            rawlen += 3;
            pos += 4;
            continue;
        }
        if (c == '\n' || c == '\r') {
            raw[rawlen++] = (char)c;
            ++pos;
            if (c == '\r' && peek_byte(lx, pos) == '\n')
                raw[rawlen++] = lx->src[pos++];
            newline_at(lx, pos);
            continue;
        }
        if (c < 0x80) {
            raw[rawlen++] = (char)c;
            ++pos;
            continue;
        }
        uint32_t cp;
        size_t n = utf8_decode((const unsigned char *)lx->src + pos, lx->len - pos, &cp);
        if (n == 0)
            FAIL(lx, pos, "Invalid character within String: %s.", print_code_point_at(lx, pos));
        memcpy(raw + rawlen, lx->src + pos, n);
        rawlen += n;
        pos += n;
    }
    FAIL(lx, pos, "Unterminated string.");
}

static void token_position(bff_lexer_t *lx, bff_token_t *tok)
{
    size_t from = lx->line_start;
    uint32_t col = 1;
    if (lx->col_pos >= lx->line_start && lx->col_pos <= tok->start) {
        from = lx->col_pos; /* same line as the last token: continue counting from there */
        col = lx->col;
    }
    /* between tokens there are only punctuators, names, numbers and ASCII blanks, unless a string, a
       comment or a BOM was read since: then count UTF-16 units */
    col += lx->gap_unicode ? utf16_units(lx->src, from, tok->start) : (uint32_t)(tok->start - from);
    lx->gap_unicode = false;
    lx->col_pos = tok->start;
    lx->col = col;
    tok->line = lx->line;
    tok->column = col;
}

void bff_lexer_next(bff_lexer_t *lx, bff_token_t *tok)
{
    skip_ignored(lx);
    tok->value = NULL;
    tok->value_len = 0;
    tok->start = (uint32_t)lx->pos;
    token_position(lx, tok);
    if (lx->pos >= lx->len) {
        tok->kind = BFF_TOK_EOF;
        tok->end = tok->start;
        return;
    }
    size_t pos = lx->pos;
    int c = (unsigned char)lx->src[pos];
    bff_token_kind_t kind;
    size_t end = pos + 1;
    switch (c) {
    case '!': kind = BFF_TOK_BANG; break;
    case '$': kind = BFF_TOK_DOLLAR; break;
    case '&': kind = BFF_TOK_AMP; break;
    case '(': kind = BFF_TOK_PAREN_L; break;
    case ')': kind = BFF_TOK_PAREN_R; break;
    case ':': kind = BFF_TOK_COLON; break;
    case '=': kind = BFF_TOK_EQUALS; break;
    case '@': kind = BFF_TOK_AT; break;
    case '[': kind = BFF_TOK_BRACKET_L; break;
    case ']': kind = BFF_TOK_BRACKET_R; break;
    case '{': kind = BFF_TOK_BRACE_L; break;
    case '|': kind = BFF_TOK_PIPE; break;
    case '}': kind = BFF_TOK_BRACE_R; break;
    case '.':
        if (peek_byte(lx, pos + 1) == '.' && peek_byte(lx, pos + 2) == '.') {
            kind = BFF_TOK_SPREAD;
            end = pos + 3;
            break;
        }
        FAIL(lx, pos, "Unexpected character: %s.", print_code_point_at(lx, pos));
    case '"':
        if (peek_byte(lx, pos + 1) == '"' && peek_byte(lx, pos + 2) == '"') {
            tok->kind = BFF_TOK_BLOCK_STRING;
            read_block_string(lx, tok);
        } else {
            tok->kind = BFF_TOK_STRING;
            read_string(lx, tok);
        }
        lx->pos = tok->end;
        lx->gap_unicode = true; /* the next token's column counts this one's characters */
        return;
    default:
        if (is_digit(c) || c == '-') {
            kind = read_number(lx, pos, &end);
        } else if (is_name_start(c)) {
            const unsigned char *s = (const unsigned char *)lx->src;
            while (end < lx->len && (name_class[s[end]] & 2))
                ++end;
            kind = BFF_TOK_NAME;
        } else if (c == '\'') {
            FAIL(lx, pos, "Unexpected single quote character ('), did you mean to use a double quote (\")?");
        } else {
            uint32_t cp;
            if (utf8_decode((const unsigned char *)lx->src + pos, lx->len - pos, &cp) == 0)
                FAIL(lx, pos, "Invalid character: %s.", print_code_point_at(lx, pos));
            FAIL(lx, pos, "Unexpected character: %s.", print_code_point_at(lx, pos));
        }
        break;
    }
    tok->kind = kind;
    tok->end = (uint32_t)end;
    lx->pos = end;
}

const char *bff_token_desc(bff_arena_t *arena, const bff_lexer_t *lx, const bff_token_t *tok)
{
    switch (tok->kind) {
    case BFF_TOK_NAME:
    case BFF_TOK_INT:
    case BFF_TOK_FLOAT:
        return bff_arena_printf(arena, "%s \"%.*s\"", token_desc[tok->kind], (int)(tok->end - tok->start),
                                lx->src + tok->start);
    case BFF_TOK_STRING:
    case BFF_TOK_BLOCK_STRING:
        return bff_arena_printf(arena, "%s \"%s\"", token_desc[tok->kind], tok->value);
    default:
        return token_desc[tok->kind];
    }
}
