/* SPDX-License-Identifier: MIT */
/*
 * Suite "emulate": the MMIO instruction decoder and the register side of an emulated access, in
 * arch/x86/hvm/emulate.c. The instruction bytes in the tables were produced by GNU as (and by
 * gcc -O2 for the Linux accessors) and their lengths checked against objdump -d.
 */
#define _DEFAULT_SOURCE /* mmap */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <hv/compiler.h>
#include <public/axvm/errno.h>
#include <x86/emulate.h>
#include <unit.h>

#define M16 X86_MODE_16
#define M32 X86_MODE_32
#define M64 X86_MODE_64

#define EXT_N X86_EXTEND_NONE
#define EXT_Z X86_EXTEND_ZERO
#define EXT_S X86_EXTEND_SIGN

/* The longest input in the tables: 13 prefixes and a 5-byte MOV with moffs32. */
#define CASE_MAX_BYTES 20

/* What a decoded access should look like, as designated initialisers of struct x86_mmio_insn. */
#define LOAD(size_, reg_, reg_size_, extend_) \
    .size = size_, .reg = reg_, .reg_size = reg_size_, .extend = extend_
#define LOADH(reg_)        .size = 1, .reg = reg_, .reg_high8 = true, .reg_size = 1
#define STORE(size_, reg_) .is_write = true, .size = size_, .reg = reg_, .reg_size = size_
#define STOREH(reg_)       .is_write = true, .size = 1, .reg = reg_, .reg_high8 = true, .reg_size = 1
#define IMM(size_, imm_) \
    .is_write = true, .size = size_, .reg_size = size_, .has_imm = true, .imm = imm_
#define STOS(size_, rep_) \
    .is_write = true, .size = size_, .reg_size = size_, .is_stos = true, .rep = rep_

struct decode_case {
    const char *text;          /* the assembler source, or objdump's reading of raw bytes */
    struct x86_mmio_insn want; /* when rc is 0 */
    enum x86_mode mode;
    int rc;
    uint8_t len;
    uint8_t bytes[CASE_MAX_BYTES];
};

#define BYTES(...) .len = sizeof((uint8_t[]){__VA_ARGS__}), .bytes = {__VA_ARGS__}

/* An instruction that decodes: its length (from objdump), address size, what it does, bytes. */
#define OK(mode_, text_, length_, addr_size_, want_, ...)                                          \
    {                                                                                              \
        .mode = mode_, .text = text_, .want = {.length = length_, want_, .addr_size = addr_size_}, \
        BYTES(__VA_ARGS__)                                                                         \
    }
#define REFUSED(mode_, text_, ...)                                               \
    {                                                                            \
        .mode = mode_, .text = text_, .rc = -AXVM_EOPNOTSUPP, BYTES(__VA_ARGS__) \
    }
#define INVALID(mode_, text_, ...)                                           \
    {                                                                        \
        .mode = mode_, .text = text_, .rc = -AXVM_EINVAL, BYTES(__VA_ARGS__) \
    }

/*
 * Every emulated opcode at every operand size in 64-bit mode: REX.R/X/B, byte registers with and
 * without REX, SIB with and without a base, disp8/disp32, RIP- and EIP-relative, moffs64.
 */
static const struct decode_case decode_64_cases[] = {
    OK(M64, "mov %al,(%rdi)", 2, 8, STORE(1, X86_RAX), 0x88, 0x07),
    OK(M64, "mov %ah,(%rdi)", 2, 8, STOREH(X86_RAX), 0x88, 0x27),
    OK(M64, "mov %bh,0x10(%rsi)", 3, 8, STOREH(X86_RBX), 0x88, 0x7e, 0x10),
    OK(M64, "mov %spl,(%rdi)", 3, 8, STORE(1, X86_RSP), 0x40, 0x88, 0x27),
    OK(M64, "mov %sil,(%rdi)", 3, 8, STORE(1, X86_RSI), 0x40, 0x88, 0x37),
    OK(M64, "mov %r9b,(%rax)", 3, 8, STORE(1, X86_R9), 0x44, 0x88, 0x08),
    OK(M64, "mov %r15b,0x7f(%r13)", 4, 8, STORE(1, X86_R15), 0x45, 0x88, 0x7d, 0x7f),
    OK(M64, "mov %ax,(%rdi)", 3, 8, STORE(2, X86_RAX), 0x66, 0x89, 0x07),
    OK(M64, "mov %eax,(%rdi)", 2, 8, STORE(4, X86_RAX), 0x89, 0x07),
    OK(M64, "mov %rax,(%rdi)", 3, 8, STORE(8, X86_RAX), 0x48, 0x89, 0x07),
    OK(M64, "mov %r8w,-0x80(%rbp)", 5, 8, STORE(2, X86_R8), 0x66, 0x44, 0x89, 0x45, 0x80),
    OK(M64, "mov %r15,(%r12)", 4, 8, STORE(8, X86_R15), 0x4d, 0x89, 0x3c, 0x24),
    OK(M64, "mov %ecx,(%r13)", 4, 8, STORE(4, X86_RCX), 0x41, 0x89, 0x4d, 0x00),
    OK(M64, "mov %edx,(%rax,%r14,4)", 4, 8, STORE(4, X86_RDX), 0x42, 0x89, 0x14, 0xb0),
    OK(M64, "mov %edx,0x12345678(,%rbx,8)", 7, 8, STORE(4, X86_RDX), 0x89, 0x14, 0xdd, 0x78, 0x56,
       0x34, 0x12),
    OK(M64, "mov %r10d,0x12345678(,%r11,2)", 8, 8, STORE(4, X86_R10), 0x46, 0x89, 0x14, 0x5d, 0x78,
       0x56, 0x34, 0x12),
    OK(M64, "mov %esi,0x12345678", 7, 8, STORE(4, X86_RSI), 0x89, 0x34, 0x25, 0x78, 0x56, 0x34,
       0x12),
    OK(M64, "mov %edi,0x100(%rip)", 6, 8, STORE(4, X86_RDI), 0x89, 0x3d, 0x00, 0x01, 0x00, 0x00),
    OK(M64, "mov %eax,(%rsp)", 3, 8, STORE(4, X86_RAX), 0x89, 0x04, 0x24),
    OK(M64, "mov %eax,(%rbp)", 3, 8, STORE(4, X86_RAX), 0x89, 0x45, 0x00),
    OK(M64, "mov %eax,0x7fffffff(%rsp)", 7, 8, STORE(4, X86_RAX), 0x89, 0x84, 0x24, 0xff, 0xff,
       0xff, 0x7f),
    OK(M64, "mov %r11,0x10(%r12,%r13,2)", 5, 8, STORE(8, X86_R11), 0x4f, 0x89, 0x5c, 0x6c, 0x10),
    OK(M64, "mov %rbx,-0x8(%rsp,%rcx,8)", 5, 8, STORE(8, X86_RBX), 0x48, 0x89, 0x5c, 0xcc, 0xf8),
    OK(M64, "mov %eax,(%edi)", 3, 4, STORE(4, X86_RAX), 0x67, 0x89, 0x07),
    OK(M64, "mov %eax,0x10(%eip)", 7, 4, STORE(4, X86_RAX), 0x67, 0x89, 0x05, 0x10, 0x00, 0x00,
       0x00),
    OK(M64, "mov %r12w,%fs:0x28", 10, 8, STORE(2, X86_R12), 0x64, 0x66, 0x44, 0x89, 0x24, 0x25,
       0x28, 0x00, 0x00, 0x00),
    OK(M64, "mov (%rdi),%al", 2, 8, LOAD(1, X86_RAX, 1, EXT_N), 0x8a, 0x07),
    OK(M64, "mov (%rdi),%ah", 2, 8, LOADH(X86_RAX), 0x8a, 0x27),
    OK(M64, "mov 0x10(%rdi),%dh", 3, 8, LOADH(X86_RDX), 0x8a, 0x77, 0x10),
    OK(M64, "mov (%rdi),%dil", 3, 8, LOAD(1, X86_RDI, 1, EXT_N), 0x40, 0x8a, 0x3f),
    OK(M64, "mov (%rdi),%r10b", 3, 8, LOAD(1, X86_R10, 1, EXT_N), 0x44, 0x8a, 0x17),
    OK(M64, "mov (%r8),%bl", 3, 8, LOAD(1, X86_RBX, 1, EXT_N), 0x41, 0x8a, 0x18),
    OK(M64, "mov (%r8),%bpl", 3, 8, LOAD(1, X86_RBP, 1, EXT_N), 0x41, 0x8a, 0x28),
    OK(M64, "mov (%rdi),%spl", 3, 8, LOAD(1, X86_RSP, 1, EXT_N), 0x40, 0x8a, 0x27),
    OK(M64, "mov (%rdi),%ax", 3, 8, LOAD(2, X86_RAX, 2, EXT_N), 0x66, 0x8b, 0x07),
    OK(M64, "mov (%rdi),%eax", 2, 8, LOAD(4, X86_RAX, 4, EXT_N), 0x8b, 0x07),
    OK(M64, "mov (%rdi),%rax", 3, 8, LOAD(8, X86_RAX, 8, EXT_N), 0x48, 0x8b, 0x07),
    OK(M64, "mov 0x10(%rdi),%r11d", 4, 8, LOAD(4, X86_R11, 4, EXT_N), 0x44, 0x8b, 0x5f, 0x10),
    OK(M64, "mov (%rsi),%r14", 3, 8, LOAD(8, X86_R14, 8, EXT_N), 0x4c, 0x8b, 0x36),
    OK(M64, "mov 0x1000(%rdi),%ecx", 6, 8, LOAD(4, X86_RCX, 4, EXT_N), 0x8b, 0x8f, 0x00, 0x10, 0x00,
       0x00),
    OK(M64, "mov -0x8(%rsp,%rcx,8),%rdx", 5, 8, LOAD(8, X86_RDX, 8, EXT_N), 0x48, 0x8b, 0x54, 0xcc,
       0xf8),
    OK(M64, "mov (%r12,%r15,1),%r9w", 5, 8, LOAD(2, X86_R9, 2, EXT_N), 0x66, 0x47, 0x8b, 0x0c,
       0x3c),
    OK(M64, "mov 0x0(%rip),%eax", 6, 8, LOAD(4, X86_RAX, 4, EXT_N), 0x8b, 0x05, 0x00, 0x00, 0x00,
       0x00),
    OK(M64, "mov -0x12345678(%rip),%r13", 7, 8, LOAD(8, X86_R13, 8, EXT_N), 0x4c, 0x8b, 0x2d, 0x88,
       0xa9, 0xcb, 0xed),
    OK(M64, "mov %fs:0x28,%rax", 9, 8, LOAD(8, X86_RAX, 8, EXT_N), 0x64, 0x48, 0x8b, 0x04, 0x25,
       0x28, 0x00, 0x00, 0x00),
    OK(M64, "mov %gs:(%rax),%eax", 3, 8, LOAD(4, X86_RAX, 4, EXT_N), 0x65, 0x8b, 0x00),
    OK(M64, "mov (%eax),%eax", 3, 4, LOAD(4, X86_RAX, 4, EXT_N), 0x67, 0x8b, 0x00),
    OK(M64, "mov (%r8d,%r9d,4),%eax", 5, 4, LOAD(4, X86_RAX, 4, EXT_N), 0x67, 0x43, 0x8b, 0x04,
       0x88),
    OK(M64, "movb $0x5a,(%rdi)", 3, 8, IMM(1, 0x5a), 0xc6, 0x07, 0x5a),
    OK(M64, "movb $0xff,0x10(%r12)", 6, 8, IMM(1, 0xff), 0x41, 0xc6, 0x44, 0x24, 0x10, 0xff),
    OK(M64, "movb $0x1,0x12345678(%rip)", 7, 8, IMM(1, 0x1), 0xc6, 0x05, 0x78, 0x56, 0x34, 0x12,
       0x01),
    OK(M64, "movw $0x1234,(%rdi)", 5, 8, IMM(2, 0x1234), 0x66, 0xc7, 0x07, 0x34, 0x12),
    OK(M64, "movw $0xffff,0x8(%r8)", 7, 8, IMM(2, 0xffff), 0x66, 0x41, 0xc7, 0x40, 0x08, 0xff,
       0xff),
    OK(M64, "movl $0x12345678,(%rdi)", 6, 8, IMM(4, 0x12345678), 0xc7, 0x07, 0x78, 0x56, 0x34,
       0x12),
    OK(M64, "movl $0x80000000,(%rdi)", 6, 8, IMM(4, 0x80000000), 0xc7, 0x07, 0x00, 0x00, 0x00,
       0x80),
    OK(M64, "movl $0x1,0x10(%rip)", 10, 8, IMM(4, 0x1), 0xc7, 0x05, 0x10, 0x00, 0x00, 0x00, 0x01,
       0x00, 0x00, 0x00),
    OK(M64, "movq $0x12345678,(%rdi)", 7, 8, IMM(8, 0x12345678), 0x48, 0xc7, 0x07, 0x78, 0x56, 0x34,
       0x12),
    OK(M64, "movq $0x7fffffff,(%rdi)", 7, 8, IMM(8, 0x7fffffff), 0x48, 0xc7, 0x07, 0xff, 0xff, 0xff,
       0x7f),
    OK(M64, "movq $-1,(%rdi)", 7, 8, IMM(8, 0xffffffffffffffff), 0x48, 0xc7, 0x07, 0xff, 0xff, 0xff,
       0xff),
    OK(M64, "movq $-0x80000000,0x8(%rax)", 8, 8, IMM(8, 0xffffffff80000000), 0x48, 0xc7, 0x40, 0x08,
       0x00, 0x00, 0x00, 0x80),
    OK(M64, "movq $-0x12345678,%fs:0x12345678(%r12,%r13,8)", 13, 8, IMM(8, 0xffffffffedcba988),
       0x64, 0x4b, 0xc7, 0x84, 0xec, 0x78, 0x56, 0x34, 0x12, 0x88, 0xa9, 0xcb, 0xed),
    OK(M64, "movabs 0x1122334455667788,%al", 9, 8, LOAD(1, X86_RAX, 1, EXT_N), 0xa0, 0x88, 0x77,
       0x66, 0x55, 0x44, 0x33, 0x22, 0x11),
    OK(M64, "movabs 0x1122334455667788,%ax", 10, 8, LOAD(2, X86_RAX, 2, EXT_N), 0x66, 0xa1, 0x88,
       0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11),
    OK(M64, "movabs 0x1122334455667788,%eax", 9, 8, LOAD(4, X86_RAX, 4, EXT_N), 0xa1, 0x88, 0x77,
       0x66, 0x55, 0x44, 0x33, 0x22, 0x11),
    OK(M64, "movabs 0x1122334455667788,%rax", 10, 8, LOAD(8, X86_RAX, 8, EXT_N), 0x48, 0xa1, 0x88,
       0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11),
    OK(M64, "movabs %al,0x1122334455667788", 9, 8, STORE(1, X86_RAX), 0xa2, 0x88, 0x77, 0x66, 0x55,
       0x44, 0x33, 0x22, 0x11),
    OK(M64, "movabs %ax,0x1122334455667788", 10, 8, STORE(2, X86_RAX), 0x66, 0xa3, 0x88, 0x77, 0x66,
       0x55, 0x44, 0x33, 0x22, 0x11),
    OK(M64, "movabs %eax,0x1122334455667788", 9, 8, STORE(4, X86_RAX), 0xa3, 0x88, 0x77, 0x66, 0x55,
       0x44, 0x33, 0x22, 0x11),
    OK(M64, "movabs %rax,0x1122334455667788", 10, 8, STORE(8, X86_RAX), 0x48, 0xa3, 0x88, 0x77,
       0x66, 0x55, 0x44, 0x33, 0x22, 0x11),
    OK(M64, "addr32 mov 0x12345678,%eax", 6, 4, LOAD(4, X86_RAX, 4, EXT_N), 0x67, 0xa1, 0x78, 0x56,
       0x34, 0x12),
    OK(M64, "addr32 mov %rax,0x12345678", 7, 4, STORE(8, X86_RAX), 0x67, 0x48, 0xa3, 0x78, 0x56,
       0x34, 0x12),
    OK(M64, "addr32 mov 0x12345678,%al", 6, 4, LOAD(1, X86_RAX, 1, EXT_N), 0x67, 0xa0, 0x78, 0x56,
       0x34, 0x12),
    OK(M64, "rex.B movabs 0x807060504030201,%al", 10, 8, LOAD(1, X86_RAX, 1, EXT_N), 0x41, 0xa0,
       0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08),
    OK(M64, "rex movabs %al,0x807060504030201", 10, 8, STORE(1, X86_RAX), 0x40, 0xa2, 0x01, 0x02,
       0x03, 0x04, 0x05, 0x06, 0x07, 0x08),
    OK(M64, "stosb", 1, 8, STOS(1, false), 0xaa),
    OK(M64, "stosw", 2, 8, STOS(2, false), 0x66, 0xab),
    OK(M64, "stosl", 1, 8, STOS(4, false), 0xab),
    OK(M64, "stosq", 2, 8, STOS(8, false), 0x48, 0xab),
    OK(M64, "rep stosb", 2, 8, STOS(1, true), 0xf3, 0xaa),
    OK(M64, "rep stosw", 3, 8, STOS(2, true), 0x66, 0xf3, 0xab),
    OK(M64, "rep stosl", 2, 8, STOS(4, true), 0xf3, 0xab),
    OK(M64, "rep stosq", 3, 8, STOS(8, true), 0xf3, 0x48, 0xab),
    OK(M64, "repne stosb", 2, 8, STOS(1, true), 0xf2, 0xaa),
    OK(M64, "addr32 rep stosb", 3, 4, STOS(1, true), 0x67, 0xf3, 0xaa),
    OK(M64, "addr32 stosq", 3, 4, STOS(8, false), 0x67, 0x48, 0xab),
    OK(M64, "rep stos %rax,%es:(%edi)", 4, 4, STOS(8, true), 0xf3, 0x67, 0x48, 0xab),
    OK(M64, "movzbw (%rdi),%ax", 4, 8, LOAD(1, X86_RAX, 2, EXT_Z), 0x66, 0x0f, 0xb6, 0x07),
    OK(M64, "movzbl (%rdi),%eax", 3, 8, LOAD(1, X86_RAX, 4, EXT_Z), 0x0f, 0xb6, 0x07),
    OK(M64, "movzbq (%rdi),%rax", 4, 8, LOAD(1, X86_RAX, 8, EXT_Z), 0x48, 0x0f, 0xb6, 0x07),
    OK(M64, "movzbl 0x10(%rdi),%r12d", 5, 8, LOAD(1, X86_R12, 4, EXT_Z), 0x44, 0x0f, 0xb6, 0x67,
       0x10),
    OK(M64, "movzwl (%rdi),%eax", 3, 8, LOAD(2, X86_RAX, 4, EXT_Z), 0x0f, 0xb7, 0x07),
    OK(M64, "movzwq (%rdi),%r9", 4, 8, LOAD(2, X86_R9, 8, EXT_Z), 0x4c, 0x0f, 0xb7, 0x0f),
    OK(M64, "movzww (%rdi),%ax", 4, 8, LOAD(2, X86_RAX, 2, EXT_N), 0x66, 0x0f, 0xb7, 0x07),
    OK(M64, "movsbw (%rdi),%ax", 4, 8, LOAD(1, X86_RAX, 2, EXT_S), 0x66, 0x0f, 0xbe, 0x07),
    OK(M64, "movsbl (%rdi),%eax", 3, 8, LOAD(1, X86_RAX, 4, EXT_S), 0x0f, 0xbe, 0x07),
    OK(M64, "movsbq 0x10(%rsi,%rbx,2),%r15", 6, 8, LOAD(1, X86_R15, 8, EXT_S), 0x4c, 0x0f, 0xbe,
       0x7c, 0x5e, 0x10),
    OK(M64, "movswl (%rdi),%eax", 3, 8, LOAD(2, X86_RAX, 4, EXT_S), 0x0f, 0xbf, 0x07),
    OK(M64, "movswq (%rdi),%rax", 4, 8, LOAD(2, X86_RAX, 8, EXT_S), 0x48, 0x0f, 0xbf, 0x07),
    OK(M64, "movsww (%rdi),%ax", 4, 8, LOAD(2, X86_RAX, 2, EXT_N), 0x66, 0x0f, 0xbf, 0x07),
    OK(M64, "data16 movzwq (%rdi),%rax", 5, 8, LOAD(2, X86_RAX, 8, EXT_Z), 0x66, 0x48, 0x0f, 0xb7,
       0x07),
    OK(M64, "movslq (%rdi),%rax", 3, 8, LOAD(4, X86_RAX, 8, EXT_S), 0x48, 0x63, 0x07),
    OK(M64, "movslq 0x10(%r8),%r11", 4, 8, LOAD(4, X86_R11, 8, EXT_S), 0x4d, 0x63, 0x58, 0x10),
    OK(M64, "movsxd (%rdi),%eax", 2, 8, LOAD(4, X86_RAX, 4, EXT_N), 0x63, 0x07),
    OK(M64, "data16 movslq (%rdi),%rax", 4, 8, LOAD(4, X86_RAX, 8, EXT_S), 0x66, 0x48, 0x63, 0x07),
    REFUSED(M64, "movsxd (%rdi),%ax", 0x66, 0x63, 0x07),
};

/*
 * Prefixes in odd orders and numbers, REX cancelled by a later legacy prefix, and the 15-byte
 * limit. objdump shows a REX followed by a prefix as a separate "rex" instruction.
 */
static const struct decode_case prefix_cases[] = {
    OK(M64, "rex.W; mov (%rdi),%ax", 4, 8, LOAD(2, X86_RAX, 2, EXT_N), 0x48, 0x66, 0x8b, 0x07),
    OK(M64, "rex.R; cs mov (%rdi),%eax", 4, 8, LOAD(4, X86_RAX, 4, EXT_N), 0x44, 0x2e, 0x8b, 0x07),
    OK(M64, "rex; cs mov %ah,(%rdi)", 4, 8, STOREH(X86_RAX), 0x40, 0x2e, 0x88, 0x27),
    OK(M64, "rex.W; addr32 mov 0x4030201,%eax", 7, 4, LOAD(4, X86_RAX, 4, EXT_N), 0x48, 0x67, 0xa1,
       0x01, 0x02, 0x03, 0x04),
    OK(M64, "rex.W; mov (%r15),%eax", 4, 8, LOAD(4, X86_RAX, 4, EXT_N), 0x48, 0x41, 0x8b, 0x07),
    OK(M64, "rex.B; mov (%rdi),%rax", 4, 8, LOAD(8, X86_RAX, 8, EXT_N), 0x41, 0x48, 0x8b, 0x07),
    OK(M64, "data16 mov %rax,(%rdi)", 4, 8, STORE(8, X86_RAX), 0x66, 0x48, 0x89, 0x07),
    OK(M64, "data16 data16 mov %ax,(%rdi)", 5, 8, STORE(2, X86_RAX), 0x66, 0x66, 0x66, 0x89, 0x07),
    OK(M64, "repz cs ds es mov (%rdi),%ax", 7, 8, LOAD(2, X86_RAX, 2, EXT_N), 0xf3, 0x2e, 0x66,
       0x3e, 0x26, 0x8b, 0x07),
    OK(M64, "data16 mov %rax,(%esp)", 6, 4, STORE(8, X86_RAX), 0x67, 0x66, 0x48, 0x89, 0x04, 0x24),
    OK(M64, "gs fs ss es cs mov %fs:(%rdi),%al", 8, 8, LOAD(1, X86_RAX, 1, EXT_N), 0x65, 0x64, 0x36,
       0x26, 0x2e, 0x3e, 0x8a, 0x07),
    OK(M64, "repnz rep repnz stos %ax,%es:(%rdi)", 5, 8, STOS(2, true), 0xf2, 0xf3, 0x66, 0xf2,
       0xab),
    OK(M64, "cs stos %al,%es:(%rdi)", 2, 8, STOS(1, false), 0x2e, 0xaa),
    OK(M64, "data16 addr32 addr32 mov %ax,0x4030201", 9, 4, STORE(2, X86_RAX), 0x66, 0x67, 0x66,
       0x67, 0xa3, 0x01, 0x02, 0x03, 0x04),
    OK(M64, "cs ds movq $0x12345678,%fs:0x12345678(%rsp,%rbp,8): 15 bytes", 15, 8,
       IMM(8, 0x12345678), 0x2e, 0x3e, 0x64, 0x48, 0xc7, 0x84, 0xec, 0x78, 0x56, 0x34, 0x12, 0x78,
       0x56, 0x34, 0x12),
    OK(M64, "13 x data16, mov %ax,(%rdi): 15 bytes", 15, 8, STORE(2, X86_RAX), 0x66, 0x66, 0x66,
       0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x89, 0x07),
    INVALID(M64, "14 x data16, mov %ax,(%rdi): 16 bytes", 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
            0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x89, 0x07),
    INVALID(M64, "15 x cs, mov %eax,(%rdi): 17 bytes", 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e,
            0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x89, 0x07),
    INVALID(M64, "16 x data16", 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
            0x66, 0x66, 0x66, 0x66, 0x66),
    INVALID(M64, "cs cs ds movq $0x12345678,%fs:0x12345678(%rsp,%rbp,8): 16 bytes", 0x2e, 0x2e,
            0x3e, 0x64, 0x48, 0xc7, 0x84, 0xec, 0x78, 0x56, 0x34, 0x12, 0x78, 0x56, 0x34, 0x12),
    INVALID(M32, "13 x ds, mov 0x4030201,%eax: 18 bytes", 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e,
            0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0xa1, 0x01, 0x02, 0x03, 0x04),
    OK(M32, "10 x ds, mov 0x4030201,%eax: 15 bytes", 15, 4, LOAD(4, X86_RAX, 4, EXT_N), 0x3e, 0x3e,
       0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0xa1, 0x01, 0x02, 0x03, 0x04),
};

/*
 * The 32-bit forms, 16-bit addressing under 67, and 40-4F and 63 as the old opcodes they are here.
 */
static const struct decode_case decode_32_cases[] = {
    OK(M32, "mov %al,(%eax)", 2, 4, STORE(1, X86_RAX), 0x88, 0x00),
    OK(M32, "mov %bh,(%ecx)", 2, 4, STOREH(X86_RBX), 0x88, 0x39),
    OK(M32, "mov %ax,(%ebx)", 3, 4, STORE(2, X86_RAX), 0x66, 0x89, 0x03),
    OK(M32, "mov %edi,0x10(%ebp)", 3, 4, STORE(4, X86_RDI), 0x89, 0x7d, 0x10),
    OK(M32, "mov (%eax),%cl", 2, 4, LOAD(1, X86_RCX, 1, EXT_N), 0x8a, 0x08),
    OK(M32, "mov 0x1(%eax),%ch", 3, 4, LOADH(X86_RCX), 0x8a, 0x68, 0x01),
    OK(M32, "mov (%eax),%dx", 3, 4, LOAD(2, X86_RDX, 2, EXT_N), 0x66, 0x8b, 0x10),
    OK(M32, "mov (%eax),%eax", 2, 4, LOAD(4, X86_RAX, 4, EXT_N), 0x8b, 0x00),
    OK(M32, "mov (%esp),%edx", 3, 4, LOAD(4, X86_RDX, 4, EXT_N), 0x8b, 0x14, 0x24),
    OK(M32, "mov 0x12345678(,%esi,4),%edi", 7, 4, LOAD(4, X86_RDI, 4, EXT_N), 0x8b, 0x3c, 0xb5,
       0x78, 0x56, 0x34, 0x12),
    OK(M32, "mov 0x12345678,%ebx", 6, 4, LOAD(4, X86_RBX, 4, EXT_N), 0x8b, 0x1d, 0x78, 0x56, 0x34,
       0x12),
    OK(M32, "mov -0x4(%ebp,%ecx,2),%esi", 4, 4, LOAD(4, X86_RSI, 4, EXT_N), 0x8b, 0x74, 0x4d, 0xfc),
    OK(M32, "mov %es:0x1000(%edi),%eax", 7, 4, LOAD(4, X86_RAX, 4, EXT_N), 0x26, 0x8b, 0x87, 0x00,
       0x10, 0x00, 0x00),
    OK(M32, "mov (%bx,%si),%eax", 3, 2, LOAD(4, X86_RAX, 4, EXT_N), 0x67, 0x8b, 0x00),
    OK(M32, "movb $0x1,(%eax)", 3, 4, IMM(1, 0x1), 0xc6, 0x00, 0x01),
    OK(M32, "movw $0x1234,(%eax)", 5, 4, IMM(2, 0x1234), 0x66, 0xc7, 0x00, 0x34, 0x12),
    OK(M32, "movl $0xffffffff,0x12345678(%eax,%ebx,8)", 11, 4, IMM(4, 0xffffffff), 0xc7, 0x84, 0xd8,
       0x78, 0x56, 0x34, 0x12, 0xff, 0xff, 0xff, 0xff),
    OK(M32, "mov 0x12345678,%al", 5, 4, LOAD(1, X86_RAX, 1, EXT_N), 0xa0, 0x78, 0x56, 0x34, 0x12),
    OK(M32, "mov 0x12345678,%ax", 6, 4, LOAD(2, X86_RAX, 2, EXT_N), 0x66, 0xa1, 0x78, 0x56, 0x34,
       0x12),
    OK(M32, "mov 0x12345678,%eax", 5, 4, LOAD(4, X86_RAX, 4, EXT_N), 0xa1, 0x78, 0x56, 0x34, 0x12),
    OK(M32, "mov %al,0x12345678", 5, 4, STORE(1, X86_RAX), 0xa2, 0x78, 0x56, 0x34, 0x12),
    OK(M32, "mov %ax,0x12345678", 6, 4, STORE(2, X86_RAX), 0x66, 0xa3, 0x78, 0x56, 0x34, 0x12),
    OK(M32, "mov %eax,0x12345678", 5, 4, STORE(4, X86_RAX), 0xa3, 0x78, 0x56, 0x34, 0x12),
    OK(M32, "addr16 mov 0x1234,%eax", 4, 2, LOAD(4, X86_RAX, 4, EXT_N), 0x67, 0xa1, 0x34, 0x12),
    OK(M32, "stosb", 1, 4, STOS(1, false), 0xaa),
    OK(M32, "stosw", 2, 4, STOS(2, false), 0x66, 0xab),
    OK(M32, "rep stosl", 2, 4, STOS(4, true), 0xf3, 0xab),
    OK(M32, "addr16 rep stosb", 3, 2, STOS(1, true), 0x67, 0xf3, 0xaa),
    OK(M32, "movzbw (%eax),%ax", 4, 4, LOAD(1, X86_RAX, 2, EXT_Z), 0x66, 0x0f, 0xb6, 0x00),
    OK(M32, "movzbl (%eax),%eax", 3, 4, LOAD(1, X86_RAX, 4, EXT_Z), 0x0f, 0xb6, 0x00),
    OK(M32, "movzwl (%eax),%ecx", 3, 4, LOAD(2, X86_RCX, 4, EXT_Z), 0x0f, 0xb7, 0x08),
    OK(M32, "movsbw (%eax),%ax", 4, 4, LOAD(1, X86_RAX, 2, EXT_S), 0x66, 0x0f, 0xbe, 0x00),
    OK(M32, "movsbl (%eax),%edx", 3, 4, LOAD(1, X86_RDX, 4, EXT_S), 0x0f, 0xbe, 0x10),
    OK(M32, "movswl 0x8(%ebx),%edi", 4, 4, LOAD(2, X86_RDI, 4, EXT_S), 0x0f, 0xbf, 0x7b, 0x08),
    OK(M32, "movzww (%eax),%ax", 4, 4, LOAD(2, X86_RAX, 2, EXT_N), 0x66, 0x0f, 0xb7, 0x00),
    REFUSED(M32, "lock movl $0x1,(%eax)", 0xf0, 0xc7, 0x00, 0x01, 0x00, 0x00, 0x00),
    REFUSED(M32, "dec %eax; mov (%edi),%eax", 0x48, 0x8b, 0x07),
    REFUSED(M32, "inc %eax; mov %ah,(%edi)", 0x40, 0x88, 0x27),
    REFUSED(M32, "arpl %ax,(%edi)", 0x63, 0x07),
};

/*
 * Real mode and 16-bit code: the [bx+si] family, [bp+disp], bare disp16, 66 for 32-bit operands
 * and 67 for 32-bit addressing with a SIB.
 */
static const struct decode_case decode_16_cases[] = {
    OK(M16, "mov (%bx,%si),%ax", 2, 2, LOAD(2, X86_RAX, 2, EXT_N), 0x8b, 0x00),
    OK(M16, "mov (%bx,%di),%al", 2, 2, LOAD(1, X86_RAX, 1, EXT_N), 0x8a, 0x01),
    OK(M16, "mov (%bp,%si),%ah", 2, 2, LOADH(X86_RAX), 0x8a, 0x22),
    OK(M16, "mov (%bp,%di),%cx", 2, 2, LOAD(2, X86_RCX, 2, EXT_N), 0x8b, 0x0b),
    OK(M16, "mov (%si),%dx", 2, 2, LOAD(2, X86_RDX, 2, EXT_N), 0x8b, 0x14),
    OK(M16, "mov (%di),%bx", 2, 2, LOAD(2, X86_RBX, 2, EXT_N), 0x8b, 0x1d),
    OK(M16, "mov (%bx),%ch", 2, 2, LOADH(X86_RCX), 0x8a, 0x2f),
    OK(M16, "mov 0x1234,%si", 4, 2, LOAD(2, X86_RSI, 2, EXT_N), 0x8b, 0x36, 0x34, 0x12),
    OK(M16, "mov 0x10(%bp),%ax", 3, 2, LOAD(2, X86_RAX, 2, EXT_N), 0x8b, 0x46, 0x10),
    OK(M16, "mov 0x1234(%bp),%ax", 4, 2, LOAD(2, X86_RAX, 2, EXT_N), 0x8b, 0x86, 0x34, 0x12),
    OK(M16, "mov -0x2(%bx,%si),%di", 3, 2, LOAD(2, X86_RDI, 2, EXT_N), 0x8b, 0x78, 0xfe),
    OK(M16, "mov 0x100(%bx,%di),%ax", 4, 2, LOAD(2, X86_RAX, 2, EXT_N), 0x8b, 0x81, 0x00, 0x01),
    OK(M16, "mov %es:(%di),%ax", 3, 2, LOAD(2, X86_RAX, 2, EXT_N), 0x26, 0x8b, 0x05),
    OK(M16, "mov (%bx),%eax", 3, 2, LOAD(4, X86_RAX, 4, EXT_N), 0x66, 0x8b, 0x07),
    OK(M16, "mov %al,(%bx,%si)", 2, 2, STORE(1, X86_RAX), 0x88, 0x00),
    OK(M16, "mov %bh,(%bx)", 2, 2, STOREH(X86_RBX), 0x88, 0x3f),
    OK(M16, "mov %ax,(%bx)", 2, 2, STORE(2, X86_RAX), 0x89, 0x07),
    OK(M16, "mov %eax,(%bx)", 3, 2, STORE(4, X86_RAX), 0x66, 0x89, 0x07),
    OK(M16, "mov (%eax),%ax", 3, 4, LOAD(2, X86_RAX, 2, EXT_N), 0x67, 0x8b, 0x00),
    OK(M16, "mov 0x10(%esp),%ax", 5, 4, LOAD(2, X86_RAX, 2, EXT_N), 0x67, 0x8b, 0x44, 0x24, 0x10),
    OK(M16, "addr32 mov 0x12345678(,%ecx,4),%dx", 8, 4, LOAD(2, X86_RDX, 2, EXT_N), 0x67, 0x8b,
       0x14, 0x8d, 0x78, 0x56, 0x34, 0x12),
    OK(M16, "movb $0x12,(%bx)", 3, 2, IMM(1, 0x12), 0xc6, 0x07, 0x12),
    OK(M16, "movw $0x1234,(%bx)", 4, 2, IMM(2, 0x1234), 0xc7, 0x07, 0x34, 0x12),
    OK(M16, "movl $0x12345678,(%bx)", 7, 2, IMM(4, 0x12345678), 0x66, 0xc7, 0x07, 0x78, 0x56, 0x34,
       0x12),
    OK(M16, "movw $0x1234,0x5678", 6, 2, IMM(2, 0x1234), 0xc7, 0x06, 0x78, 0x56, 0x34, 0x12),
    OK(M16, "mov 0x1234,%al", 3, 2, LOAD(1, X86_RAX, 1, EXT_N), 0xa0, 0x34, 0x12),
    OK(M16, "mov 0x1234,%ax", 3, 2, LOAD(2, X86_RAX, 2, EXT_N), 0xa1, 0x34, 0x12),
    OK(M16, "mov 0x1234,%eax", 4, 2, LOAD(4, X86_RAX, 4, EXT_N), 0x66, 0xa1, 0x34, 0x12),
    OK(M16, "mov %al,0x1234", 3, 2, STORE(1, X86_RAX), 0xa2, 0x34, 0x12),
    OK(M16, "mov %ax,0x1234", 3, 2, STORE(2, X86_RAX), 0xa3, 0x34, 0x12),
    OK(M16, "mov %eax,0x1234", 4, 2, STORE(4, X86_RAX), 0x66, 0xa3, 0x34, 0x12),
    OK(M16, "addr32 mov 0x12345678,%ax", 6, 4, LOAD(2, X86_RAX, 2, EXT_N), 0x67, 0xa1, 0x78, 0x56,
       0x34, 0x12),
    OK(M16, "stosb", 1, 2, STOS(1, false), 0xaa),
    OK(M16, "stosw", 1, 2, STOS(2, false), 0xab),
    OK(M16, "stosl", 2, 2, STOS(4, false), 0x66, 0xab),
    OK(M16, "rep stosw", 2, 2, STOS(2, true), 0xf3, 0xab),
    OK(M16, "addr32 rep stosl", 4, 4, STOS(4, true), 0x67, 0x66, 0xf3, 0xab),
    OK(M16, "movzbw (%bx),%ax", 3, 2, LOAD(1, X86_RAX, 2, EXT_Z), 0x0f, 0xb6, 0x07),
    OK(M16, "movzbl (%bx),%eax", 4, 2, LOAD(1, X86_RAX, 4, EXT_Z), 0x66, 0x0f, 0xb6, 0x07),
    OK(M16, "movzwl (%bx),%eax", 4, 2, LOAD(2, X86_RAX, 4, EXT_Z), 0x66, 0x0f, 0xb7, 0x07),
    OK(M16, "movsbw (%bx),%ax", 3, 2, LOAD(1, X86_RAX, 2, EXT_S), 0x0f, 0xbe, 0x07),
    OK(M16, "movswl (%si),%eax", 4, 2, LOAD(2, X86_RAX, 4, EXT_S), 0x66, 0x0f, 0xbf, 0x04),
    OK(M16, "movsbl 0x7(%bp,%di),%edx", 5, 2, LOAD(1, X86_RDX, 4, EXT_S), 0x66, 0x0f, 0xbe, 0x53,
       0x07),
    REFUSED(M16, "dec %ax; mov (%bx),%ax", 0x48, 0x8b, 0x07),
    REFUSED(M16, "arpl %ax,(%bx)", 0x63, 0x07),
};

/*
 * Well-formed instructions the decoder does not emulate, and inputs that end too soon.
 */
static const struct decode_case refused_cases[] = {
    REFUSED(M64, "add %eax,(%rdi)", 0x01, 0x07),
    REFUSED(M64, "mov %ecx,%eax", 0x89, 0xc8),
    REFUSED(M64, "mov %al,%cl", 0x88, 0xc1),
    REFUSED(M64, "mov %r8,%r9", 0x4d, 0x89, 0xc1),
    REFUSED(M64, "movzbl %al,%eax", 0x0f, 0xb6, 0xc0),
    REFUSED(M64, "movslq %eax,%rax", 0x48, 0x63, 0xc0),
    REFUSED(M64, "mov $0x1,%eax", 0xc7, 0xc0, 0x01, 0x00, 0x00, 0x00),
    REFUSED(M64, "xabort $0x0", 0xc6, 0xf8, 0x00),
    REFUSED(M64, "C7 /1 (not MOV)", 0xc7, 0x0f, 0x01, 0x02, 0x03, 0x04),
    REFUSED(M64, "C6 /1 (not MOV)", 0xc6, 0x4f, 0x10, 0x5a),
    REFUSED(M64, "lock mov %eax,(%rdi)", 0xf0, 0x89, 0x07),
    REFUSED(M64, "lock movl $0x4030201,(%rdi)", 0xf0, 0xc7, 0x07, 0x01, 0x02, 0x03, 0x04),
    REFUSED(M64, "movsb", 0xa4),
    REFUSED(M64, "lodsl", 0xad),
    REFUSED(M64, "mov %es,(%rdi)", 0x8c, 0x07),
    REFUSED(M64, "xchg %eax,(%rdi)", 0x87, 0x07),
    REFUSED(M64, "movnti %eax,(%rdi)", 0x0f, 0xc3, 0x07),
    REFUSED(M64, "cmpb $0x0,(%rdi)", 0x80, 0x3f, 0x00),
    REFUSED(M64, "vmovdqu (%rdi),%ymm0", 0xc5, 0xfe, 0x6f, 0x07),
    REFUSED(M64, "movd %xmm0,(%rdi)", 0x66, 0x0f, 0x7e, 0x07),
    REFUSED(M64, "movabs $0x1122334455667788,%rax", 0x48, 0xb8, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33,
            0x22, 0x11),
    REFUSED(M64, "outb %al,$0x80", 0xe6, 0x80),
    INVALID(M64, "0F and nothing after it", 0x0f),
    INVALID(M64, "data16 cs and nothing after them", 0x66, 0x2e),
    INVALID(M64, "rex.W and nothing after it", 0x48),
    REFUSED(M32, "mov %eax,%ecx", 0x89, 0xc1),
    REFUSED(M16, "mov %ax,%bx", 0x89, 0xc3),
    REFUSED(M16, "add %al,(%bx,%si)", 0x00, 0x00),
};

/*
 * What gcc -O2 emits for Linux-style readX()/writeX() (an asm mov with an "m" operand) and for
 * volatile loads and stores at base + offset, on x86-64 and i386.
 */
static const struct decode_case linux_cases[] = {
    OK(M64, "readb: mov (%rdi),%al", 2, 8, LOAD(1, X86_RAX, 1, EXT_N), 0x8a, 0x07),
    OK(M64, "readw: mov (%rdi),%ax", 3, 8, LOAD(2, X86_RAX, 2, EXT_N), 0x66, 0x8b, 0x07),
    OK(M64, "readl: mov (%rdi),%eax", 2, 8, LOAD(4, X86_RAX, 4, EXT_N), 0x8b, 0x07),
    OK(M64, "readq: mov (%rdi),%rax", 3, 8, LOAD(8, X86_RAX, 8, EXT_N), 0x48, 0x8b, 0x07),
    OK(M64, "writeb: mov %dil,(%rsi)", 3, 8, STORE(1, X86_RDI), 0x40, 0x88, 0x3e),
    OK(M64, "writew: mov %di,(%rsi)", 3, 8, STORE(2, X86_RDI), 0x66, 0x89, 0x3e),
    OK(M64, "writel: mov %edi,(%rsi)", 2, 8, STORE(4, X86_RDI), 0x89, 0x3e),
    OK(M64, "writeq: mov %rdi,(%rsi)", 3, 8, STORE(8, X86_RDI), 0x48, 0x89, 0x3e),
    OK(M64, "drv_status: mov 0x1c(%rdi),%eax", 3, 8, LOAD(4, X86_RAX, 4, EXT_N), 0x8b, 0x47, 0x1c),
    OK(M64, "drv_kick: mov %eax,0x50(%rdi)", 3, 8, STORE(4, X86_RAX), 0x89, 0x47, 0x50),
    OK(M64, "drv_ack: mov %sil,0x60(%rdi)", 4, 8, STORE(1, X86_RSI), 0x40, 0x88, 0x77, 0x60),
    OK(M64, "drv_ack: mov %ax,0x62(%rdi)", 4, 8, STORE(2, X86_RAX), 0x66, 0x89, 0x47, 0x62),
    OK(M64, "vol_readb: movzbl 0x14(%rdi),%eax", 4, 8, LOAD(1, X86_RAX, 4, EXT_Z), 0x0f, 0xb6, 0x47,
       0x14),
    OK(M64, "vol_readw: movzwl 0x2(%rdi),%eax", 4, 8, LOAD(2, X86_RAX, 4, EXT_Z), 0x0f, 0xb7, 0x47,
       0x02),
    OK(M64, "vol_readl: mov 0x30(%rdi),%eax", 3, 8, LOAD(4, X86_RAX, 4, EXT_N), 0x8b, 0x47, 0x30),
    OK(M64, "vol_readq: mov 0x1000(%rdi),%rax", 7, 8, LOAD(8, X86_RAX, 8, EXT_N), 0x48, 0x8b, 0x87,
       0x00, 0x10, 0x00, 0x00),
    OK(M64, "vol_writeb: mov %sil,0x14(%rdi)", 4, 8, STORE(1, X86_RSI), 0x40, 0x88, 0x77, 0x14),
    OK(M64, "vol_writew: mov %si,0x2(%rdi)", 4, 8, STORE(2, X86_RSI), 0x66, 0x89, 0x77, 0x02),
    OK(M64, "vol_writel: mov %esi,0x30(%rdi)", 3, 8, STORE(4, X86_RSI), 0x89, 0x77, 0x30),
    OK(M64, "vol_writeq: mov %rsi,0x1000(%rdi)", 7, 8, STORE(8, X86_RSI), 0x48, 0x89, 0xb7, 0x00,
       0x10, 0x00, 0x00),
    OK(M64, "vol_writeb_imm: movb $0xff,0x7(%rdi)", 4, 8, IMM(1, 0xff), 0xc6, 0x47, 0x07, 0xff),
    OK(M64, "vol_writew_imm: mov %ax,0x4(%rdi)", 4, 8, STORE(2, X86_RAX), 0x66, 0x89, 0x47, 0x04),
    OK(M64, "vol_writel_imm: movl $0x1,0x80(%rdi)", 10, 8, IMM(4, 0x1), 0xc7, 0x87, 0x80, 0x00,
       0x00, 0x00, 0x01, 0x00, 0x00, 0x00),
    OK(M64, "vol_writeq_imm: movq $0xfffffffffffffffe,0x8(%rdi)", 8, 8, IMM(8, 0xfffffffffffffffe),
       0x48, 0xc7, 0x47, 0x08, 0xfe, 0xff, 0xff, 0xff),
    OK(M64, "vol_readl_sext: movslq 0x10(%rdi),%rax", 4, 8, LOAD(4, X86_RAX, 8, EXT_S), 0x48, 0x63,
       0x47, 0x10),
    OK(M64, "vol_readw_sext: movswl 0x2(%rdi),%eax", 4, 8, LOAD(2, X86_RAX, 4, EXT_S), 0x0f, 0xbf,
       0x47, 0x02),
    OK(M64, "vol_indexed: mov (%rax),%eax", 2, 8, LOAD(4, X86_RAX, 4, EXT_N), 0x8b, 0x00),
    OK(M32, "readb: mov (%eax),%al", 2, 4, LOAD(1, X86_RAX, 1, EXT_N), 0x8a, 0x00),
    OK(M32, "readw: mov (%eax),%ax", 3, 4, LOAD(2, X86_RAX, 2, EXT_N), 0x66, 0x8b, 0x00),
    OK(M32, "readl: mov (%eax),%eax", 2, 4, LOAD(4, X86_RAX, 4, EXT_N), 0x8b, 0x00),
    OK(M32, "writeb: mov %al,(%edx)", 2, 4, STORE(1, X86_RAX), 0x88, 0x02),
    OK(M32, "writew: mov %ax,(%edx)", 3, 4, STORE(2, X86_RAX), 0x66, 0x89, 0x02),
    OK(M32, "writel: mov %eax,(%edx)", 2, 4, STORE(4, X86_RAX), 0x89, 0x02),
    OK(M32, "drv_ack: mov %dl,0x60(%eax)", 3, 4, STORE(1, X86_RDX), 0x88, 0x50, 0x60),
    OK(M32, "vol_readb: movzbl 0x14(%eax),%eax", 4, 4, LOAD(1, X86_RAX, 4, EXT_Z), 0x0f, 0xb6, 0x40,
       0x14),
    OK(M32, "vol_readq: mov 0x1004(%eax),%edx", 6, 4, LOAD(4, X86_RDX, 4, EXT_N), 0x8b, 0x90, 0x04,
       0x10, 0x00, 0x00),
    OK(M32, "vol_writeq: mov %ecx,0x1004(%eax)", 6, 4, STORE(4, X86_RCX), 0x89, 0x88, 0x04, 0x10,
       0x00, 0x00),
    OK(M32, "vol_writel_imm: movl $0x1,0x80(%eax)", 10, 4, IMM(4, 0x1), 0xc7, 0x80, 0x80, 0x00,
       0x00, 0x00, 0x01, 0x00, 0x00, 0x00),
    OK(M32, "vol_writeq_imm: movl $0xffffffff,0xc(%eax)", 7, 4, IMM(4, 0xffffffff), 0xc7, 0x40,
       0x0c, 0xff, 0xff, 0xff, 0xff),
};

struct case_table {
    const struct decode_case *cases;
    size_t nr;
};

static const struct case_table all_tables[] = {
    {decode_64_cases, ARRAY_SIZE(decode_64_cases)}, {prefix_cases, ARRAY_SIZE(prefix_cases)},
    {decode_32_cases, ARRAY_SIZE(decode_32_cases)}, {decode_16_cases, ARRAY_SIZE(decode_16_cases)},
    {refused_cases, ARRAY_SIZE(refused_cases)},     {linux_cases, ARRAY_SIZE(linux_cases)},
};

static const char *mode_name(enum x86_mode mode)
{
    return mode == M16 ? "16-bit" : mode == M32 ? "32-bit" : "64-bit";
}

static void describe(const struct x86_mmio_insn *i, char *buf, size_t size)
{
    snprintf(buf, size,
             "len %u write %d size %u reg %u high8 %d reg_size %u extend %d imm %d/0x%llx stos %d "
             "rep %d addr_size %u",
             i->length, i->is_write, i->size, i->reg, i->reg_high8, i->reg_size, (int)i->extend,
             i->has_imm, (unsigned long long)i->imm, i->is_stos, i->rep, i->addr_size);
}

static bool insn_equal(const struct x86_mmio_insn *a, const struct x86_mmio_insn *b)
{
    return a->length == b->length && a->is_write == b->is_write && a->size == b->size &&
           a->reg == b->reg && a->reg_high8 == b->reg_high8 && a->reg_size == b->reg_size &&
           a->extend == b->extend && a->has_imm == b->has_imm && a->imm == b->imm &&
           a->is_stos == b->is_stos && a->rep == b->rep && a->addr_size == b->addr_size;
}

/* One decode of a case: len bytes of a heap buffer of buf_size bytes, the rest filled with 0x0f. */
struct attempt {
    size_t len;
    size_t buf_size;
    int want_rc;
};

/* Returns: whether the decode gives a->want_rc (and c->want when that is 0); *why says how not. */
static bool decode_matches(const struct decode_case *c, const struct attempt *a, char *why,
                           size_t why_size)
{
    /* even for 0 bytes: glibc and ASan hand out a block that any access is reported on */
    uint8_t *buf = malloc(a->buf_size);
    struct x86_mmio_insn got = {0};
    char got_text[200], want_text[200];
    int rc;

    if (!buf) {
        snprintf(why, why_size, "out of memory");
        return false;
    }
    memset(buf, 0x0f, a->buf_size);
    memcpy(buf, c->bytes, MIN(a->buf_size, (size_t)c->len));
    rc = x86_decode_mmio(buf, a->len, c->mode, &got);
    free(buf);
    if (rc == a->want_rc && (rc != 0 || insn_equal(&got, &c->want))) {
        return true;
    }
    describe(&got, got_text, sizeof(got_text));
    describe(&c->want, want_text, sizeof(want_text));
    snprintf(why, why_size, "%s (%s, %zu of %u bytes): rc %d want %d; got %s; want %s", c->text,
             mode_name(c->mode), a->len, c->len, rc, a->want_rc, got_text, want_text);
    return false;
}

/*
 * The buffers here have room to spare, so that a read past the end can not end the whole run;
 * the truncation sweep below catches such reads in a child process.
 */
static void check_table(const struct decode_case *cases, size_t nr)
{
    char why[600];

    for (size_t i = 0; i < nr; i++) {
        struct attempt a = {cases[i].len, CASE_MAX_BYTES + X86_MAX_INSN_LEN, cases[i].rc};

        UNIT_CHECK(decode_matches(&cases[i], &a, why, sizeof(why)), "%s", why);
    }
}

static void test_x86_decode_mmio_decodes_64bit_forms(void)
{
    check_table(decode_64_cases, ARRAY_SIZE(decode_64_cases));
}

static void test_x86_decode_mmio_honours_prefixes_and_the_15_byte_limit(void)
{
    check_table(prefix_cases, ARRAY_SIZE(prefix_cases));
}

static void test_x86_decode_mmio_decodes_32bit_forms(void)
{
    check_table(decode_32_cases, ARRAY_SIZE(decode_32_cases));
}

static void test_x86_decode_mmio_decodes_16bit_forms(void)
{
    check_table(decode_16_cases, ARRAY_SIZE(decode_16_cases));
}

static void test_x86_decode_mmio_refuses_other_instructions(void)
{
    check_table(refused_cases, ARRAY_SIZE(refused_cases));
}

static void test_x86_decode_mmio_decodes_linux_mmio_accessors(void)
{
    check_table(linux_cases, ARRAY_SIZE(linux_cases));
}

/* The caller hands over up to 15 bytes; what follows the instruction must not matter. */
static void test_x86_decode_mmio_ignores_bytes_after_the_instruction(void)
{
    char why[600];

    for (size_t t = 0; t < ARRAY_SIZE(all_tables); t++) {
        for (size_t i = 0; i < all_tables[t].nr; i++) {
            const struct decode_case *c = &all_tables[t].cases[i];
            struct attempt a = {c->len + X86_MAX_INSN_LEN, c->len + X86_MAX_INSN_LEN, 0};

            if (c->rc == 0) {
                UNIT_CHECK(decode_matches(c, &a, why, sizeof(why)), "%s", why);
            }
        }
    }
}

/* Filled by the child process of the truncation sweep; shared with the parent. */
struct sweep_result {
    unsigned int nr_checked;
    unsigned int nr_bad;
    char first_bad[600];
};

static struct sweep_result *sweep;

static int emulate_init(void)
{
    sweep = mmap(NULL, sizeof(*sweep), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    return sweep == MAP_FAILED ? -1 : 0;
}

static int emulate_cleanup(void)
{
    return munmap(sweep, sizeof(*sweep));
}

static void sweep_case(const struct decode_case *c)
{
    char why[sizeof(sweep->first_bad)];

    for (size_t len = 0; len <= c->len; len++) {
        struct attempt a = {len, len, len == c->len ? c->rc : -AXVM_EINVAL};
        bool ok = decode_matches(c, &a, why, sizeof(why));

        /* An opcode that is not emulated may be refused before its missing bytes are noticed. */
        if (!ok && len > 0 && c->rc == -AXVM_EOPNOTSUPP) {
            a.want_rc = -AXVM_EOPNOTSUPP;
            ok = decode_matches(c, &a, why, sizeof(why));
        }
        sweep->nr_checked++;
        if (!ok && sweep->nr_bad++ == 0) {
            memcpy(sweep->first_bad, why, sizeof(why));
        }
    }
}

static void sweep_all_cases(void *ctx)
{
    (void)ctx;
    for (size_t t = 0; t < ARRAY_SIZE(all_tables); t++) {
        for (size_t i = 0; i < all_tables[t].nr; i++) {
            sweep_case(&all_tables[t].cases[i]);
        }
    }
}

/*
 * Every case cut short at every length, each in a heap buffer of exactly that size so that
 * AddressSanitizer catches a read past the end; in a child process so that it can not end the
 * run.
 */
static void test_x86_decode_mmio_truncated_input_is_einval_within_bounds(void)
{
    memset(sweep, 0, sizeof(*sweep));
    UNIT_CHECK(unit_run_in_child(sweep_all_cases, NULL),
               "the decoder crashed or read past the end of its input (after %u decodes)",
               sweep->nr_checked);
    UNIT_CHECK(sweep->nr_bad == 0, "%u truncated decodes went wrong; the first: %s", sweep->nr_bad,
               sweep->first_bad);
    CU_ASSERT(sweep->nr_checked > 1000);
}

/* Every register holds its own bytes: byte k of register i is 16 * i + k. */
static void fill_gprs(struct x86_gprs *gprs)
{
    for (unsigned int i = 0; i < X86_NR_GPRS; i++) {
        gprs->r[i] = 0x0706050403020100ull + i * 0x1010101010101010ull;
    }
}

/* Decode a table entry that must decode, failing the test otherwise. */
static bool decode_for_test(enum x86_mode mode, const char *text, const uint8_t *bytes, size_t len,
                            struct x86_mmio_insn *insn)
{
    int rc = x86_decode_mmio(bytes, len, mode, insn);

    UNIT_CHECK(rc == 0, "%s (%s): decode gave %d", text, mode_name(mode), rc);
    return rc == 0;
}

struct load_case {
    enum x86_mode mode;
    const char *text;
    uint8_t len;
    uint8_t bytes[X86_MAX_INSN_LEN];
    uint8_t reg; /* the register the load must write; the others must not change */
    uint64_t before;
    uint64_t value;
    uint64_t after;
};

#define ONES 0xffffffffffffffffull
#define MIX  0x1111222233334444ull

static const struct load_case load_cases[] = {
    {M64, "mov (%rdi),%eax", 2, {0x8b, 0x07}, X86_RAX, ONES, 0x12345678, 0x12345678},
    {M64, "mov (%rdi),%ax", 3, {0x66, 0x8b, 0x07}, X86_RAX, MIX, 0xabcd, 0x111122223333abcd},
    {M64, "mov (%rdi),%al", 2, {0x8a, 0x07}, X86_RAX, MIX, 0xab, 0x11112222333344ab},
    {M64, "mov (%rdi),%ah", 2, {0x8a, 0x27}, X86_RAX, MIX, 0xab, 0x111122223333ab44},
    {M64, "mov 0x10(%rdi),%dh", 3, {0x8a, 0x77, 0x10}, X86_RDX, MIX, 0x5a, 0x1111222233335a44},
    {M64, "mov (%rdi),%dil", 3, {0x40, 0x8a, 0x3f}, X86_RDI, MIX, 0xab, 0x11112222333344ab},
    {M64,
     "mov (%rdi),%rax",
     3,
     {0x48, 0x8b, 0x07},
     X86_RAX,
     0,
     0x8877665544332211,
     0x8877665544332211},
    {M64,
     "mov 0x10(%rdi),%r11d",
     4,
     {0x44, 0x8b, 0x5f, 0x10},
     X86_R11,
     ONES,
     0x80000000,
     0x80000000},
    {M64, "mov (%rdi),%r10b", 3, {0x44, 0x8a, 0x17}, X86_R10, ONES, 0, 0xffffffffffffff00},
    {M64,
     "mov (%rdi),%ax (bits above size ignored)",
     3,
     {0x66, 0x8b, 0x07},
     X86_RAX,
     MIX,
     0xdeadbeefcafe1234,
     0x1111222233331234},
    {M64, "movzbl (%rdi),%eax", 3, {0x0f, 0xb6, 0x07}, X86_RAX, ONES, 0x80, 0x80},
    {M64, "movzbw (%rdi),%ax", 4, {0x66, 0x0f, 0xb6, 0x07}, X86_RAX, MIX, 0x80, 0x1111222233330080},
    {M64, "movzbq (%rdi),%rax", 4, {0x48, 0x0f, 0xb6, 0x07}, X86_RAX, ONES, 0xff, 0xff},
    {M64, "movzwl (%rdi),%eax", 3, {0x0f, 0xb7, 0x07}, X86_RAX, ONES, 0xffff, 0xffff},
    {M64, "movzwq (%rdi),%r9", 4, {0x4c, 0x0f, 0xb7, 0x0f}, X86_R9, ONES, 0x8000, 0x8000},
    {M64,
     "movzww (%rdi),%ax",
     4,
     {0x66, 0x0f, 0xb7, 0x07},
     X86_RAX,
     MIX,
     0xbeef,
     0x111122223333beef},
    {M64, "movsbl (%rdi),%eax", 3, {0x0f, 0xbe, 0x07}, X86_RAX, ONES, 0x80, 0xffffff80},
    {M64, "movsbw (%rdi),%ax", 4, {0x66, 0x0f, 0xbe, 0x07}, X86_RAX, MIX, 0x80, 0x111122223333ff80},
    {M64, "movsbw (%rdi),%ax", 4, {0x66, 0x0f, 0xbe, 0x07}, X86_RAX, MIX, 0x7f, 0x111122223333007f},
    {M64,
     "movsbq 0x10(%rsi,%rbx,2),%r15",
     6,
     {0x4c, 0x0f, 0xbe, 0x7c, 0x5e, 0x10},
     X86_R15,
     0,
     0x80,
     0xffffffffffffff80},
    {M64, "movswl (%rdi),%eax", 3, {0x0f, 0xbf, 0x07}, X86_RAX, ONES, 0x8000, 0xffff8000},
    {M64,
     "movswq (%rdi),%rax",
     4,
     {0x48, 0x0f, 0xbf, 0x07},
     X86_RAX,
     0,
     0x8001,
     0xffffffffffff8001},
    {M64, "movslq (%rdi),%rax", 3, {0x48, 0x63, 0x07}, X86_RAX, 0, 0x80000000, 0xffffffff80000000},
    {M64, "movslq (%rdi),%rax", 3, {0x48, 0x63, 0x07}, X86_RAX, ONES, 0x7fffffff, 0x7fffffff},
    {M64, "movsxd (%rdi),%eax", 2, {0x63, 0x07}, X86_RAX, ONES, 0x80000000, 0x80000000},
    {M64,
     "movabs 0x1122334455667788,%eax",
     9,
     {0xa1, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11},
     X86_RAX,
     ONES,
     0xcafef00d,
     0xcafef00d},
    {M64,
     "movabs 0x1122334455667788,%al",
     9,
     {0xa0, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11},
     X86_RAX,
     MIX,
     0x99,
     0x1111222233334499},
    {M32, "movsbw (%eax),%ax", 4, {0x66, 0x0f, 0xbe, 0x00}, X86_RAX, MIX, 0xff, 0x111122223333ffff},
    {M32, "mov 0x1(%eax),%ch", 3, {0x8a, 0x68, 0x01}, X86_RCX, MIX, 0xab, 0x111122223333ab44},
    {M16, "mov (%bx),%eax", 3, {0x66, 0x8b, 0x07}, X86_RAX, ONES, 0x12345678, 0x12345678},
    {M16, "mov (%bx,%si),%ax", 2, {0x8b, 0x00}, X86_RAX, MIX, 0x5678, 0x1111222233335678},
};

static void test_x86_mmio_load_complete_writes_only_the_target_as_the_cpu_does(void)
{
    for (size_t i = 0; i < ARRAY_SIZE(load_cases); i++) {
        const struct load_case *c = &load_cases[i];
        struct x86_mmio_insn insn;
        struct x86_gprs gprs, want;

        if (!decode_for_test(c->mode, c->text, c->bytes, c->len, &insn)) {
            continue;
        }
        fill_gprs(&gprs);
        gprs.r[c->reg] = c->before;
        want = gprs;
        want.r[c->reg] = c->after;
        x86_mmio_load_complete(&insn, &gprs, c->value);
        for (unsigned int r = 0; r < X86_NR_GPRS; r++) {
            UNIT_CHECK(gprs.r[r] == want.r[r],
                       "%s (%s) loading 0x%llx: register %u is 0x%016llx, want 0x%016llx", c->text,
                       mode_name(c->mode), (unsigned long long)c->value, r,
                       (unsigned long long)gprs.r[r], (unsigned long long)want.r[r]);
        }
    }
}

struct store_case {
    enum x86_mode mode;
    const char *text;
    uint8_t len;
    uint8_t bytes[X86_MAX_INSN_LEN];
    uint64_t value; /* with the registers of fill_gprs() */
};

static const struct store_case store_cases[] = {
    {M64, "mov %eax,(%rdi)", 2, {0x89, 0x07}, 0x03020100},
    {M64, "mov %ax,(%rdi)", 3, {0x66, 0x89, 0x07}, 0x0100},
    {M64, "mov %rax,(%rdi)", 3, {0x48, 0x89, 0x07}, 0x0706050403020100},
    {M64, "mov %al,(%rdi)", 2, {0x88, 0x07}, 0x00},
    {M64, "mov %ah,(%rdi)", 2, {0x88, 0x27}, 0x01},
    {M64, "mov %bh,0x10(%rsi)", 3, {0x88, 0x7e, 0x10}, 0x31},
    {M64, "mov %spl,(%rdi)", 3, {0x40, 0x88, 0x27}, 0x40},
    {M64, "mov %sil,(%rdi)", 3, {0x40, 0x88, 0x37}, 0x60},
    {M64, "rex; cs mov %ah,(%rdi)", 4, {0x40, 0x2e, 0x88, 0x27}, 0x01},
    {M64, "mov %r9b,(%rax)", 3, {0x44, 0x88, 0x08}, 0x90},
    {M64, "mov %r15,(%r12)", 4, {0x4d, 0x89, 0x3c, 0x24}, 0xf7f6f5f4f3f2f1f0},
    {M64, "mov %r8w,-0x80(%rbp)", 5, {0x66, 0x44, 0x89, 0x45, 0x80}, 0x8180},
    {M64, "movb $0x5a,(%rdi)", 3, {0xc6, 0x07, 0x5a}, 0x5a},
    {M64, "movw $0xffff,0x8(%r8)", 7, {0x66, 0x41, 0xc7, 0x40, 0x08, 0xff, 0xff}, 0xffff},
    {M64, "movl $0x80000000,(%rdi)", 6, {0xc7, 0x07, 0x00, 0x00, 0x00, 0x80}, 0x80000000},
    {M64, "movq $-1,(%rdi)", 7, {0x48, 0xc7, 0x07, 0xff, 0xff, 0xff, 0xff}, ONES},
    {M64,
     "movq $-0x80000000,0x8(%rax)",
     8,
     {0x48, 0xc7, 0x40, 0x08, 0x00, 0x00, 0x00, 0x80},
     0xffffffff80000000},
    {M64,
     "movabs %eax,0x1122334455667788",
     9,
     {0xa3, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11},
     0x03020100},
    {M64,
     "movabs %al,0x1122334455667788",
     9,
     {0xa2, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11},
     0x00},
    {M64, "stosb", 1, {0xaa}, 0x00},
    {M64, "stosq", 2, {0x48, 0xab}, 0x0706050403020100},
    {M64, "rep stosw", 3, {0x66, 0xf3, 0xab}, 0x0100},
    {M32, "mov %bh,(%ecx)", 2, {0x88, 0x39}, 0x31},
    {M32,
     "movl $0xffffffff,0x12345678(%eax,%ebx,8)",
     11,
     {0xc7, 0x84, 0xd8, 0x78, 0x56, 0x34, 0x12, 0xff, 0xff, 0xff, 0xff},
     0xffffffff},
    {M16, "mov %eax,(%bx)", 3, {0x66, 0x89, 0x07}, 0x03020100},
    {M16, "mov %bh,(%bx)", 2, {0x88, 0x3f}, 0x31},
};

static void test_x86_mmio_store_value_takes_the_right_register_bytes(void)
{
    for (size_t i = 0; i < ARRAY_SIZE(store_cases); i++) {
        const struct store_case *c = &store_cases[i];
        struct x86_mmio_insn insn;
        struct x86_gprs gprs;
        uint64_t value;

        if (!decode_for_test(c->mode, c->text, c->bytes, c->len, &insn)) {
            continue;
        }
        fill_gprs(&gprs);
        value = x86_mmio_store_value(&insn, &gprs);
        UNIT_CHECK(value == c->value, "%s (%s): stores 0x%llx, want 0x%llx", c->text,
                   mode_name(c->mode), (unsigned long long)value, (unsigned long long)c->value);
    }
}

#define RFLAGS_DF (1ull << 10)

struct stos_case {
    enum x86_mode mode;
    const char *text;
    uint8_t len;
    uint8_t bytes[X86_MAX_INSN_LEN];
    uint64_t rflags;
    uint64_t rdi, rcx;           /* before */
    uint64_t want_rdi, want_rcx; /* after */
    bool want_done;
};

static const struct stos_case stos_cases[] = {
    {M64, "stosb", 1, {0xaa}, 0x2, 0x1000, 7, 0x1001, 7, true},
    {M64, "stosl, DF=1", 1, {0xab}, 0x2 | RFLAGS_DF, 0x1000, 7, 0xffc, 7, true},
    {M64, "stosl, every flag but DF", 1, {0xab}, ~RFLAGS_DF, 0x1000, 7, 0x1004, 7, true},
    {M64, "stosq", 2, {0x48, 0xab}, 0x2, 0x1000, 0, 0x1008, 0, true},
    {M64, "rep stosq", 3, {0xf3, 0x48, 0xab}, 0x2, 0x1000, 3, 0x1008, 2, false},
    {M64, "rep stosb, last one", 2, {0xf3, 0xaa}, 0x2, 0x1000, 1, 0x1001, 0, true},
    {M64, "rep stosw, DF=1", 3, {0x66, 0xf3, 0xab}, 0x2 | RFLAGS_DF, 0x1000, 2, 0xffe, 1, false},
    {M64, "rep stosb, RCX already 0", 2, {0xf3, 0xaa}, 0x2, 0x1000, 0, 0x1000, 0, true},
    {M64, "repne stosb", 2, {0xf2, 0xaa}, 0x2, 0x1000, 2, 0x1001, 1, false},
    {M64,
     "rep stosq, RDI wraps",
     3,
     {0xf3, 0x48, 0xab},
     0x2,
     0xfffffffffffffff8,
     0x10,
     0,
     0xf,
     false},
    {M64,
     "addr32 rep stosb",
     3,
     {0x67, 0xf3, 0xaa},
     0x2,
     0x1ffffffff,
     0xffffffff00000005,
     0,
     4,
     false},
    {M64,
     "addr32 rep stosb, ECX 0",
     3,
     {0x67, 0xf3, 0xaa},
     0x2,
     0x1000,
     0xffffffff00000000,
     0x1000,
     0xffffffff00000000,
     true},
    {M32, "rep stosl", 2, {0xf3, 0xab}, 0x2, 0xfffffffc, 2, 0, 1, false},
    {M32,
     "addr16 rep stosb",
     3,
     {0x67, 0xf3, 0xaa},
     0x2,
     0x8000ffff,
     0x50001,
     0x80000000,
     0x50000,
     true},
    {M16, "rep stosw", 2, {0xf3, 0xab}, 0x2, 0x1234ffff, 0xabcd0001, 0x12340001, 0xabcd0000, true},
    {M16, "stosb, DF=1", 1, {0xaa}, 0x2 | RFLAGS_DF, 0x5550000, 0, 0x555ffff, 0, true},
    {M16,
     "addr32 rep stosl",
     4,
     {0x67, 0x66, 0xf3, 0xab},
     0x2,
     0xfffc,
     0x10005,
     0x10000,
     0x10004,
     false},
};

static void test_x86_stos_step_moves_rdi_and_counts_rcx_at_address_size(void)
{
    for (size_t i = 0; i < ARRAY_SIZE(stos_cases); i++) {
        const struct stos_case *c = &stos_cases[i];
        struct x86_mmio_insn insn;
        struct x86_gprs gprs, want;
        bool done;

        if (!decode_for_test(c->mode, c->text, c->bytes, c->len, &insn)) {
            continue;
        }
        fill_gprs(&gprs);
        gprs.r[X86_RDI] = c->rdi;
        gprs.r[X86_RCX] = c->rcx;
        want = gprs;
        want.r[X86_RDI] = c->want_rdi;
        want.r[X86_RCX] = c->want_rcx;
        done = x86_stos_step(&insn, &gprs, c->rflags);
        UNIT_CHECK(done == c->want_done && memcmp(&gprs, &want, sizeof(gprs)) == 0,
                   "%s (%s): done %d RDI 0x%llx RCX 0x%llx, want %d 0x%llx 0x%llx", c->text,
                   mode_name(c->mode), done, (unsigned long long)gprs.r[X86_RDI],
                   (unsigned long long)gprs.r[X86_RCX], c->want_done,
                   (unsigned long long)c->want_rdi, (unsigned long long)c->want_rcx);
    }
}

static CU_TestInfo emulate_tests[] = {
    UNIT_TEST(test_x86_decode_mmio_decodes_64bit_forms),
    UNIT_TEST(test_x86_decode_mmio_honours_prefixes_and_the_15_byte_limit),
    UNIT_TEST(test_x86_decode_mmio_decodes_32bit_forms),
    UNIT_TEST(test_x86_decode_mmio_decodes_16bit_forms),
    UNIT_TEST(test_x86_decode_mmio_refuses_other_instructions),
    UNIT_TEST(test_x86_decode_mmio_decodes_linux_mmio_accessors),
    UNIT_TEST(test_x86_decode_mmio_ignores_bytes_after_the_instruction),
    UNIT_TEST(test_x86_decode_mmio_truncated_input_is_einval_within_bounds),
    UNIT_TEST(test_x86_mmio_load_complete_writes_only_the_target_as_the_cpu_does),
    UNIT_TEST(test_x86_mmio_store_value_takes_the_right_register_bytes),
    UNIT_TEST(test_x86_stos_step_moves_rdi_and_counts_rcx_at_address_size),
    CU_TEST_INFO_NULL,
};

CU_SuiteInfo unit_suite_emulate = {
    "emulate", emulate_init, emulate_cleanup, NULL, NULL, emulate_tests,
};
UNIT_REGISTER_SUITE(unit_suite_emulate);
