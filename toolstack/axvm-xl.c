/* SPDX-License-Identifier: MIT */
/* axvm-xl's main(): the commands themselves are in main.c and cmd_*.c. */
#include "xl.h"

int main(int argc, char **argv)
{
    struct cli cli = {.out = stdout, .err = stderr, .prog = "axvm-xl"};
    int status = xl_main(&cli, argc, argv);

    if (cli.ctl) {
        axvmctl_close(cli.ctl);
    }
    return status;
}
