/* Commands of the snapshot family (placeholder table until the family lands). */
#include "cli.h"

const struct cli_command cli_cmds_snapshot[] = {
        {0},
};
