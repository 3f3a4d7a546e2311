// zlib (Debian: zlib1g-dev): reading the gzipped IDX data files.
#include <zlib.h>
