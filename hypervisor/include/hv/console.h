/* SPDX-License-Identifier: MIT */
/*
 * The hypervisor console: the one place output reaches the UART. Lines from different CPUs
 * never interleave. Guest consoles are forwarded through here too. Everything written is also
 * kept in a ring of the last CONSOLE_RING_SIZE bytes, which dom0 reads ("axvm-xl dmesg").
 */
#ifndef HV_CONSOLE_H
#define HV_CONSOLE_H

#include <hv/compiler.h>
#include <hv/types.h>

#define CONSOLE_RING_SIZE 65536 /* power of two */

/* Write raw bytes ("\n" becomes CR LF on the wire). Context: any; takes the console lock. */
void console_write(const char *s, size_t len);

/*
 * Write s exactly as it is, no CR added (dom0's console, whose tty adds its own). While its last
 * line is unfinished, other output is held back until its newline (or console_poll()).
 */
void console_write_raw(const char *s, size_t len);

/*
 * Send output held back for longer than the limit (console.c) because raw output left its
 * line unfinished. Context: any; the periodic tick calls it on every CPU.
 */
void console_poll(uint64_t now_ns);

/* Formatted raw output, no prefix: the banner and register dumps. Context: any. */
void console_printf(const char *fmt, ...) __printf(1, 2);

/*
 * Stop honouring the console lock on this path: a panic or a fatal trap must be heard even if
 * the CPU that holds the lock will never release it. Context: any, one way.
 */
void console_force_unlock(void);

/*
 * Switch the console to the device named by "console=" (for example com1, com2, pl011, none).
 * Returns: 0, or -AXVM_EINVAL when the arch has no such console (the old one stays).
 */
int console_select(const char *name);

/*
 * Copy ring bytes from position *pos (bytes ever written) into buf; a position older than the
 * ring holds starts at the oldest byte kept. Context: any; takes the console lock.
 * Returns: bytes copied; *pos moves past them, *written gets the bytes ever written.
 */
size_t console_ring_read(uint64_t *pos, char *buf, size_t len, uint64_t *written);

/* Arch hooks: implemented in arch/<a>/console.c */

/*
 * Send bytes to the console device as they are (the caller expands "\n").
 * Context: console lock held (or forced), IRQs off. Never fails; may drop bytes if no device.
 */
void arch_console_write(const char *s, size_t len);

/*
 * Take up to max bytes the console device has received, without waiting (dom0's console
 * input). Context: one CPU at a time (the caller serialises). Returns: bytes stored in buf.
 */
size_t arch_console_read(char *buf, size_t max);

/*
 * Make the named device the console. Context: boot CPU, during setup.
 * Returns: 0, or -AXVM_EINVAL for a name this arch does not know.
 */
int arch_console_select(const char *name);

#endif /* HV_CONSOLE_H */
