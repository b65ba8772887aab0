/* The policy-author commands of docs/design.md's command table. Each returns
 * the process exit code: 0 success, 1 refused or invalid, 2 usage. */
#ifndef HS_COMMANDS_H
#define HS_COMMANDS_H

int hs_cmd_harden(int argc, char **argv);
int hs_cmd_check(int argc, char **argv);
int hs_cmd_explain(int argc, char **argv);
int hs_cmd_verify(int argc, char **argv); /* shim/verify_cmd.c */

#endif
