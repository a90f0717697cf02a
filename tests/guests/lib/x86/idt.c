/* SPDX-License-Identifier: MIT */
/* Guest interrupt handling: a 64-bit IDT whose vectors call C handlers the test installs. */
#include "../guest.h"

struct gate {
    uint16_t offset_low, selector;
    uint8_t ist, type_attr;
    uint16_t offset_mid;
    uint32_t offset_high, reserved;
} __attribute__((packed));

extern char guest_isr_stubs[];
static struct gate idt[256] __attribute__((aligned(16)));
static trap_handler_fn handlers[256];

void guest_trap(struct trap_frame *f);
void guest_trap(struct trap_frame *f)
{
    if (handlers[f->vector]) {
        handlers[f->vector](f);
        return;
    }
    guest_printf("unexpected trap %lu at rip 0x%lx, error 0x%lx\n", (unsigned long)f->vector,
                 (unsigned long)f->rip, (unsigned long)f->error_code);
    guest_exit(0x7f);
}

void guest_set_handler(uint8_t vector, trap_handler_fn fn)
{
    uint64_t stub = (uint64_t)(uintptr_t)guest_isr_stubs + (uint64_t)vector * 16;
    struct {
        uint16_t limit;
        uint64_t base;
    } __attribute__((packed)) idtr = {sizeof(idt) - 1, (uint64_t)(uintptr_t)idt};

    handlers[vector] = fn;
    idt[vector] = (struct gate){(uint16_t)stub,         0x08, 0, 0x8e, (uint16_t)(stub >> 16),
                                (uint32_t)(stub >> 32), 0};
    __asm__ volatile("lidt %0" : : "m"(idtr));
}
