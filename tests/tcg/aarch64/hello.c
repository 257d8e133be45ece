/* hello.c — smallest bare-metal test: UART output and PSCI power-off. */
#include "lib.h"

int main(void)
{
    puts_uart("hello from aarch64\n");
    return 0;
}
