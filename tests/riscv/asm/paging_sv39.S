# Sv39 virtual memory: 3-level page tables built by the test; loads,
# stores and fetches through 4 KiB / 2 MiB / 1 GiB mappings from S- and
# U-mode, page faults (cause/tval), A/D updates, SUM, MXR, MPRV, sfence.vma
# and root switching. The body is shared with paging_sv48.S (paging.inc).
#include "xlate_test.h"

#define LEVELS       3
#define SATP_MODE    SATP_MODE_SV39
#define NONCANON_VA  0x0000004000000000   /* bit 38 set, bits 63:39 clear */

#include "paging.inc"
