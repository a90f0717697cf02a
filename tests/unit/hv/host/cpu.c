/* SPDX-License-Identifier: MIT */
/*
 * Host CPU hooks: one CPU (CPU 0) whose halt can be caught by a test, and the interrupt flag
 * and per-CPU pointer the host arch twins use.
 */
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <hv/cpu.h>
#include <hv/percpu.h>
#include <host.h>

bool host_irqs_enabled = true;

static struct percpu boot_cpu = {.self = &boot_cpu, .cpu_id = 0, .online = true};
struct percpu *host_this_cpu = &boot_cpu;

static jmp_buf *halt_target; /* armed by host_cpu_halts() */

bool host_cpu_halts(host_call_fn fn, void *ctx)
{
    jmp_buf target;
    bool halted = false;

    halt_target = &target;
    if (setjmp(target) == 0) {
        fn(ctx);
    } else {
        halted = true;
    }
    halt_target = NULL;
    host_irqs_enabled = true; /* panic() left them off */
    return halted;
}

void arch_cpu_halt(void)
{
    if (halt_target) {
        longjmp(*halt_target, 1);
    }
    fprintf(stderr, "unit: unexpected halt (a panic no test asked for); console so far:\n%s\n",
            host_console_text());
    abort();
}

void arch_cpu_idle(void)
{
}

void arch_smp_stop_others(void)
{
}

void host_cpu_relax(void)
{
    fprintf(stderr, "unit: spinning on a held lock on a single thread: deadlock; console:\n%s\n",
            host_console_text());
    abort();
}
