/* SPDX-License-Identifier: MIT */
/*
 * The toolstack's stand-in for the hypervisor's generated configuration: the shared sources it
 * compiles (toolstack/ctl/shared_*.c) reach <hv/compiler.h>, which includes this; they use no
 * CONFIG_ value.
 */
#ifndef GENERATED_CONFIG_H
#define GENERATED_CONFIG_H

#define CONFIG_ARCH_NAME "toolstack"

#endif /* GENERATED_CONFIG_H */
