// OpenBLAS's CBLAS (Debian: libopenblas-dev; pkg-config `openblas` puts its include dir first).
#include <cblas.h>
// Not in every cblas.h: OpenBLAS's own thread-count control.
void openblas_set_num_threads(int num_threads);
int openblas_get_num_threads(void);
