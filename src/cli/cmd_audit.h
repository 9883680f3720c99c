/* The audit command (src/cli/cmd_audit.c; docs/cli.md#audit): verify, checkpoint. argc/argv
 * start at the command name. */
#ifndef RA_CLI_CMD_AUDIT_H
#define RA_CLI_CMD_AUDIT_H

int cmd_audit(int argc, char **argv);

#endif
