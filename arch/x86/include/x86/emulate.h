/* SPDX-License-Identifier: MIT */
/*
 * Decoding the instructions that touch emulated MMIO. Under TCG there are no decode assists
 * (PLATFORM.md §2), so the hypervisor fetches the faulting instruction through the guest's own
 * page tables (<x86/guest_walk.h>) and decodes it here: the MOV family at every width
 * (88, 89, 8A, 8B, C6, C7, A0-A3), MOVZX/MOVSX (0F B6/B7/BE/BF), MOVSXD (63), and STOS (AA/AB,
 * with REP), with any legacy prefixes and REX. This is what Linux's readl()/writel() compile to.
 * Pure code: no hypervisor state, unit-tested on the host.
 */
#ifndef X86_EMULATE_H
#define X86_EMULATE_H

#include <hv/types.h>

#define X86_MAX_INSN_LEN 15

/* The code segment's default size, as the guest runs it. */
enum x86_mode {
    X86_MODE_16, /* real mode, or a 16-bit protected-mode code segment */
    X86_MODE_32, /* 32-bit protected mode (or compatibility mode) */
    X86_MODE_64, /* 64-bit long mode (CS.L = 1) */
};

/* The 16 general-purpose registers in instruction-encoding order. */
enum x86_gpr {
    X86_RAX,
    X86_RCX,
    X86_RDX,
    X86_RBX,
    X86_RSP,
    X86_RBP,
    X86_RSI,
    X86_RDI,
    X86_R8,
    X86_R9,
    X86_R10,
    X86_R11,
    X86_R12,
    X86_R13,
    X86_R14,
    X86_R15,
    X86_NR_GPRS
};

struct x86_gprs {
    uint64_t r[X86_NR_GPRS];
};

enum x86_extend {
    X86_EXTEND_NONE, /* MOV: the register gets exactly size bytes */
    X86_EXTEND_ZERO, /* MOVZX */
    X86_EXTEND_SIGN, /* MOVSX, MOVSXD */
};

struct x86_mmio_insn {
    uint8_t length; /* bytes, prefixes included */
    bool is_write;  /* the instruction stores to memory */
    uint8_t size;   /* bytes of memory accessed: 1, 2, 4 or 8 */

    /* The register a load writes, or a register store reads. */
    uint8_t reg;      /* enum x86_gpr */
    bool reg_high8;   /* AH, CH, DH or BH (a byte register 4-7 without REX) */
    uint8_t reg_size; /* bytes of the register written by a load: 1, 2, 4 or 8 */
    enum x86_extend extend;

    bool has_imm; /* a store of imm rather than of reg */
    uint64_t imm; /* sign-extended to size bytes as the CPU does */

    /* STOS: stores AL/AX/EAX/RAX at [RDI], then steps RDI (and with REP counts RCX down). */
    bool is_stos;
    bool rep;
    uint8_t addr_size; /* 2, 4 or 8: the width of RDI and RCX updates */
};

/*
 * Decode the instruction in bytes[0..len) (len may exceed the instruction).
 * Returns: 0 with *out filled; -AXVM_EOPNOTSUPP for a well-formed instruction this decoder
 * does not emulate (including MOVs between registers, which never touch memory); -AXVM_EINVAL
 * when the bytes end before the instruction does, or more than 15 bytes are needed.
 */
int x86_decode_mmio(const uint8_t *bytes, size_t len, enum x86_mode mode,
                    struct x86_mmio_insn *out);

/* Returns: the value a store writes (size bytes, zero-extended to 64 bits). */
uint64_t x86_mmio_store_value(const struct x86_mmio_insn *insn, const struct x86_gprs *gprs);

/*
 * Write what a load read (value holds size bytes) into its register, as the CPU would:
 * 32-bit results clear bits 63:32, 8- and 16-bit results keep the rest of the register, and
 * MOVZX/MOVSX extend to reg_size first.
 */
void x86_mmio_load_complete(const struct x86_mmio_insn *insn, struct x86_gprs *gprs,
                            uint64_t value);

/*
 * After one STOS element was stored: step RDI by size (down when RFLAGS.DF is set) and, with
 * REP, count RCX down, both at addr_size width. Returns: whether the instruction is finished
 * (no REP, or RCX reached 0), i.e. whether RIP may move past it.
 */
bool x86_stos_step(const struct x86_mmio_insn *insn, struct x86_gprs *gprs, uint64_t rflags);

#endif /* X86_EMULATE_H */
