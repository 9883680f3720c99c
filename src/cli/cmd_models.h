/* Model portfolios and candidate screening (src/cli/cmd_models.c, src/cli/cmd_screen.c;
 * docs/cli.md#models, #screen). argc/argv start at the command name. */
#ifndef RA_CLI_CMD_MODELS_H
#define RA_CLI_CMD_MODELS_H

int cmd_models(int argc, char **argv);
int cmd_screen(int argc, char **argv);

#endif
