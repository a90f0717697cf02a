/* SPDX-License-Identifier: MIT */
/*
 * raw.bin for arm64 dom0s (tests/dom0/arm64/poweroff.xml): a flat binary with no boot protocol,
 * loaded and entered at 0x40080000 at EL1 with the MMU off. It prints one line on the PL011 at
 * 0x09000000 and powers its domain off with the vm_shutdown hypercall (HVC #0: x0 = number,
 * x1 = reason, x2 = code), the twin of raw.S for x86.
 */
/* From <public/axvm/hypercall.h> and <public/axvm/platform_arm64.h>, which are C only. */
#define AXVM_HC_VM_SHUTDOWN    3
#define AXVM_SHUTDOWN_POWEROFF 0

#define PL011       0x09000000
#define PL011_DR    0x00
#define PL011_FR    0x18
#define FR_TXFF_BIT 5 /* transmit FIFO full */

    .text
    .globl _start
_start:
    adr x1, message
    mov x2, #PL011
next_char:
    ldrb w3, [x1], #1
    cbz w3, shutdown
    /* Wait (boundedly) until the UART takes a byte; an emulated one always does. */
    mov x4, #0x10000
wait_room:
    ldr w5, [x2, #PL011_FR]
    tbz w5, #FR_TXFF_BIT, send
    subs x4, x4, #1
    b.ne wait_room
send:
    str w3, [x2, #PL011_DR]
    b next_char

shutdown:
    mov x0, #AXVM_HC_VM_SHUTDOWN
    mov x1, #AXVM_SHUTDOWN_POWEROFF
    mov x2, #0
    hvc #0
    /* Not under axvm, or the call was refused: stop here. */
halt:
    wfi
    b halt

message:
    .asciz "raw: hello from a flat binary at 0x40080000\r\n"
