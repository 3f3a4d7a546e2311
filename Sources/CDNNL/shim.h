// oneDNN's C API (Debian: libdnnl-dev 2.6, built with OpenMP), for the convolutions it runs
// faster than im2col and a matrix product (NN/ConvolutionPrimitives.swift says which).
#include <oneapi/dnnl/dnnl.h>
#include <oneapi/dnnl/dnnl_debug.h>  // dnnl_status2str, for the one-line error
// OpenMP's thread-count control, declared here rather than through omp.h, which lives in gcc's
// own include directory: oneDNN's parallel regions take their size from the calling thread's
// setting, so each call sets it to that thread's part count first.
void omp_set_num_threads(int num_threads);
