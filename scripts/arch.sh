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
	*)
		echo "unsupported ARCH '$1' (supported: x86_64)" >&2
		return 1
		;;
	esac
}
