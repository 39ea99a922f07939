/*
 * parser.c - recursive-descent parser for GraphQL documents (executable and
 * SDL), following graphql-js 16's grammar functions one for one so that the
 * accepted language and the first error reported are the same.
 *
 * State: one bff_parser_t per call, holding the lexer, the current token, the
 * end of the previous token (node locations end there) and a scratch stack of
 * node pointers. List productions push their items on the scratch stack and
 * copy them into the arena once the list is closed, so a list costs one
 * allocation of its final size.
 *
 * Errors: the first syntax error longjmps back to bff_gql_parse, which
 * records it ("Syntax Error: ..." with its location) and returns NULL. Nodes
 * allocated before the error stay in the arena; nothing else is held.
 *
 * Bounds: max_tokens caps the tokens read (graphql-js's maxTokens) and
 * max_depth caps the nesting of selection sets, list/object values and list
 * types, so neither memory nor the C stack grows with a hostile document.
 */
#include "parser.h"

#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include "lexer.h"

#define DEFAULT_MAX_DEPTH 256

typedef struct st_bff_parser_t {
    bff_lexer_t lx;
    bff_token_t tok;
    uint32_t prev_end; /* end offset of the last consumed token */
    bff_arena_t *arena;
    size_t ntokens, max_tokens;
    size_t depth, max_depth;
    /* scratch stack of items of the lists being parsed */
    bff_ast_node_t **stack;
    size_t stack_len, stack_cap;
    jmp_buf jmp;
    size_t err_offset;
    const char *err_message;
} bff_parser_t;

typedef bff_ast_node_t *(*parse_fn)(bff_parser_t *p);

static void fail_at(void *ctx, size_t offset, const char *message) __attribute__((noreturn));
static void fail_at(void *ctx, size_t offset, const char *message)
{
    bff_parser_t *p = ctx;
    p->err_offset = offset;
    p->err_message = message;
    longjmp(p->jmp, 1);
}

#define FAILF(p, off, ...) fail_at((p), (off), bff_arena_printf((p)->arena, __VA_ARGS__))

/* ---- tokens ---- */

static void advance(bff_parser_t *p)
{
    p->prev_end = p->tok.end;
    bff_lexer_next(&p->lx, &p->tok);
    if (p->tok.kind != BFF_TOK_EOF) {
        ++p->ntokens;
        if (p->max_tokens != 0 && p->ntokens > p->max_tokens)
            FAILF(p, p->tok.start, "Document contains more than %zu tokens. Parsing aborted.", p->max_tokens);
    }
}

/* The token after the current one, without consuming anything. */
static bff_token_t lookahead(bff_parser_t *p)
{
    bff_lexer_t copy = p->lx;
    bff_token_t t;
    bff_lexer_next(&copy, &t);
    return t;
}

static bool peek(const bff_parser_t *p, bff_token_kind_t kind)
{
    return p->tok.kind == kind;
}

static bool token_is_keyword(const bff_parser_t *p, const bff_token_t *t, const char *word)
{
    size_t n = strlen(word);
    return t->kind == BFF_TOK_NAME && t->end - t->start == n && memcmp(p->lx.src + t->start, word, n) == 0;
}

static const char *desc(bff_parser_t *p, const bff_token_t *t)
{
    return bff_token_desc(p->arena, &p->lx, t);
}

static void unexpected(bff_parser_t *p, const bff_token_t *t) __attribute__((noreturn));
static void unexpected(bff_parser_t *p, const bff_token_t *t)
{
    if (t == NULL)
        t = &p->tok;
    FAILF(p, t->start, "Unexpected %s.", desc(p, t));
}

static bff_token_t expect_token(bff_parser_t *p, bff_token_kind_t kind)
{
    bff_token_t t = p->tok;
    if (t.kind != kind)
        FAILF(p, t.start, "Expected %s, found %s.", bff_token_kind_desc(kind), desc(p, &t));
    advance(p);
    return t;
}

static bool expect_optional_token(bff_parser_t *p, bff_token_kind_t kind)
{
    if (p->tok.kind != kind)
        return false;
    advance(p);
    return true;
}

static void expect_keyword(bff_parser_t *p, const char *word)
{
    if (!token_is_keyword(p, &p->tok, word))
        FAILF(p, p->tok.start, "Expected \"%s\", found %s.", word, desc(p, &p->tok));
    advance(p);
}

static bool expect_optional_keyword(bff_parser_t *p, const char *word)
{
    if (!token_is_keyword(p, &p->tok, word))
        return false;
    advance(p);
    return true;
}

/* ---- nodes and lists ---- */

static bff_ast_node_t *node_new(bff_parser_t *p, bff_ast_kind_t kind, const bff_token_t *start)
{
    bff_ast_node_t *n = bff_arena_calloc(p->arena, 1, sizeof(*n));
    n->kind = kind;
    n->loc.line = start->line;
    n->loc.column = start->column;
    n->loc.offset = start->start;
    n->loc.end = start->end;
    return n;
}

/* Closes a node: it ends where the last consumed token ends. */
static bff_ast_node_t *node_done(bff_parser_t *p, bff_ast_node_t *n)
{
    n->loc.end = p->prev_end;
    return n;
}

static void push(bff_parser_t *p, bff_ast_node_t *n)
{
    if (p->stack_len == p->stack_cap) {
        p->stack_cap = p->stack_cap ? p->stack_cap * 2 : 64;
        p->stack = bff_xrealloc(p->stack, p->stack_cap * sizeof(*p->stack));
    }
    p->stack[p->stack_len++] = n;
}

/* Moves the items pushed since `base` into an arena list. */
static bff_ast_list_t pop_list(bff_parser_t *p, size_t base)
{
    bff_ast_list_t l = {NULL, 0};
    size_t n = p->stack_len - base;
    if (n > 0) {
        l.items = bff_arena_alloc(p->arena, n * sizeof(*l.items));
        memcpy(l.items, p->stack + base, n * sizeof(*l.items));
        l.len = (uint32_t)n;
    }
    p->stack_len = base;
    return l;
}

/* graphql-js many(): open, one or more items, close. */
static bff_ast_list_t many(bff_parser_t *p, bff_token_kind_t open, parse_fn fn, bff_token_kind_t close)
{
    size_t base = p->stack_len;
    expect_token(p, open);
    do
        push(p, fn(p));
    while (!expect_optional_token(p, close));
    return pop_list(p, base);
}

/* optionalMany(): nothing, or open, one or more items, close. */
static bff_ast_list_t optional_many(bff_parser_t *p, bff_token_kind_t open, parse_fn fn, bff_token_kind_t close)
{
    bff_ast_list_t none = {NULL, 0};
    if (!peek(p, open))
        return none;
    return many(p, open, fn, close);
}

/* any(): open, zero or more items, close. */
static bff_ast_list_t any(bff_parser_t *p, bff_token_kind_t open, parse_fn fn, bff_token_kind_t close)
{
    size_t base = p->stack_len;
    expect_token(p, open);
    while (!expect_optional_token(p, close))
        push(p, fn(p));
    return pop_list(p, base);
}

/* delimitedMany(): an optional leading delimiter, then items separated by it. */
static bff_ast_list_t delimited_many(bff_parser_t *p, bff_token_kind_t delim, parse_fn fn)
{
    size_t base = p->stack_len;
    expect_optional_token(p, delim);
    do
        push(p, fn(p));
    while (expect_optional_token(p, delim));
    return pop_list(p, base);
}

static void enter(bff_parser_t *p)
{
    if (++p->depth > p->max_depth)
        FAILF(p, p->tok.start, "Document nesting exceeds %zu levels. Parsing aborted.", p->max_depth);
}

static void leave(bff_parser_t *p)
{
    --p->depth;
}

/* ---- names, types, values ---- */

static const char *token_text(bff_parser_t *p, const bff_token_t *t)
{
    return bff_arena_strndup(p->arena, p->lx.src + t->start, t->end - t->start);
}

static const char *parse_name(bff_parser_t *p)
{
    bff_token_t t = expect_token(p, BFF_TOK_NAME);
    return token_text(p, &t);
}

/* Sets n->name and n->name_loc from the next token, which must be a name. */
static void parse_name_into(bff_parser_t *p, bff_ast_node_t *n)
{
    bff_token_t t = p->tok;
    n->name = parse_name(p);
    n->name_loc = (bff_ast_loc_t){t.line, t.column, t.start, t.end};
}

/* A NAME node (directive locations). */
static bff_ast_node_t *parse_name_node(bff_parser_t *p)
{
    bff_ast_node_t *n = node_new(p, BFF_AST_NAME, &p->tok);
    parse_name_into(p, n);
    return node_done(p, n);
}

static bff_ast_node_t *parse_named_type(bff_parser_t *p)
{
    bff_ast_node_t *n = node_new(p, BFF_AST_NAMED_TYPE, &p->tok);
    parse_name_into(p, n);
    return node_done(p, n);
}

static bff_ast_node_t *parse_type_reference(bff_parser_t *p)
{
    bff_token_t start = p->tok;
    bff_ast_node_t *type;
    if (expect_optional_token(p, BFF_TOK_BRACKET_L)) {
        enter(p);
        bff_ast_node_t *inner = parse_type_reference(p);
        leave(p);
        expect_token(p, BFF_TOK_BRACKET_R);
        type = node_new(p, BFF_AST_LIST_TYPE, &start);
        type->type = inner;
        node_done(p, type);
    } else {
        type = parse_named_type(p);
    }
    if (expect_optional_token(p, BFF_TOK_BANG)) {
        bff_ast_node_t *nn = node_new(p, BFF_AST_NON_NULL_TYPE, &start);
        nn->type = type;
        return node_done(p, nn);
    }
    return type;
}

static bff_ast_node_t *parse_variable(bff_parser_t *p)
{
    bff_ast_node_t *n = node_new(p, BFF_AST_VARIABLE, &p->tok);
    expect_token(p, BFF_TOK_DOLLAR);
    parse_name_into(p, n);
    return node_done(p, n);
}

static bff_ast_node_t *parse_string_literal(bff_parser_t *p)
{
    bff_ast_node_t *n = node_new(p, BFF_AST_STRING_VALUE, &p->tok);
    n->text = p->tok.value;
    n->text_len = p->tok.value_len;
    n->block = p->tok.kind == BFF_TOK_BLOCK_STRING;
    advance(p);
    return node_done(p, n);
}

static bff_ast_node_t *parse_value_literal(bff_parser_t *p, bool is_const);

static bff_ast_node_t *parse_value_var(bff_parser_t *p)
{
    return parse_value_literal(p, false);
}

static bff_ast_node_t *parse_value_const(bff_parser_t *p)
{
    return parse_value_literal(p, true);
}

static bff_ast_node_t *parse_object_field(bff_parser_t *p, bool is_const)
{
    bff_ast_node_t *n = node_new(p, BFF_AST_OBJECT_FIELD, &p->tok);
    parse_name_into(p, n);
    expect_token(p, BFF_TOK_COLON);
    n->value = parse_value_literal(p, is_const);
    return node_done(p, n);
}

static bff_ast_node_t *parse_object_field_var(bff_parser_t *p)
{
    return parse_object_field(p, false);
}

static bff_ast_node_t *parse_object_field_const(bff_parser_t *p)
{
    return parse_object_field(p, true);
}

static bff_ast_node_t *parse_value_literal(bff_parser_t *p, bool is_const)
{
    bff_token_t t = p->tok;
    bff_ast_node_t *n;
    switch (t.kind) {
    case BFF_TOK_BRACKET_L:
        enter(p);
        n = node_new(p, BFF_AST_LIST_VALUE, &t);
        n->values = any(p, BFF_TOK_BRACKET_L, is_const ? parse_value_const : parse_value_var, BFF_TOK_BRACKET_R);
        leave(p);
        return node_done(p, n);
    case BFF_TOK_BRACE_L:
        enter(p);
        n = node_new(p, BFF_AST_OBJECT_VALUE, &t);
        n->fields =
            any(p, BFF_TOK_BRACE_L, is_const ? parse_object_field_const : parse_object_field_var, BFF_TOK_BRACE_R);
        leave(p);
        return node_done(p, n);
    case BFF_TOK_INT:
    case BFF_TOK_FLOAT:
        advance(p);
        n = node_new(p, t.kind == BFF_TOK_INT ? BFF_AST_INT_VALUE : BFF_AST_FLOAT_VALUE, &t);
        n->text = token_text(p, &t);
        n->text_len = t.end - t.start;
        return node_done(p, n);
    case BFF_TOK_STRING:
    case BFF_TOK_BLOCK_STRING:
        return parse_string_literal(p);
    case BFF_TOK_NAME:
        advance(p);
        if (token_is_keyword(p, &t, "true") || token_is_keyword(p, &t, "false")) {
            n = node_new(p, BFF_AST_BOOLEAN_VALUE, &t);
            n->boolean = token_is_keyword(p, &t, "true");
        } else if (token_is_keyword(p, &t, "null")) {
            n = node_new(p, BFF_AST_NULL_VALUE, &t);
        } else {
            n = node_new(p, BFF_AST_ENUM_VALUE, &t);
            n->text = token_text(p, &t);
            n->text_len = t.end - t.start;
        }
        return node_done(p, n);
    case BFF_TOK_DOLLAR:
        if (is_const) {
            expect_token(p, BFF_TOK_DOLLAR);
            if (p->tok.kind == BFF_TOK_NAME)
                FAILF(p, t.start, "Unexpected variable \"$%.*s\" in constant value.", (int)(p->tok.end - p->tok.start),
                      p->lx.src + p->tok.start);
            unexpected(p, &t);
        }
        return parse_variable(p);
    default:
        unexpected(p, NULL);
    }
}

/* ---- directives and arguments ---- */

static bff_ast_node_t *parse_argument(bff_parser_t *p, bool is_const)
{
    bff_ast_node_t *n = node_new(p, BFF_AST_ARGUMENT, &p->tok);
    parse_name_into(p, n);
    expect_token(p, BFF_TOK_COLON);
    n->value = parse_value_literal(p, is_const);
    return node_done(p, n);
}

static bff_ast_node_t *parse_argument_var(bff_parser_t *p)
{
    return parse_argument(p, false);
}

static bff_ast_node_t *parse_argument_const(bff_parser_t *p)
{
    return parse_argument(p, true);
}

static bff_ast_list_t parse_arguments(bff_parser_t *p, bool is_const)
{
    return optional_many(p, BFF_TOK_PAREN_L, is_const ? parse_argument_const : parse_argument_var, BFF_TOK_PAREN_R);
}

static bff_ast_list_t parse_directives(bff_parser_t *p, bool is_const)
{
    size_t base = p->stack_len;
    while (peek(p, BFF_TOK_AT)) {
        bff_ast_node_t *n = node_new(p, BFF_AST_DIRECTIVE, &p->tok);
        advance(p);
        parse_name_into(p, n);
        n->arguments = parse_arguments(p, is_const);
        push(p, node_done(p, n));
    }
    return pop_list(p, base);
}

/* ---- executable definitions ---- */

static bff_ast_node_t *parse_selection_set(bff_parser_t *p);

static bff_ast_node_t *parse_field(bff_parser_t *p)
{
    bff_ast_node_t *n = node_new(p, BFF_AST_FIELD, &p->tok);
    const char *name_or_alias = parse_name(p);
    if (expect_optional_token(p, BFF_TOK_COLON)) {
        n->alias = name_or_alias;
        parse_name_into(p, n);
    } else {
        n->name = name_or_alias;
    }
    n->arguments = parse_arguments(p, false);
    n->directives = parse_directives(p, false);
    if (peek(p, BFF_TOK_BRACE_L))
        n->selection_set = parse_selection_set(p);
    return node_done(p, n);
}

static const char *parse_fragment_name(bff_parser_t *p)
{
    bff_token_t *t = &p->tok;
    bool is_on = token_is_keyword(p, t, "on") ||
                 ((t->kind == BFF_TOK_STRING || t->kind == BFF_TOK_BLOCK_STRING) && t->value_len == 2 &&
                  memcmp(t->value, "on", 2) == 0);
    if (is_on)
        unexpected(p, NULL);
    return parse_name(p);
}

static void set_fragment_name(bff_parser_t *p, bff_ast_node_t *n)
{
    bff_token_t t = p->tok;
    n->name = parse_fragment_name(p);
    n->name_loc = (bff_ast_loc_t){t.line, t.column, t.start, t.end};
}

static bff_ast_node_t *parse_fragment(bff_parser_t *p)
{
    bff_token_t start = p->tok;
    expect_token(p, BFF_TOK_SPREAD);
    bool has_type_condition = expect_optional_keyword(p, "on");
    if (!has_type_condition && peek(p, BFF_TOK_NAME)) {
        bff_ast_node_t *n = node_new(p, BFF_AST_FRAGMENT_SPREAD, &start);
        set_fragment_name(p, n);
        n->directives = parse_directives(p, false);
        return node_done(p, n);
    }
    bff_ast_node_t *n = node_new(p, BFF_AST_INLINE_FRAGMENT, &start);
    if (has_type_condition)
        n->type_condition = parse_named_type(p);
    n->directives = parse_directives(p, false);
    n->selection_set = parse_selection_set(p);
    return node_done(p, n);
}

static bff_ast_node_t *parse_selection(bff_parser_t *p)
{
    return peek(p, BFF_TOK_SPREAD) ? parse_fragment(p) : parse_field(p);
}

static bff_ast_node_t *parse_selection_set(bff_parser_t *p)
{
    enter(p);
    bff_ast_node_t *n = node_new(p, BFF_AST_SELECTION_SET, &p->tok);
    n->selections = many(p, BFF_TOK_BRACE_L, parse_selection, BFF_TOK_BRACE_R);
    leave(p);
    return node_done(p, n);
}

static bff_operation_t parse_operation_type(bff_parser_t *p)
{
    bff_token_t t = expect_token(p, BFF_TOK_NAME);
    if (token_is_keyword(p, &t, "query"))
        return BFF_OP_QUERY;
    if (token_is_keyword(p, &t, "mutation"))
        return BFF_OP_MUTATION;
    if (token_is_keyword(p, &t, "subscription"))
        return BFF_OP_SUBSCRIPTION;
    unexpected(p, &t);
}

/* A description: a string before a definition (September 2025: operations, fragments and variables too). */
static bool peek_description(const bff_parser_t *p)
{
    return peek(p, BFF_TOK_STRING) || peek(p, BFF_TOK_BLOCK_STRING);
}

static bff_ast_node_t *parse_description(bff_parser_t *p)
{
    return peek_description(p) ? parse_string_literal(p) : NULL;
}

static bff_ast_node_t *parse_variable_definition(bff_parser_t *p)
{
    bff_ast_node_t *n = node_new(p, BFF_AST_VARIABLE_DEFINITION, &p->tok);
    n->description = parse_description(p);
    n->variable = parse_variable(p);
    expect_token(p, BFF_TOK_COLON);
    n->type = parse_type_reference(p);
    if (expect_optional_token(p, BFF_TOK_EQUALS))
        n->default_value = parse_value_literal(p, true);
    n->directives = parse_directives(p, true);
    return node_done(p, n);
}

static bff_ast_node_t *parse_operation_definition(bff_parser_t *p)
{
    bff_ast_node_t *n = node_new(p, BFF_AST_OPERATION_DEFINITION, &p->tok);
    if (peek(p, BFF_TOK_BRACE_L)) {
        n->operation = BFF_OP_QUERY;
        n->selection_set = parse_selection_set(p);
        return node_done(p, n);
    }
    n->description = parse_description(p);
    n->operation = parse_operation_type(p);
    if (peek(p, BFF_TOK_NAME))
        parse_name_into(p, n);
    n->variable_definitions = optional_many(p, BFF_TOK_PAREN_L, parse_variable_definition, BFF_TOK_PAREN_R);
    n->directives = parse_directives(p, false);
    n->selection_set = parse_selection_set(p);
    return node_done(p, n);
}

static bff_ast_node_t *parse_fragment_definition(bff_parser_t *p)
{
    bff_ast_node_t *n = node_new(p, BFF_AST_FRAGMENT_DEFINITION, &p->tok);
    n->description = parse_description(p);
    expect_keyword(p, "fragment");
    set_fragment_name(p, n);
    expect_keyword(p, "on");
    n->type_condition = parse_named_type(p);
    n->directives = parse_directives(p, false);
    n->selection_set = parse_selection_set(p);
    return node_done(p, n);
}

/* ---- type system definitions ---- */

/* Starts a definition node: its description (if any), then its keyword(s). */
static bff_ast_node_t *definition_start(bff_parser_t *p, bff_ast_kind_t kind, const char *keyword)
{
    bff_ast_node_t *n = node_new(p, kind, &p->tok);
    n->description = parse_description(p);
    expect_keyword(p, keyword);
    return n;
}

static bff_ast_node_t *extension_start(bff_parser_t *p, bff_ast_kind_t kind, const char *keyword)
{
    bff_ast_node_t *n = node_new(p, kind, &p->tok);
    expect_keyword(p, "extend");
    expect_keyword(p, keyword);
    return n;
}

static bff_ast_node_t *parse_operation_type_definition(bff_parser_t *p)
{
    bff_ast_node_t *n = node_new(p, BFF_AST_OPERATION_TYPE_DEFINITION, &p->tok);
    n->operation = parse_operation_type(p);
    expect_token(p, BFF_TOK_COLON);
    n->type = parse_named_type(p);
    return node_done(p, n);
}

static bff_ast_node_t *parse_input_value_def(bff_parser_t *p)
{
    bff_ast_node_t *n = node_new(p, BFF_AST_INPUT_VALUE_DEFINITION, &p->tok);
    n->description = parse_description(p);
    parse_name_into(p, n);
    expect_token(p, BFF_TOK_COLON);
    n->type = parse_type_reference(p);
    if (expect_optional_token(p, BFF_TOK_EQUALS))
        n->default_value = parse_value_literal(p, true);
    n->directives = parse_directives(p, true);
    return node_done(p, n);
}

static bff_ast_list_t parse_argument_defs(bff_parser_t *p)
{
    return optional_many(p, BFF_TOK_PAREN_L, parse_input_value_def, BFF_TOK_PAREN_R);
}

static bff_ast_node_t *parse_field_definition(bff_parser_t *p)
{
    bff_ast_node_t *n = node_new(p, BFF_AST_FIELD_DEFINITION, &p->tok);
    n->description = parse_description(p);
    parse_name_into(p, n);
    n->arguments = parse_argument_defs(p);
    expect_token(p, BFF_TOK_COLON);
    n->type = parse_type_reference(p);
    n->directives = parse_directives(p, true);
    return node_done(p, n);
}

static bff_ast_node_t *parse_enum_value_definition(bff_parser_t *p)
{
    bff_ast_node_t *n = node_new(p, BFF_AST_ENUM_VALUE_DEFINITION, &p->tok);
    n->description = parse_description(p);
    if (token_is_keyword(p, &p->tok, "true") || token_is_keyword(p, &p->tok, "false") ||
        token_is_keyword(p, &p->tok, "null"))
        FAILF(p, p->tok.start, "%s is reserved and cannot be used for an enum value.", desc(p, &p->tok));
    parse_name_into(p, n);
    n->directives = parse_directives(p, true);
    return node_done(p, n);
}

static bff_ast_node_t *parse_directive_location(bff_parser_t *p)
{
    bff_token_t start = p->tok;
    bff_ast_node_t *n = parse_name_node(p);
    static const char *const locations[] = {
        "QUERY", "MUTATION", "SUBSCRIPTION", "FIELD", "FRAGMENT_DEFINITION", "FRAGMENT_SPREAD", "INLINE_FRAGMENT",
        "VARIABLE_DEFINITION", "SCHEMA", "SCALAR", "OBJECT", "FIELD_DEFINITION", "ARGUMENT_DEFINITION", "INTERFACE",
        "UNION", "ENUM", "ENUM_VALUE", "INPUT_OBJECT", "INPUT_FIELD_DEFINITION"};
    for (size_t i = 0; i < sizeof(locations) / sizeof(locations[0]); ++i)
        if (strcmp(n->name, locations[i]) == 0)
            return n;
    unexpected(p, &start);
}

/* The members shared by object and interface definitions and extensions. */
static void parse_object_like(bff_parser_t *p, bff_ast_node_t *n)
{
    parse_name_into(p, n);
    if (expect_optional_keyword(p, "implements"))
        n->interfaces = delimited_many(p, BFF_TOK_AMP, parse_named_type);
    n->directives = parse_directives(p, true);
    n->fields = optional_many(p, BFF_TOK_BRACE_L, parse_field_definition, BFF_TOK_BRACE_R);
}

static void parse_union_like(bff_parser_t *p, bff_ast_node_t *n)
{
    parse_name_into(p, n);
    n->directives = parse_directives(p, true);
    if (expect_optional_token(p, BFF_TOK_EQUALS))
        n->types = delimited_many(p, BFF_TOK_PIPE, parse_named_type);
}

static void parse_enum_like(bff_parser_t *p, bff_ast_node_t *n)
{
    parse_name_into(p, n);
    n->directives = parse_directives(p, true);
    n->values = optional_many(p, BFF_TOK_BRACE_L, parse_enum_value_definition, BFF_TOK_BRACE_R);
}

static void parse_input_like(bff_parser_t *p, bff_ast_node_t *n)
{
    parse_name_into(p, n);
    n->directives = parse_directives(p, true);
    n->fields = optional_many(p, BFF_TOK_BRACE_L, parse_input_value_def, BFF_TOK_BRACE_R);
}

static bff_ast_node_t *parse_type_system_definition(bff_parser_t *p, const bff_token_t *keyword)
{
    bff_ast_node_t *n;
    if (token_is_keyword(p, keyword, "schema")) {
        n = definition_start(p, BFF_AST_SCHEMA_DEFINITION, "schema");
        n->directives = parse_directives(p, true);
        n->operation_types = many(p, BFF_TOK_BRACE_L, parse_operation_type_definition, BFF_TOK_BRACE_R);
    } else if (token_is_keyword(p, keyword, "scalar")) {
        n = definition_start(p, BFF_AST_SCALAR_TYPE_DEFINITION, "scalar");
        parse_name_into(p, n);
        n->directives = parse_directives(p, true);
    } else if (token_is_keyword(p, keyword, "type")) {
        n = definition_start(p, BFF_AST_OBJECT_TYPE_DEFINITION, "type");
        parse_object_like(p, n);
    } else if (token_is_keyword(p, keyword, "interface")) {
        n = definition_start(p, BFF_AST_INTERFACE_TYPE_DEFINITION, "interface");
        parse_object_like(p, n);
    } else if (token_is_keyword(p, keyword, "union")) {
        n = definition_start(p, BFF_AST_UNION_TYPE_DEFINITION, "union");
        parse_union_like(p, n);
    } else if (token_is_keyword(p, keyword, "enum")) {
        n = definition_start(p, BFF_AST_ENUM_TYPE_DEFINITION, "enum");
        parse_enum_like(p, n);
    } else if (token_is_keyword(p, keyword, "input")) {
        n = definition_start(p, BFF_AST_INPUT_OBJECT_TYPE_DEFINITION, "input");
        parse_input_like(p, n);
    } else if (token_is_keyword(p, keyword, "directive")) {
        n = definition_start(p, BFF_AST_DIRECTIVE_DEFINITION, "directive");
        expect_token(p, BFF_TOK_AT);
        parse_name_into(p, n);
        n->arguments = parse_argument_defs(p);
        n->repeatable = expect_optional_keyword(p, "repeatable");
        expect_keyword(p, "on");
        n->locations = delimited_many(p, BFF_TOK_PIPE, parse_directive_location);
    } else {
        return NULL;
    }
    return node_done(p, n);
}

static bff_ast_node_t *parse_type_system_extension(bff_parser_t *p)
{
    bff_token_t keyword = lookahead(p);
    bff_ast_node_t *n;
    bool empty;
    if (token_is_keyword(p, &keyword, "schema")) {
        n = extension_start(p, BFF_AST_SCHEMA_EXTENSION, "schema");
        n->directives = parse_directives(p, true);
        n->operation_types = optional_many(p, BFF_TOK_BRACE_L, parse_operation_type_definition, BFF_TOK_BRACE_R);
        empty = n->directives.len == 0 && n->operation_types.len == 0;
    } else if (token_is_keyword(p, &keyword, "scalar")) {
        n = extension_start(p, BFF_AST_SCALAR_TYPE_EXTENSION, "scalar");
        parse_name_into(p, n);
        n->directives = parse_directives(p, true);
        empty = n->directives.len == 0;
    } else if (token_is_keyword(p, &keyword, "type") || token_is_keyword(p, &keyword, "interface")) {
        bool is_type = token_is_keyword(p, &keyword, "type");
        n = extension_start(p, is_type ? BFF_AST_OBJECT_TYPE_EXTENSION : BFF_AST_INTERFACE_TYPE_EXTENSION,
                            is_type ? "type" : "interface");
        parse_object_like(p, n);
        empty = n->interfaces.len == 0 && n->directives.len == 0 && n->fields.len == 0;
    } else if (token_is_keyword(p, &keyword, "union")) {
        n = extension_start(p, BFF_AST_UNION_TYPE_EXTENSION, "union");
        parse_union_like(p, n);
        empty = n->directives.len == 0 && n->types.len == 0;
    } else if (token_is_keyword(p, &keyword, "enum")) {
        n = extension_start(p, BFF_AST_ENUM_TYPE_EXTENSION, "enum");
        parse_enum_like(p, n);
        empty = n->directives.len == 0 && n->values.len == 0;
    } else if (token_is_keyword(p, &keyword, "input")) {
        n = extension_start(p, BFF_AST_INPUT_OBJECT_TYPE_EXTENSION, "input");
        parse_input_like(p, n);
        empty = n->directives.len == 0 && n->fields.len == 0;
    } else {
        unexpected(p, &keyword);
    }
    if (empty)
        unexpected(p, NULL);
    return node_done(p, n);
}

static bff_ast_node_t *parse_definition(bff_parser_t *p)
{
    if (peek(p, BFF_TOK_BRACE_L))
        return parse_operation_definition(p);
    bool has_description = peek_description(p);
    bff_token_t keyword = has_description ? lookahead(p) : p->tok;
    if (has_description && keyword.kind == BFF_TOK_BRACE_L)
        FAILF(p, p->tok.start, "Unexpected description, descriptions are not supported on shorthand queries.");
    if (keyword.kind == BFF_TOK_NAME) {
        bff_ast_node_t *n = parse_type_system_definition(p, &keyword);
        if (n != NULL)
            return n;
        if (token_is_keyword(p, &keyword, "query") || token_is_keyword(p, &keyword, "mutation") ||
            token_is_keyword(p, &keyword, "subscription"))
            return parse_operation_definition(p);
        if (token_is_keyword(p, &keyword, "fragment"))
            return parse_fragment_definition(p);
        if (has_description)
            FAILF(p, p->tok.start, "Unexpected description, only GraphQL definitions support descriptions.");
        if (token_is_keyword(p, &keyword, "extend"))
            return parse_type_system_extension(p);
    }
    unexpected(p, &keyword);
}

/* ---- entry points ---- */

static void parser_init(bff_parser_t *p, bff_arena_t *arena, const char *src, size_t len)
{
    memset(p, 0, sizeof(*p));
    p->arena = arena;
    bff_lexer_init(&p->lx, src, len, arena);
    p->lx.fail = fail_at;
    p->lx.fail_ctx = p;
    p->tok.kind = BFF_TOK_SOF;
    p->tok.line = 1;
    p->tok.column = 1;
}

bff_ast_node_t *bff_gql_parse(bff_arena_t *arena, const char *src, size_t len, const bff_parse_options_t *opts,
                              bff_gql_errors_t *errs)
{
    /* volatile: modified between setjmp and longjmp */
    bff_parser_t *volatile p = bff_xcalloc(1, sizeof(*p));
    bff_ast_node_t *volatile doc = NULL;
    parser_init(p, arena, src, len);
    p->max_tokens = opts ? opts->max_tokens : 0;
    p->max_depth = opts && opts->max_depth ? opts->max_depth : DEFAULT_MAX_DEPTH;
    if (len > UINT32_MAX) {
        bff_gql_errors_addf(errs, arena, NULL, "Syntax Error: Document is larger than %u bytes.", UINT32_MAX);
        goto done;
    }
    if (setjmp(p->jmp) == 0) {
        bff_ast_node_t *d = node_new(p, BFF_AST_DOCUMENT, &p->tok);
        d->definitions = many(p, BFF_TOK_SOF, parse_definition, BFF_TOK_EOF);
        d->loc.end = (uint32_t)len;
        doc = d;
    } else {
        bff_gql_error_t *e = bff_gql_errors_addf(errs, arena, NULL, "Syntax Error: %s", p->err_message);
        bff_ast_loc_t loc = {0, 0, (uint32_t)p->err_offset, (uint32_t)p->err_offset};
        bff_lexer_position(src, len, p->err_offset, &loc.line, &loc.column);
        bff_gql_error_add_loc(e, arena, loc);
    }
done:
    free(p->stack);
    free(p);
    return doc;
}

static void count_fail(void *ctx, size_t offset, const char *message) __attribute__((noreturn));
static void count_fail(void *ctx, size_t offset, const char *message)
{
    longjmp(*(jmp_buf *)ctx, 1);
}

size_t bff_gql_count_tokens(const char *src, size_t len)
{
    bff_arena_t *arena = bff_arena_new(0);
    jmp_buf jmp;
    bff_lexer_t lx;
    bff_token_t t;
    volatile size_t n = 0;
    bff_lexer_init(&lx, src, len, arena);
    lx.fail = count_fail;
    lx.fail_ctx = &jmp;
    if (setjmp(jmp) == 0) {
        for (;;) {
            bff_lexer_next(&lx, &t);
            if (t.kind == BFF_TOK_EOF)
                break;
            ++n;
        }
    }
    bff_arena_free(arena);
    return n;
}
