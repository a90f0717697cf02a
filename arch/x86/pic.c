/* SPDX-License-Identifier: MIT */
/*
 * The legacy 8259 PICs: remapped away from the exception vectors and fully masked. SeaBIOS
 * leaves IRQ0 live at vector 8, which would look like a double fault (PLATFORM.md §1).
 */
#define LOG_TAG "pic"
#include <x86/asm.h>
#include <x86/x86.h>

#define PIC1_CMD  0x20
#define PIC1_DATA 0x21
#define PIC2_CMD  0xa0
#define PIC2_DATA 0xa1

void pic_disable(void)
{
    outb(PIC1_CMD, 0x11); /* ICW1: init, ICW4 follows */
    outb(PIC2_CMD, 0x11);
    outb(PIC1_DATA, VECTOR_PIC_BASE); /* ICW2: vector base */
    outb(PIC2_DATA, VECTOR_PIC_BASE + 8);
    outb(PIC1_DATA, 0x04); /* ICW3: slave on IRQ2 */
    outb(PIC2_DATA, 0x02);
    outb(PIC1_DATA, 0x01); /* ICW4: 8086 mode */
    outb(PIC2_DATA, 0x01);
    outb(PIC1_DATA, 0xff); /* mask everything */
    outb(PIC2_DATA, 0xff);
}
