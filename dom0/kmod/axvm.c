// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * axvm.ko: the dom0 side of the axvm hypercall ABI. It offers /dev/axvm, whose
 * one ioctl lets a root process (the toolstack, axvm-xl) make a control
 * hypercall: the call's struct and data buffer are copied into kernel memory,
 * their physical addresses handed to the hypervisor, and the outputs copied
 * back. The ABI is <public/axvm/domctl.h> and <public/axvm/dom0.h>.
 */
#define pr_fmt(fmt) "axvm: " fmt

#include <linux/capability.h>
#include <linux/errno.h>
#include <linux/fs.h>
#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/string.h>
#include <linux/types.h>
#include <linux/uaccess.h>
#if defined(CONFIG_X86)
#include <asm/cpufeature.h>
#include <asm/processor.h>
#elif defined(CONFIG_ARM64)
#include <linux/of.h>
#include <asm/virt.h>
#else
#error "axvm.ko knows the hypercall instruction of x86 and arm64 only"
#endif

#include <public/axvm/dom0.h>
#include <public/axvm/domctl.h>

/*
 * The number's encoding is written out in dom0.h so user space needs no
 * kernel headers; check here that it is what _IOWR() makes of the struct.
 */
static_assert(AXVM_IOCTL_HYPERCALL ==
	      _IOWR('A', 0x01, struct axvm_ioctl_hypercall));

/* The whole buffer's order: AXVM_COPY_MAX bytes, physically contiguous. */
#define AXVM_BUF_ORDER get_order(AXVM_COPY_MAX)

/*
 * One call at a time: the bounce pages below are shared by every caller, and
 * the hypervisor handles one control call of dom0's at a time anyway.
 */
static DEFINE_MUTEX(axvm_call_lock);
static void *axvm_arg_page; /* AXVM_IOCTL_MAX_ARG bytes used of one page */
static void *axvm_buf;	    /* AXVM_COPY_MAX bytes */

/*
 * The architecture's part: axvm_hypercall4() issues hypercall nr with four
 * arguments in the register convention of docs/hypercalls.md, and
 * axvm_arch_probe() says whether axvm is there to answer it. In both, the
 * "memory" clobber makes the compiler finish the copies into the bounce pages
 * before the call and read them again after it.
 */
#ifdef CONFIG_X86

static bool axvm_use_vmcall; /* Intel: VMCALL; AMD and Hygon: VMMCALL */

/*
 * RAX = nr, RDI, RSI, RDX, R10; the result in RAX. The hypervisor preserves
 * every other register.
 */
static long axvm_hypercall4(unsigned long nr, unsigned long a0,
			    unsigned long a1, unsigned long a2,
			    unsigned long a3)
{
	register unsigned long r10 asm("r10") = a3;
	long ret;

	if (axvm_use_vmcall)
		asm volatile("vmcall"
			     : "=a"(ret)
			     : "a"(nr), "D"(a0), "S"(a1), "d"(a2), "r"(r10)
			     : "memory");
	else
		asm volatile("vmmcall"
			     : "=a"(ret)
			     : "a"(nr), "D"(a0), "S"(a1), "d"(a2), "r"(r10)
			     : "memory");
	return ret;
}

/* True when CPUID says we run under axvm: the hypervisor bit and its name. */
static bool axvm_arch_probe(void)
{
	u32 eax, sig[3];

	if (!boot_cpu_has(X86_FEATURE_HYPERVISOR))
		return false;
	cpuid(AXVM_CPUID_SIGNATURE, &eax, &sig[0], &sig[1], &sig[2]);
	if (eax < AXVM_CPUID_SIGNATURE ||
	    memcmp(sig, "axvmaxvmaxvm", sizeof(sig)) != 0)
		return false;
	axvm_use_vmcall = boot_cpu_data.x86_vendor == X86_VENDOR_INTEL;
	return true;
}

#else /* CONFIG_ARM64 */

/*
 * HVC #0 with x0 = nr, x1-x4 = the arguments; the result in x0. The contract
 * only promises x0, so the other argument registers count as changed, and
 * x5-x17 as clobbered (what the SMC Calling Convention 1.0 allows a
 * hypervisor call to do to them).
 */
static long axvm_hypercall4(unsigned long nr, unsigned long a0,
			    unsigned long a1, unsigned long a2,
			    unsigned long a3)
{
	register unsigned long x0 asm("x0") = nr;
	register unsigned long x1 asm("x1") = a0;
	register unsigned long x2 asm("x2") = a1;
	register unsigned long x3 asm("x3") = a2;
	register unsigned long x4 asm("x4") = a3;

	asm volatile("hvc #0"
		     : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3), "+r"(x4)
		     :
		     : "x5", "x6", "x7", "x8", "x9", "x10", "x11", "x12", "x13",
		       "x14", "x15", "x16", "x17", "memory");
	return (long)x0;
}

/*
 * arm64 has no CPUID leaf to ask, and an HVC with nothing at EL2 to take it is
 * an undefined instruction (or, with the kernel itself at EL2, a call into its
 * own hyp stub). So the hypervisor says it is there in dom0's device tree:
 * /hypervisor { compatible = "axvm,hypervisor"; }. Only then is HVC made.
 */
static bool axvm_arch_probe(void)
{
	struct device_node *np;

	if (is_kernel_in_hyp_mode())
		return false;
	np = of_find_compatible_node(NULL, NULL, "axvm,hypervisor");
	if (!np)
		return false;
	of_node_put(np);
	return true;
}

#endif /* CONFIG_X86 */

/* The calls the toolstack may make through /dev/axvm. */
static bool axvm_is_allowed(u32 nr)
{
	/* Harmless, and what the toolstack asks first to check the ABI. */
	if (nr == AXVM_HC_ABI_VERSION)
		return true;
#ifdef AXVM_HC_CONSOLE_INPUT
	if (nr == AXVM_HC_CONSOLE_INPUT)
		return true;
#endif
	return nr >= AXVM_HC_CONTROL_FIRST && nr <= AXVM_HC_CONTROL_LAST;
}

/*
 * The calls whose data buffer the hypervisor fills. Only these copy it back:
 * the others only read it, and their buffer may be read-only in user space
 * (DOMAIN_COPY of an mmap()ed image).
 */
static bool axvm_fills_buffer(u32 nr)
{
	switch (nr) {
	case AXVM_HC_DOMAIN_LIST:
	case AXVM_HC_CONSOLE_READ:
	case AXVM_HC_LOG_READ:
	case AXVM_HC_SYSCTL_STATS:
		return true;
	default:
		return false;
	}
}

/* Called with axvm_call_lock held; req has been checked. */
static long axvm_do_hypercall(struct axvm_ioctl_hypercall *req)
{
	void __user *arg_user = u64_to_user_ptr(req->arg);
	void __user *buf_user = u64_to_user_ptr(req->buf);
	phys_addr_t arg_gpa = 0, buf_gpa = 0;
	long ret;

	/*
	 * dom0 is identity-mapped (guest-physical == host-physical), so the
	 * pages' physical addresses are what the hypervisor wants.
	 */
	if (req->arg_size) {
		if (copy_from_user(axvm_arg_page, arg_user, req->arg_size))
			return -EFAULT;
		arg_gpa = virt_to_phys(axvm_arg_page);
	}
	if (req->buf_size) {
		if (copy_from_user(axvm_buf, buf_user, req->buf_size))
			return -EFAULT;
		buf_gpa = virt_to_phys(axvm_buf);
	}

	ret = axvm_hypercall4(req->nr, arg_gpa, req->arg_size, buf_gpa,
			      req->buf_size);

	/* The struct goes back even on failure: some calls say why in it. */
	if (req->arg_size &&
	    copy_to_user(arg_user, axvm_arg_page, req->arg_size))
		return -EFAULT;
	if (ret >= 0 && req->buf_size && axvm_fills_buffer(req->nr) &&
	    copy_to_user(buf_user, axvm_buf, req->buf_size))
		return -EFAULT;
	return ret;
}

static long axvm_ioctl_hypercall(struct axvm_ioctl_hypercall __user *ureq)
{
	struct axvm_ioctl_hypercall req;
	long ret;

	if (copy_from_user(&req, ureq, sizeof(req)))
		return -EFAULT;
	if (!axvm_is_allowed(req.nr))
		return -EINVAL;
	if (req.arg_size > AXVM_IOCTL_MAX_ARG || req.buf_size > AXVM_COPY_MAX)
		return -E2BIG;
	if ((req.arg_size && !req.arg) || (req.buf_size && !req.buf))
		return -EFAULT;

	/* Interrupted here, nothing happened yet: user space may retry. */
	if (mutex_lock_interruptible(&axvm_call_lock))
		return -EINTR;
	ret = axvm_do_hypercall(&req);
	mutex_unlock(&axvm_call_lock);

	if (ret < 0) {
		/* AXVM_E* values are errno values; anything else is odd. */
		return ret >= -MAX_ERRNO ? ret : -EIO;
	}
	req.result = ret;
	if (copy_to_user(ureq, &req, sizeof(req)))
		return -EFAULT;
	return 0;
}

static long axvm_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;

	switch (cmd) {
	case AXVM_IOCTL_HYPERCALL:
		return axvm_ioctl_hypercall((void __user *)arg);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations axvm_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = axvm_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

static struct miscdevice axvm_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "axvm",
	.fops = &axvm_fops,
	.mode = 0600,
};

static int __init axvm_init(void)
{
	long version;
	int ret;

	if (!axvm_arch_probe()) {
		pr_err("not running under the axvm hypervisor\n");
		return -ENODEV;
	}

	version = axvm_hypercall4(AXVM_HC_ABI_VERSION, 0, 0, 0, 0);
	if (version < 0) {
		pr_err("the hypervisor refused abi_version: %ld\n", version);
		return -ENODEV;
	}
	pr_info("hypervisor ABI %lu.%lu (module built for %u.%u)\n",
		(unsigned long)version >> 16, (unsigned long)version & 0xffff,
		AXVM_ABI_VERSION_MAJOR, AXVM_ABI_VERSION_MINOR);
	if ((unsigned long)version >> 16 != AXVM_ABI_VERSION_MAJOR)
		pr_warn("ABI major version differs; calls may be refused\n");

	axvm_arg_page = (void *)get_zeroed_page(GFP_KERNEL);
	axvm_buf = (void *)__get_free_pages(GFP_KERNEL | __GFP_ZERO,
					    AXVM_BUF_ORDER);
	if (!axvm_arg_page || !axvm_buf) {
		ret = -ENOMEM;
		goto err_free;
	}

	ret = misc_register(&axvm_misc);
	if (ret) {
		pr_err("cannot register /dev/axvm: %d\n", ret);
		goto err_free;
	}
	pr_info("/dev/axvm ready\n");
	return 0;

err_free:
	free_pages((unsigned long)axvm_buf, AXVM_BUF_ORDER);
	free_page((unsigned long)axvm_arg_page);
	return ret;
}

static void __exit axvm_exit(void)
{
	/* No ioctl is running: the module is only unloaded once unused. */
	misc_deregister(&axvm_misc);
	free_pages((unsigned long)axvm_buf, AXVM_BUF_ORDER);
	free_page((unsigned long)axvm_arg_page);
}

module_init(axvm_init);
module_exit(axvm_exit);

MODULE_DESCRIPTION("axvm hypervisor control device (/dev/axvm)");
MODULE_AUTHOR("axvm developers");
MODULE_LICENSE("Dual MIT/GPL");
