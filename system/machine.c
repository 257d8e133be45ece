/*
 * machine.c — the machine registry and shutdown requests.
 * Machine types register from constructors, before main() runs.
 */
#include "system/machine.h"

#include <stdio.h>
#include <string.h>

#include "system/cpus.h"

#define MAX_MACHINES 16
static const MachineClass *machines[MAX_MACHINES];
static int nb_machines;

void machine_register(const MachineClass *mc)
{
    if (nb_machines < MAX_MACHINES) {
        machines[nb_machines++] = mc;
    }
}

const MachineClass *machine_find(const char *name)
{
    for (int i = 0; i < nb_machines; i++) {
        if (strcmp(machines[i]->name, name) == 0) {
            return machines[i];
        }
    }
    return NULL;
}

const MachineClass *machine_default(void)
{
    return nb_machines ? machines[0] : NULL;
}

void machine_list(FILE *f)
{
    fprintf(f, "Supported machines are:\n");
    for (int i = 0; i < nb_machines; i++) {
        fprintf(f, "%-20s %s%s\n", machines[i]->name, machines[i]->desc,
                i == 0 ? " (default)" : "");
    }
}

void machine_request_shutdown(Machine *m, int kind, int status)
{
    cpus_request_shutdown(m, kind, status);
}
