// OpenBLAS's CBLAS (Debian: libopenblas-dev; pkg-config `openblas` puts its include dir first).
#include <cblas.h>
// Not in every cblas.h: OpenBLAS's own thread-count control.
void openblas_set_num_threads(int num_threads);
int openblas_get_num_threads(void);
// LAPACK's symmetric eigensolver (divide and conquer), which OpenBLAS carries: the Fortran entry
// point, declared here because Debian's OpenBLAS ships no lapack.h. The two trailing lengths
// are the hidden lengths gfortran passes for the character arguments.
#include <stddef.h>
void dsyevd_(const char *jobz, const char *uplo, const int *n, double *a, const int *lda, double *w,
             double *work, const int *lwork, int *iwork, const int *liwork, int *info,
             size_t jobz_length, size_t uplo_length);
