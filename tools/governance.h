/*
 * governance.h - bff-schema lint, diff and check (see governance.c).
 */
#ifndef BFF_TOOLS_GOVERNANCE_H
#define BFF_TOOLS_GOVERNANCE_H

int bff_cmd_lint(int argc, char **argv);
int bff_cmd_diff(int argc, char **argv);
int bff_cmd_check(int argc, char **argv);

#endif
