/* SPDX-License-Identifier: MIT */
/*
 * A domain's console: what the guest writes (through its UART model or the console_write
 * hypercall) goes to the hypervisor console one line at a time, prefixed "(d1) ", and into a
 * ring that dom0 reads later ("axvm-xl console").
 */
#ifndef HV_VCONSOLE_H
#define HV_VCONSOLE_H

#include <hv/spinlock.h>
#include <hv/types.h>

#define VCONSOLE_LINE_MAX  160   /* a longer line is cut into pieces */
#define VCONSOLE_RING_SIZE 16384 /* power of two */

struct vconsole {
    spinlock_t lock; /* guards everything below */
    domid_t domid;
    bool raw; /* dom0: bytes go out unchanged and at once, no "(dN) " lines */
    size_t line_len;
    char line[VCONSOLE_LINE_MAX];
    uint64_t ring_written; /* bytes ever written; the ring holds the last RING_SIZE */
    char ring[VCONSOLE_RING_SIZE];
    /* Where input for the domain goes (its UART), under lock; NULL: nowhere. */
    size_t (*input_sink)(void *ctx, const uint8_t *buf, size_t len);
    void *input_ctx;
};

void vconsole_init(struct vconsole *c, domid_t domid);

/*
 * Send the guest's bytes to the hypervisor console unchanged (dom0, whose console is the
 * machine's: its shell needs carriage returns and escape sequences). The ring is kept as before.
 */
void vconsole_set_raw(struct vconsole *c, bool raw);

/* Take output from the guest. Context: any; takes c->lock and then the console lock. */
void vconsole_write(struct vconsole *c, const char *s, size_t len);

/*
 * Name the device that takes the domain's console input: sink(ctx, buf, len) accepts what it
 * can and returns how many bytes it took (sink NULL: none). Context: any; takes c->lock; the
 * sink is never called after this returns with another sink in place.
 */
void vconsole_set_input(struct vconsole *c,
                        size_t (*sink)(void *ctx, const uint8_t *buf, size_t len), void *ctx);

/*
 * Give the domain console input (dom0: what arrives on the machine's serial line; domUs: what
 * "axvm-xl console" types). Context: any; takes c->lock, then the sink's locks.
 * Returns: bytes the sink accepted (0 when it is full: retry later); -AXVM_ENODEV without one.
 */
int vconsole_input(struct vconsole *c, const uint8_t *buf, size_t len);

/* Send out a partial last line, if any (the domain is going away). */
void vconsole_flush(struct vconsole *c);

/*
 * Copy ring bytes from position *pos (bytes ever written) into buf; a position older than the
 * ring holds starts at the oldest byte kept. Returns: bytes copied; *pos moves past them.
 */
size_t vconsole_read(struct vconsole *c, uint64_t *pos, char *buf, size_t len);

#endif /* HV_VCONSOLE_H */
