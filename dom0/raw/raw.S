/* SPDX-License-Identifier: MIT */
/*
 * raw.bin for xml/examples/raw.xml: a flat binary with no boot protocol, loaded and entered at
 * 0x100000 in flat 32-bit protected mode with paging off. It prints one line on the 16550 at
 * port 0x3f8 and powers its domain off with the vm_shutdown hypercall (32-bit convention:
 * EAX = number, EBX = reason, ECX = code).
 */
/* From <public/axvm/hypercall.h>, which is C only. */
#define AXVM_HC_VM_SHUTDOWN    3
#define AXVM_SHUTDOWN_POWEROFF 0

#define COM1     0x3f8
#define COM1_LSR (COM1 + 5)
#define LSR_THRE 0x20 /* transmit holding register empty */

    .code32
    .text
    .globl _start
_start:
    mov $message, %esi
next_char:
    movzbl (%esi), %eax
    test %al, %al
    jz shutdown
    mov %al, %bl
    /* Wait (boundedly) until the UART takes a byte; an emulated one always does. */
    mov $100000, %ecx
    mov $COM1_LSR, %dx
wait_thre:
    in %dx, %al
    test $LSR_THRE, %al
    jnz send
    loop wait_thre
send:
    mov %bl, %al
    mov $COM1, %dx
    out %al, %dx
    inc %esi
    jmp next_char

shutdown:
    mov $AXVM_HC_VM_SHUTDOWN, %eax
    mov $AXVM_SHUTDOWN_POWEROFF, %ebx
    xor %ecx, %ecx
    vmmcall
    /* Not under axvm, or the call was refused: stop here. */
halt:
    cli
    hlt
    jmp halt

message:
    .asciz "raw: hello from a flat binary at 0x100000\r\n"
