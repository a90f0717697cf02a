/* SPDX-License-Identifier: MIT */
/*
 * Stand-ins for the seven ICU functions Debian's static libxml2.a refers to, so dom0's static
 * axvm-xl needs no ICU (which would add about 32 MB of data). Opening a converter always fails,
 * so libxml2 treats encodings only ICU knows as unsupported; UTF-8, UTF-16, Latin-1 and what
 * iconv offers still work, and our XML files are UTF-8. ICU's symbols carry its major version
 * (ucnv_open_72): dom0/build.mk reads it from libxml2.a and passes it as ICU_SUFFIX.
 */
#include <stddef.h>
#include <stdint.h>

#ifndef ICU_SUFFIX
#error "build with -DICU_SUFFIX=<ICU major version>, as dom0/build.mk does"
#endif

#define ICU_PASTE(name, suffix) name##_##suffix
#define ICU_NAME2(name, suffix) ICU_PASTE(name, suffix)
#define ICU_NAME(name)          ICU_NAME2(name, ICU_SUFFIX)

/* The ICU types, reduced to what the calling convention needs. */
typedef int icu_error;              /* UErrorCode: > 0 is a failure */
typedef uint16_t icu_uchar;         /* UChar */
typedef int8_t icu_bool;            /* UBool */
typedef void icu_callback_fn(void); /* the callbacks are only passed around */
struct icu_converter;

#define ICU_UNSUPPORTED_ERROR 16 /* U_UNSUPPORTED_ERROR */

static void fail(icu_error *err)
{
    if (err && *err <= 0) {
        *err = ICU_UNSUPPORTED_ERROR;
    }
}

struct icu_converter *ICU_NAME(ucnv_open)(const char *name, icu_error *err);
void ICU_NAME(ucnv_close)(struct icu_converter *cnv);
void ICU_NAME(ucnv_convertEx)(struct icu_converter *to, struct icu_converter *from, char **target,
                              const char *target_limit, const char **source,
                              const char *source_limit, icu_uchar *pivot_start,
                              icu_uchar **pivot_source, icu_uchar **pivot_target,
                              const icu_uchar *pivot_limit, icu_bool reset, icu_bool flush,
                              icu_error *err);
void ICU_NAME(ucnv_setFromUCallBack)(struct icu_converter *cnv, icu_callback_fn *fn,
                                     const void *ctx, icu_callback_fn **old_fn,
                                     const void **old_ctx, icu_error *err);
void ICU_NAME(ucnv_setToUCallBack)(struct icu_converter *cnv, icu_callback_fn *fn, const void *ctx,
                                   icu_callback_fn **old_fn, const void **old_ctx, icu_error *err);
void ICU_NAME(UCNV_FROM_U_CALLBACK_STOP)(const void *ctx, void *args, const icu_uchar *units,
                                         int32_t length, int32_t code_point, int reason,
                                         icu_error *err);
void ICU_NAME(UCNV_TO_U_CALLBACK_STOP)(const void *ctx, void *args, const char *units,
                                       int32_t length, int reason, icu_error *err);

struct icu_converter *ICU_NAME(ucnv_open)(const char *name, icu_error *err)
{
    (void)name;
    fail(err);
    return NULL;
}

void ICU_NAME(ucnv_close)(struct icu_converter *cnv)
{
    (void)cnv;
}

/* Unreachable while ucnv_open fails; fail cleanly all the same. */
void ICU_NAME(ucnv_convertEx)(struct icu_converter *to, struct icu_converter *from, char **target,
                              const char *target_limit, const char **source,
                              const char *source_limit, icu_uchar *pivot_start,
                              icu_uchar **pivot_source, icu_uchar **pivot_target,
                              const icu_uchar *pivot_limit, icu_bool reset, icu_bool flush,
                              icu_error *err)
{
    (void)to, (void)from, (void)target, (void)target_limit, (void)source, (void)source_limit;
    (void)pivot_start, (void)pivot_source, (void)pivot_target, (void)pivot_limit;
    (void)reset, (void)flush;
    fail(err);
}

void ICU_NAME(ucnv_setFromUCallBack)(struct icu_converter *cnv, icu_callback_fn *fn,
                                     const void *ctx, icu_callback_fn **old_fn,
                                     const void **old_ctx, icu_error *err)
{
    (void)cnv, (void)fn, (void)ctx, (void)old_fn, (void)old_ctx;
    fail(err);
}

void ICU_NAME(ucnv_setToUCallBack)(struct icu_converter *cnv, icu_callback_fn *fn, const void *ctx,
                                   icu_callback_fn **old_fn, const void **old_ctx, icu_error *err)
{
    (void)cnv, (void)fn, (void)ctx, (void)old_fn, (void)old_ctx;
    fail(err);
}

void ICU_NAME(UCNV_FROM_U_CALLBACK_STOP)(const void *ctx, void *args, const icu_uchar *units,
                                         int32_t length, int32_t code_point, int reason,
                                         icu_error *err)
{
    (void)ctx, (void)args, (void)units, (void)length, (void)code_point, (void)reason, (void)err;
}

void ICU_NAME(UCNV_TO_U_CALLBACK_STOP)(const void *ctx, void *args, const char *units,
                                       int32_t length, int reason, icu_error *err)
{
    (void)ctx, (void)args, (void)units, (void)length, (void)reason, (void)err;
}
