/* Commands of the container family (placeholder table until the family lands). */
#include "cli.h"

const struct cli_command cli_cmds_container[] = {
        {0},
};
