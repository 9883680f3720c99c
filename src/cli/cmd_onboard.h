/* Client onboarding and each account's agent (src/cli/cmd_onboard.c; docs/cli.md#onboard,
 * docs/cli.md#agent). argc/argv start at the command name. */
#ifndef RA_CLI_CMD_ONBOARD_H
#define RA_CLI_CMD_ONBOARD_H

int cmd_onboard(int argc, char **argv);
int cmd_agent(int argc, char **argv);

#endif
