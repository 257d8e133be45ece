/* helper-gen.h — gen_helper_* emitters for the helpers listed in HELPER_H */
#include "exec/helper-head.h"
#include "tcg/tcg-op.h"

#define DEF_HELPER_0(n, f, r)                                                          \
    extern const TCGHelperInfo helper_info_##n;                                        \
    static inline void gen_helper_##n(dh_retarg(r) int dummy_)                         \
    {                                                                                  \
        (void)dummy_;                                                                  \
        tcg_gen_callN(&helper_info_##n, dh_retidx(r), 0, NULL);                        \
    }
#define DEF_HELPER_1(n, f, r, a1)                                                      \
    extern const TCGHelperInfo helper_info_##n;                                        \
    static inline void gen_helper_##n(dh_retarg(r) dh_gentype(a1) arg1)                \
    {                                                                                  \
        int a_[1] = {dh_idx(a1, arg1)};                                                \
        tcg_gen_callN(&helper_info_##n, dh_retidx(r), 1, a_);                          \
    }
#define DEF_HELPER_2(n, f, r, a1, a2)                                                  \
    extern const TCGHelperInfo helper_info_##n;                                        \
    static inline void gen_helper_##n(dh_retarg(r) dh_gentype(a1) arg1,                \
                                      dh_gentype(a2) arg2)                             \
    {                                                                                  \
        int a_[2] = {dh_idx(a1, arg1), dh_idx(a2, arg2)};                              \
        tcg_gen_callN(&helper_info_##n, dh_retidx(r), 2, a_);                          \
    }
#define DEF_HELPER_3(n, f, r, a1, a2, a3)                                              \
    extern const TCGHelperInfo helper_info_##n;                                        \
    static inline void gen_helper_##n(dh_retarg(r) dh_gentype(a1) arg1,                \
                                      dh_gentype(a2) arg2, dh_gentype(a3) arg3)        \
    {                                                                                  \
        int a_[3] = {dh_idx(a1, arg1), dh_idx(a2, arg2), dh_idx(a3, arg3)};            \
        tcg_gen_callN(&helper_info_##n, dh_retidx(r), 3, a_);                          \
    }
#define DEF_HELPER_4(n, f, r, a1, a2, a3, a4)                                          \
    extern const TCGHelperInfo helper_info_##n;                                        \
    static inline void gen_helper_##n(dh_retarg(r) dh_gentype(a1) arg1,                \
                                      dh_gentype(a2) arg2, dh_gentype(a3) arg3,        \
                                      dh_gentype(a4) arg4)                             \
    {                                                                                  \
        int a_[4] = {dh_idx(a1, arg1), dh_idx(a2, arg2), dh_idx(a3, arg3),             \
                     dh_idx(a4, arg4)};                                                \
        tcg_gen_callN(&helper_info_##n, dh_retidx(r), 4, a_);                          \
    }
#define DEF_HELPER_5(n, f, r, a1, a2, a3, a4, a5)                                      \
    extern const TCGHelperInfo helper_info_##n;                                        \
    static inline void gen_helper_##n(dh_retarg(r) dh_gentype(a1) arg1,                \
                                      dh_gentype(a2) arg2, dh_gentype(a3) arg3,        \
                                      dh_gentype(a4) arg4, dh_gentype(a5) arg5)        \
    {                                                                                  \
        int a_[5] = {dh_idx(a1, arg1), dh_idx(a2, arg2), dh_idx(a3, arg3),             \
                     dh_idx(a4, arg4), dh_idx(a5, arg5)};                              \
        tcg_gen_callN(&helper_info_##n, dh_retidx(r), 5, a_);                          \
    }
#define DEF_HELPER_6(n, f, r, a1, a2, a3, a4, a5, a6)                                  \
    extern const TCGHelperInfo helper_info_##n;                                        \
    static inline void gen_helper_##n(dh_retarg(r) dh_gentype(a1) arg1,                \
                                      dh_gentype(a2) arg2, dh_gentype(a3) arg3,        \
                                      dh_gentype(a4) arg4, dh_gentype(a5) arg5,        \
                                      dh_gentype(a6) arg6)                             \
    {                                                                                  \
        int a_[6] = {dh_idx(a1, arg1), dh_idx(a2, arg2), dh_idx(a3, arg3),             \
                     dh_idx(a4, arg4), dh_idx(a5, arg5), dh_idx(a6, arg6)};            \
        tcg_gen_callN(&helper_info_##n, dh_retidx(r), 6, a_);                          \
    }
#define DEF_HELPER_7(n, f, r, a1, a2, a3, a4, a5, a6, a7)                              \
    extern const TCGHelperInfo helper_info_##n;                                        \
    static inline void gen_helper_##n(dh_retarg(r) dh_gentype(a1) arg1,                \
                                      dh_gentype(a2) arg2, dh_gentype(a3) arg3,        \
                                      dh_gentype(a4) arg4, dh_gentype(a5) arg5,        \
                                      dh_gentype(a6) arg6, dh_gentype(a7) arg7)        \
    {                                                                                  \
        int a_[7] = {dh_idx(a1, arg1), dh_idx(a2, arg2), dh_idx(a3, arg3),             \
                     dh_idx(a4, arg4), dh_idx(a5, arg5), dh_idx(a6, arg6),             \
                     dh_idx(a7, arg7)};                                                \
        tcg_gen_callN(&helper_info_##n, dh_retidx(r), 7, a_);                          \
    }

#include HELPER_H

#undef DEF_HELPER_0
#undef DEF_HELPER_1
#undef DEF_HELPER_2
#undef DEF_HELPER_3
#undef DEF_HELPER_4
#undef DEF_HELPER_5
#undef DEF_HELPER_6
#undef DEF_HELPER_7
