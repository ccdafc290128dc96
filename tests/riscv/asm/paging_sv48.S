# Sv48 virtual memory: the same checks as paging_sv39.S with 4-level page
# tables, plus a 512 GiB terapage and the Sv48 canonical-address rule.
#include "xlate_test.h"

#define LEVELS       4
#define SATP_MODE    SATP_MODE_SV48
#define NONCANON_VA  0x0000800000000000   /* bit 47 set, bits 63:48 clear */
#define TERA_VA      0x0000008000000000   /* root index 1 */

#include "paging.inc"
