/* The book-of-record commands (src/cli/cmd_book.c; docs/cli.md): init, import, securities,
 * reconcile, check, valuation. argc/argv start at the command name. */
#ifndef RA_CLI_CMD_BOOK_H
#define RA_CLI_CMD_BOOK_H

int cmd_init(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_securities(int argc, char **argv);
int cmd_reconcile(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_valuation(int argc, char **argv);

#endif
