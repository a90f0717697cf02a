/* SPDX-License-Identifier: MIT */
/*
 * A domain's console: what the guest writes (through its UART model or the console_write
 * hypercall) goes to the hypervisor console one line at a time, prefixed "(d1) ", and into a
 * ring that dom0 reads later ("axvm-xl console"). Input from dom0 goes the other way, to a
 * sink the domain's console device registers (the 16550's receive FIFO).
 */
#ifndef HV_VCONSOLE_H
#define HV_VCONSOLE_H

#include <hv/spinlock.h>
#include <hv/types.h>

#define VCONSOLE_LINE_MAX  160   /* a longer line is cut into pieces */
#define VCONSOLE_RING_SIZE 16384 /* power of two */

/*
 * Takes input bytes for the guest. Returns: how many of buf's len bytes it accepted (fewer
 * when its buffer is full). Context: any; called with no vconsole lock held.
 */
typedef size_t (*vconsole_input_fn)(void *ctx, const uint8_t *buf, size_t len);

struct vconsole {
    spinlock_t lock; /* guards everything below */
    vconsole_input_fn input_sink;
    void *input_ctx;
    domid_t domid;
    bool raw;  /* dom0: bytes go out unchanged and at once, no "(dN) " lines */
    bool echo; /* lines go to the hypervisor console too (else only to the ring) */
    size_t line_len;
    char line[VCONSOLE_LINE_MAX];
    uint64_t ring_written; /* bytes ever written; the ring holds the last RING_SIZE */
    char ring[VCONSOLE_RING_SIZE];
};

void vconsole_init(struct vconsole *c, domid_t domid);

/*
 * Whether consoles created from now on echo their lines to the hypervisor console. Once dom0
 * runs it is off: dom0's shell owns the serial line and "axvm-xl console" shows a domain's
 * console. Context: any.
 */
void vconsole_set_echo_default(bool echo);

/*
 * Send the guest's bytes to the hypervisor console unchanged (dom0, whose console is the
 * machine's: its shell needs carriage returns and escape sequences). The ring is kept as before.
 */
void vconsole_set_raw(struct vconsole *c, bool raw);

/* Take output from the guest. Context: any; takes c->lock and then the console lock. */
void vconsole_write(struct vconsole *c, const char *s, size_t len);

/* Send out a partial last line, if any (the domain is going away). */
void vconsole_flush(struct vconsole *c);

/*
 * Copy ring bytes from position *pos (bytes ever written) into buf; a position older than the
 * ring holds starts at the oldest byte kept. Returns: bytes copied; *pos moves past them.
 */
size_t vconsole_read(struct vconsole *c, uint64_t *pos, char *buf, size_t len);

/* Returns: the bytes ever written to the console (the ring keeps the last RING_SIZE). */
uint64_t vconsole_written(struct vconsole *c);

/*
 * Register (sink != NULL) or remove (NULL) where input for the guest goes; one sink at a time,
 * the last registration wins. Context: while the VM is built or torn down (its device model).
 */
void vconsole_set_input(struct vconsole *c,
                        size_t (*sink)(void *ctx, const uint8_t *buf, size_t len), void *ctx);

/*
 * Remove the input sink registered with ctx, if it is still the console's: a device model going
 * away (or failing to attach) must not take another one's input. Context: as vconsole_set_input.
 */
void vconsole_drop_input(struct vconsole *c, const void *ctx);

/*
 * Hand len bytes of input to the guest's sink (dom0: what arrives on the machine's serial line;
 * domUs: what "axvm-xl console" types). Context: any; the sink runs with no vconsole
 * lock held. Returns: the bytes the sink accepted (0..len), or -AXVM_ENODEV without a sink.
 */
int vconsole_input(struct vconsole *c, const uint8_t *buf, size_t len);

#endif /* HV_VCONSOLE_H */
