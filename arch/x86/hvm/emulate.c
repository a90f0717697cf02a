/* SPDX-License-Identifier: MIT */
/*
 * The decoder behind <x86/emulate.h>: prefixes, REX, ModRM, SIB and displacements, for the
 * MOV, MOVZX, MOVSX, MOVSXD and STOS forms that reach emulated MMIO, and the register side of
 * such an access (AMD APM vol. 3 ch. 1 "Instruction Encoding"; Intel SDM vol. 2A ch. 2).
 */
#include <hv/compiler.h>
#include <public/axvm/errno.h>
#include <x86/emulate.h>

#define REX_W 0x08
#define REX_R 0x04

#define RFLAGS_DF (1ull << 10)

#define OPCODE_ESCAPE 0x0f

enum form {
    FORM_NONE,      /* not emulated */
    FORM_MODRM,     /* a register and a memory operand */
    FORM_MODRM_IMM, /* MOV r/m, imm: C6 /0 and C7 /0 */
    FORM_MOFFS,     /* MOV between the accumulator and an absolute address: A0-A3 */
    FORM_STOS,      /* AA, AB */
};

struct opcode {
    uint8_t form;     /* enum form */
    bool is_write;    /* stores to memory */
    bool is_byte;     /* operates on 8 bits whatever the prefixes say */
    bool is_movsxd;   /* 63: only in 64-bit mode, and its size depends on REX.W */
    uint8_t src_size; /* MOVZX, MOVSX, MOVSXD: bytes read; 0 means the operand size */
    uint8_t extend;   /* enum x86_extend */
};

static const struct opcode one_byte_opcodes[256] = {
    /* MOVSXD r, r/m32 */
    [0x63] = {.form = FORM_MODRM, .is_movsxd = true, .src_size = 4, .extend = X86_EXTEND_SIGN},
    [0x88] = {.form = FORM_MODRM, .is_write = true, .is_byte = true},     /* MOV r/m8, r8 */
    [0x89] = {.form = FORM_MODRM, .is_write = true},                      /* MOV r/m, r */
    [0x8a] = {.form = FORM_MODRM, .is_byte = true},                       /* MOV r8, r/m8 */
    [0x8b] = {.form = FORM_MODRM},                                        /* MOV r, r/m */
    [0xa0] = {.form = FORM_MOFFS, .is_byte = true},                       /* MOV AL, moffs */
    [0xa1] = {.form = FORM_MOFFS},                                        /* MOV rAX, moffs */
    [0xa2] = {.form = FORM_MOFFS, .is_write = true, .is_byte = true},     /* MOV moffs, AL */
    [0xa3] = {.form = FORM_MOFFS, .is_write = true},                      /* MOV moffs, rAX */
    [0xaa] = {.form = FORM_STOS, .is_write = true, .is_byte = true},      /* STOSB */
    [0xab] = {.form = FORM_STOS, .is_write = true},                       /* STOSW/D/Q */
    [0xc6] = {.form = FORM_MODRM_IMM, .is_write = true, .is_byte = true}, /* MOV r/m8, imm8 */
    [0xc7] = {.form = FORM_MODRM_IMM, .is_write = true},                  /* MOV r/m, imm */
};

/* After the 0F escape byte: MOVZX and MOVSX r, r/m8 or r/m16. */
static const struct opcode two_byte_opcodes[256] = {
    [0xb6] = {.form = FORM_MODRM, .src_size = 1, .extend = X86_EXTEND_ZERO},
    [0xb7] = {.form = FORM_MODRM, .src_size = 2, .extend = X86_EXTEND_ZERO},
    [0xbe] = {.form = FORM_MODRM, .src_size = 1, .extend = X86_EXTEND_SIGN},
    [0xbf] = {.form = FORM_MODRM, .src_size = 2, .extend = X86_EXTEND_SIGN},
};

struct decoder {
    const uint8_t *bytes;
    size_t limit; /* bytes that may be read: the input, but never more than 15 */
    size_t pos;
    enum x86_mode mode;
    bool has_opsize;   /* 66 */
    bool has_addrsize; /* 67 */
    bool has_rep;      /* F2 or F3 */
    bool has_lock;     /* F0 */
    uint8_t rex;       /* the REX byte right before the opcode, or 0 */
};

static int next_byte(struct decoder *d, uint8_t *byte)
{
    if (d->pos >= d->limit) {
        return -AXVM_EINVAL;
    }
    *byte = d->bytes[d->pos++];
    return 0;
}

/* Read a little-endian field of size_bytes (at most 8). */
static int next_field(struct decoder *d, size_t size_bytes, uint64_t *value)
{
    uint64_t v = 0;

    if (size_bytes > d->limit - d->pos) {
        return -AXVM_EINVAL;
    }
    for (size_t i = size_bytes; i-- > 0;) {
        v = v << 8 | d->bytes[d->pos + i];
    }
    d->pos += size_bytes;
    *value = v;
    return 0;
}

static int skip_bytes(struct decoder *d, size_t size_bytes)
{
    uint64_t unused;

    return next_field(d, size_bytes, &unused);
}

/* Returns: whether byte is a legacy prefix (AMD APM vol. 3, "Instruction Prefixes"). */
static bool note_legacy_prefix(struct decoder *d, uint8_t byte)
{
    switch (byte) {
    case 0x66:
        d->has_opsize = true;
        return true;
    case 0x67:
        d->has_addrsize = true;
        return true;
    case 0xf2:
    case 0xf3:
        d->has_rep = true;
        return true;
    case 0xf0:
        d->has_lock = true;
        return true;
    case 0x26: /* segment overrides: the fault already gave us the address */
    case 0x2e:
    case 0x36:
    case 0x3e:
    case 0x64:
    case 0x65:
        return true;
    default:
        return false;
    }
}

/*
 * Consume the prefixes and return the first opcode byte. A REX prefix counts only when the
 * opcode follows it directly; one followed by a legacy prefix is ignored (Intel SDM vol. 2A
 * §2.2.1 "REX Prefixes"). Outside 64-bit mode 40-4F are INC/DEC opcodes.
 */
static int read_first_opcode_byte(struct decoder *d, uint8_t *opcode)
{
    for (;;) {
        uint8_t byte;
        int rc = next_byte(d, &byte);

        if (rc) {
            return rc;
        }
        if (d->mode == X86_MODE_64 && (byte & 0xf0) == 0x40) {
            d->rex = byte;
        } else if (note_legacy_prefix(d, byte)) {
            d->rex = 0;
        } else {
            *opcode = byte;
            return 0;
        }
    }
}

static int read_opcode(struct decoder *d, const struct opcode **op)
{
    uint8_t byte;
    int rc = read_first_opcode_byte(d, &byte);

    if (rc) {
        return rc;
    }
    if (byte != OPCODE_ESCAPE) {
        *op = &one_byte_opcodes[byte];
        return 0;
    }
    rc = next_byte(d, &byte);
    if (rc) {
        return rc;
    }
    *op = &two_byte_opcodes[byte];
    return 0;
}

/* Operand size: 66 toggles the mode's default, and REX.W wins over 66. */
static uint8_t operand_size(const struct decoder *d)
{
    if (d->rex & REX_W) {
        return 8;
    }
    if (d->mode == X86_MODE_16) {
        return d->has_opsize ? 4 : 2;
    }
    return d->has_opsize ? 2 : 4;
}

/* Address size: 67 selects the other size the mode allows (64-bit mode: 32 bits). */
static uint8_t address_size(const struct decoder *d)
{
    switch (d->mode) {
    case X86_MODE_16:
        return d->has_addrsize ? 4 : 2;
    case X86_MODE_32:
        return d->has_addrsize ? 2 : 4;
    default:
        return d->has_addrsize ? 4 : 8;
    }
}

/* 16-bit addressing has no SIB; rm 6 with mod 0 is a bare disp16 (Intel SDM vol. 2A, Table 2-1). */
static size_t disp16_size(uint8_t mod, uint8_t rm)
{
    if (mod == 1) {
        return 1;
    }
    return mod == 2 || (mod == 0 && rm == 6) ? 2 : 0;
}

/*
 * Step over the SIB byte and displacement of a memory operand. Only the length matters: the
 * nested page fault already reported the guest-physical address.
 */
static int skip_memory_operand(struct decoder *d, uint8_t modrm)
{
    uint8_t mod = modrm >> 6, rm = modrm & 7, sib;
    int rc;

    if (address_size(d) == 2) {
        return skip_bytes(d, disp16_size(mod, rm));
    }
    if (rm == 4) {
        rc = next_byte(d, &sib);
        if (rc) {
            return rc;
        }
        /* base 5 with mod 0: no base register, a disp32 instead (whatever REX.B says) */
        if (mod == 0 && (sib & 7) == 5) {
            return skip_bytes(d, 4);
        }
    }
    /* rm 5 with mod 0: disp32, RIP-relative in 64-bit mode */
    if (mod == 0 && rm == 5) {
        return skip_bytes(d, 4);
    }
    return skip_bytes(d, mod == 1 ? 1 : mod == 2 ? 4 : 0);
}

/* Read the ModRM byte; register operands (mod 3) never reach memory. */
static int read_memory_modrm(struct decoder *d, uint8_t *modrm)
{
    int rc = next_byte(d, modrm);

    if (rc) {
        return rc;
    }
    if ((*modrm >> 6) == 3) {
        return -AXVM_EOPNOTSUPP;
    }
    return skip_memory_operand(d, *modrm);
}

/*
 * Without any REX prefix, byte registers 4-7 are AH, CH, DH, BH: bits 15:8 of registers 0-3.
 * With one (even 40), they are SPL, BPL, SIL, DIL (Intel SDM vol. 2A §2.2.1.2).
 */
static void set_byte_register(const struct decoder *d, uint8_t reg, struct x86_mmio_insn *insn)
{
    insn->reg = reg;
    if (!d->rex && reg >= 4 && reg < 8) {
        insn->reg = (uint8_t)(reg - 4);
        insn->reg_high8 = true;
    }
}

/*
 * MOVSXD exists only in 64-bit mode (elsewhere 63 is ARPL). Without REX.W, Intel's manual
 * (vol. 2B, "MOVSX/MOVSXD") makes it a plain MOV r32, r/m32, and it is decoded as one; the 16-bit
 * form (66 63) is refused, as only Intel documents it and no compiler emits it.
 */
static bool is_movsxd_emulated(const struct decoder *d)
{
    return d->mode == X86_MODE_64 && ((d->rex & REX_W) || !d->has_opsize);
}

static int decode_modrm(struct decoder *d, const struct opcode *op, struct x86_mmio_insn *insn)
{
    uint8_t modrm, reg;
    int rc;

    if (op->is_movsxd && !is_movsxd_emulated(d)) {
        return -AXVM_EOPNOTSUPP;
    }
    rc = read_memory_modrm(d, &modrm);
    if (rc) {
        return rc;
    }
    reg = (uint8_t)((modrm >> 3 & 7) | (d->rex & REX_R ? 8 : 0));
    insn->reg_size = op->is_byte ? 1 : operand_size(d);
    insn->size = op->src_size ? op->src_size : insn->reg_size;
    /* equal sizes (66 0F B7, MOVSXD without REX.W) make the extension a plain move */
    insn->extend = insn->size < insn->reg_size ? op->extend : X86_EXTEND_NONE;
    if (op->is_byte) {
        set_byte_register(d, reg, insn);
    } else {
        insn->reg = reg;
    }
    return 0;
}

/* C6 /0 takes an imm8; C7 /0 an imm16 or imm32, the latter sign-extended under REX.W. */
static int decode_modrm_imm(struct decoder *d, const struct opcode *op, struct x86_mmio_insn *insn)
{
    uint8_t modrm;
    uint64_t imm;
    int rc = read_memory_modrm(d, &modrm);

    if (rc) {
        return rc;
    }
    if ((modrm >> 3 & 7) != 0) {
        return -AXVM_EOPNOTSUPP;
    }
    insn->size = op->is_byte ? 1 : operand_size(d);
    rc = next_field(d, MIN(insn->size, 4), &imm);
    if (rc) {
        return rc;
    }
    if (insn->size == 8 && (imm & 0x80000000u)) {
        imm |= 0xffffffff00000000ull;
    }
    insn->reg_size = insn->size;
    insn->has_imm = true;
    insn->imm = imm;
    return 0;
}

/* The moffs is as wide as the address size: 8 bytes in 64-bit mode without 67. */
static int decode_moffs(struct decoder *d, const struct opcode *op, struct x86_mmio_insn *insn)
{
    insn->reg = X86_RAX;
    insn->size = op->is_byte ? 1 : operand_size(d);
    insn->reg_size = insn->size;
    return skip_bytes(d, address_size(d));
}

/* F2 repeats STOS just as F3 does (AMD APM vol. 3, "REPx Prefixes"). */
static int decode_stos(struct decoder *d, const struct opcode *op, struct x86_mmio_insn *insn)
{
    insn->reg = X86_RAX;
    insn->size = op->is_byte ? 1 : operand_size(d);
    insn->reg_size = insn->size;
    insn->is_stos = true;
    insn->rep = d->has_rep;
    return 0;
}

static int decode_operands(struct decoder *d, const struct opcode *op, struct x86_mmio_insn *insn)
{
    switch (op->form) {
    case FORM_MODRM:
        return decode_modrm(d, op, insn);
    case FORM_MODRM_IMM:
        return decode_modrm_imm(d, op, insn);
    case FORM_MOFFS:
        return decode_moffs(d, op, insn);
    case FORM_STOS:
        return decode_stos(d, op, insn);
    default:
        return -AXVM_EOPNOTSUPP;
    }
}

/*
 * An opcode that is not emulated is refused as soon as it is read, before its operands, so
 * a truncated one gives -AXVM_EOPNOTSUPP too. LOCK makes every MOV raise #UD, so a locked
 * one can not have faulted on memory and is refused as well.
 */
int x86_decode_mmio(const uint8_t *bytes, size_t len, enum x86_mode mode, struct x86_mmio_insn *out)
{
    struct decoder d = {.bytes = bytes, .limit = MIN(len, X86_MAX_INSN_LEN), .mode = mode};
    struct x86_mmio_insn insn = {0};
    const struct opcode *op;
    int rc = read_opcode(&d, &op);

    if (rc) {
        return rc;
    }
    if (op->form == FORM_NONE || d.has_lock) {
        return -AXVM_EOPNOTSUPP;
    }
    insn.is_write = op->is_write;
    insn.addr_size = address_size(&d);
    rc = decode_operands(&d, op, &insn);
    if (rc) {
        return rc;
    }
    insn.length = (uint8_t)d.pos;
    *out = insn;
    return 0;
}

static uint64_t size_mask(unsigned int size_bytes)
{
    return size_bytes >= 8 ? ~0ull : (1ull << (size_bytes * 8)) - 1;
}

static uint64_t sign_extend(uint64_t value, unsigned int size_bytes)
{
    uint64_t sign = 1ull << (size_bytes * 8 - 1);

    return ((value & size_mask(size_bytes)) ^ sign) - sign;
}

/*
 * Write size_bytes of value into a register: a 32-bit write clears bits 63:32, 8- and 16-bit
 * writes keep the rest (AMD APM vol. 1 §3.1.2, "Zero-Extension of 32-Bit Results"; Intel SDM
 * vol. 1 §3.4.1.1).
 */
static void write_gpr(struct x86_gprs *gprs, uint8_t reg, bool is_high8, unsigned int size_bytes,
                      uint64_t value)
{
    uint64_t *r = &gprs->r[reg];

    if (is_high8) {
        *r = (*r & ~0xff00ull) | (value & 0xff) << 8;
    } else if (size_bytes >= 4) {
        *r = value & size_mask(size_bytes);
    } else {
        *r = (*r & ~size_mask(size_bytes)) | (value & size_mask(size_bytes));
    }
}

uint64_t x86_mmio_store_value(const struct x86_mmio_insn *insn, const struct x86_gprs *gprs)
{
    uint64_t value = insn->has_imm ? insn->imm : gprs->r[insn->reg];

    if (!insn->has_imm && insn->reg_high8) {
        value >>= 8;
    }
    return value & size_mask(insn->size);
}

void x86_mmio_load_complete(const struct x86_mmio_insn *insn, struct x86_gprs *gprs, uint64_t value)
{
    uint64_t result = value & size_mask(insn->size);

    if (insn->extend == X86_EXTEND_SIGN) {
        result = sign_extend(result, insn->size);
    }
    write_gpr(gprs, insn->reg, insn->reg_high8, insn->reg_size, result);
}

/*
 * RDI and RCX are updated at the address size, like any register write of that width (AMD
 * APM vol. 3, "STOS"). A REP STOS whose count is already 0 stores nothing on hardware, so it
 * can not fault on MMIO; if it reaches here anyway nothing is changed and it is finished.
 */
bool x86_stos_step(const struct x86_mmio_insn *insn, struct x86_gprs *gprs, uint64_t rflags)
{
    uint64_t count = gprs->r[X86_RCX] & size_mask(insn->addr_size);
    uint64_t rdi = gprs->r[X86_RDI];

    if (insn->rep && count == 0) {
        return true;
    }
    rdi = rflags & RFLAGS_DF ? rdi - insn->size : rdi + insn->size;
    write_gpr(gprs, X86_RDI, false, insn->addr_size, rdi);
    if (!insn->rep) {
        return true;
    }
    write_gpr(gprs, X86_RCX, false, insn->addr_size, count - 1);
    return count == 1;
}
