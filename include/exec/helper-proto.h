/* helper-proto.h — C prototypes of the helpers listed in HELPER_H (see helper-head.h) */
#include "exec/helper-head.h"

#define DEF_HELPER_0(n, f, r) dh_ctype(r) helper_##n(void);
#define DEF_HELPER_1(n, f, r, a1) dh_ctype(r) helper_##n(dh_ctype(a1));
#define DEF_HELPER_2(n, f, r, a1, a2) dh_ctype(r) helper_##n(dh_ctype(a1), dh_ctype(a2));
#define DEF_HELPER_3(n, f, r, a1, a2, a3)                                              \
    dh_ctype(r) helper_##n(dh_ctype(a1), dh_ctype(a2), dh_ctype(a3));
#define DEF_HELPER_4(n, f, r, a1, a2, a3, a4)                                          \
    dh_ctype(r) helper_##n(dh_ctype(a1), dh_ctype(a2), dh_ctype(a3), dh_ctype(a4));
#define DEF_HELPER_5(n, f, r, a1, a2, a3, a4, a5)                                      \
    dh_ctype(r) helper_##n(dh_ctype(a1), dh_ctype(a2), dh_ctype(a3), dh_ctype(a4),      \
                           dh_ctype(a5));
#define DEF_HELPER_6(n, f, r, a1, a2, a3, a4, a5, a6)                                  \
    dh_ctype(r) helper_##n(dh_ctype(a1), dh_ctype(a2), dh_ctype(a3), dh_ctype(a4),      \
                           dh_ctype(a5), dh_ctype(a6));
#define DEF_HELPER_7(n, f, r, a1, a2, a3, a4, a5, a6, a7)                              \
    dh_ctype(r) helper_##n(dh_ctype(a1), dh_ctype(a2), dh_ctype(a3), dh_ctype(a4),      \
                           dh_ctype(a5), dh_ctype(a6), dh_ctype(a7));

#include HELPER_H

#undef DEF_HELPER_0
#undef DEF_HELPER_1
#undef DEF_HELPER_2
#undef DEF_HELPER_3
#undef DEF_HELPER_4
#undef DEF_HELPER_5
#undef DEF_HELPER_6
#undef DEF_HELPER_7
