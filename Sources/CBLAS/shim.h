#ifndef STCLIP_CBLAS_SHIM_H
#define STCLIP_CBLAS_SHIM_H
// OpenBLAS's CBLAS interface plus its thread-count controls (declared in cblas.h of OpenBLAS).
#include <cblas.h>
#endif
