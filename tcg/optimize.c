/*
 * optimize.c — forward IR optimisation pass (placeholder: leaves the op
 * list unchanged; the folding pass is being written).
 */
#include "tcg/tcg.h"

void tcg_optimize(TCGContext *s)
{
    (void)s;
}
