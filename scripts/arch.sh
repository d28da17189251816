# Everything that differs between target architectures, in one place.
# Sourced by the scripts; arch_setup ARCH sets:
#   KARCH         the kernel's ARCH=
#   CROSS         CROSS_COMPILE= prefix ('' for a native build)
#   IMAGE         the boot image, relative to the build directory
#   GUEST_CC      compiler for the static guest programs
#   QEMU          QEMU system emulator
#   QEMU_ARGS     machine, CPU and firmware arguments (TCG)
#   CONSOLE       the guest's serial console device
#   KCMDLINE      arch-specific kernel command line arguments
#   DEB_PKGS      Debian packages this arch needs besides the common ones
arch_setup() {
	case $1 in
	x86_64)
		KARCH=x86_64
		CROSS=
		IMAGE=arch/x86/boot/bzImage
		GUEST_CC=gcc
		QEMU=qemu-system-x86_64
		QEMU_ARGS="-M q35 -cpu max"
		CONSOLE=ttyS0
		KCMDLINE="numa=fake=2"
		DEB_PKGS="qemu-system-x86"
		;;
	arm64)
		KARCH=arm64
		CROSS=aarch64-linux-gnu-
		IMAGE=arch/arm64/boot/Image
		GUEST_CC=aarch64-linux-gnu-gcc
		QEMU=qemu-system-aarch64
		# pauth-impdef: TCG's cheap pointer-authentication hash.
		QEMU_ARGS="-M virt -cpu max,pauth-impdef=on"
		CONSOLE=ttyAMA0
		KCMDLINE="numa=fake=2"
		DEB_PKGS="qemu-system-arm gcc-aarch64-linux-gnu libc6-dev-arm64-cross"
		;;
	powerpc)
		KARCH=powerpc
		CROSS=powerpc64le-linux-gnu-
		IMAGE=vmlinux
		GUEST_CC=powerpc64le-linux-gnu-gcc
		QEMU=qemu-system-ppc64
		# SLOF, which formats the NVRAM the kernel reads (VOF leaves it empty:
		# "WARNING: nvram corruption detected"); the spectre capabilities
		# TCG lacks, off.
		QEMU_ARGS="-M pseries,cap-cfpc=broken,cap-sbbc=broken,cap-ibs=broken,cap-ccf-assist=off -cpu power9"
		CONSOLE=hvc0
		# NUMA comes from the device tree: one node.
		KCMDLINE=
		DEB_PKGS="qemu-system-ppc gcc-powerpc64le-linux-gnu libc6-dev-ppc64el-cross"
		;;
	*)
		echo "unsupported ARCH '$1' (supported: x86_64, arm64, powerpc)" >&2
		return 1
		;;
	esac
}
