/* SPDX-License-Identifier: MIT */
/*
 * Ticket spinlocks. The ticket logic is plain C11 atomics and is the same on every arch; the
 * arch only supplies cpu_relax(). Nothing in the hypervisor sleeps (STYLE.md §7).
 */
#ifndef HV_SPINLOCK_H
#define HV_SPINLOCK_H

#include <hv/cpu.h>

typedef struct {
    uint16_t owner; /* ticket being served */
    uint16_t next;  /* next ticket to hand out */
} spinlock_t;

#define SPINLOCK_INIT \
    {                 \
        0, 0          \
    }

static inline void spin_lock_init(spinlock_t *lock)
{
    lock->owner = 0;
    lock->next = 0;
}

static inline void spin_lock(spinlock_t *lock)
{
    uint16_t ticket = __atomic_fetch_add(&lock->next, 1, __ATOMIC_RELAXED);

    while (__atomic_load_n(&lock->owner, __ATOMIC_ACQUIRE) != ticket) {
        cpu_relax();
    }
}

static inline void spin_unlock(spinlock_t *lock)
{
    __atomic_store_n(&lock->owner, (uint16_t)(lock->owner + 1), __ATOMIC_RELEASE);
}

/* Returns: true when the lock was free and is now held. */
static inline bool spin_trylock(spinlock_t *lock)
{
    uint16_t owner = __atomic_load_n(&lock->owner, __ATOMIC_RELAXED);
    uint16_t expected = owner;

    return __atomic_compare_exchange_n(&lock->next, &expected, (uint16_t)(owner + 1), false,
                                       __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
}

static inline bool spin_is_locked(const spinlock_t *lock)
{
    return __atomic_load_n(&lock->owner, __ATOMIC_RELAXED) !=
           __atomic_load_n(&lock->next, __ATOMIC_RELAXED);
}

static inline unsigned long spin_lock_irqsave(spinlock_t *lock)
{
    unsigned long flags = local_irq_save();

    spin_lock(lock);
    return flags;
}

static inline void spin_unlock_irqrestore(spinlock_t *lock, unsigned long flags)
{
    spin_unlock(lock);
    local_irq_restore(flags);
}

#endif /* HV_SPINLOCK_H */
